// The copyleft policy's licence rule (docs/policy.md, "copyleft"): a licence expression fails when
// every way to satisfy it needs a listed licence. With spdx-expression-parse's tree that is, recursively:
// a licence needs itself; `A AND B` needs a listed licence when A or B does; `A OR B` only when both do
// (one can choose the other side). A package's licences (several declared licences apply together) fail
// when any of them fails.
import parseSpdx from 'spdx-expression-parse';

type Node = parseSpdx.Info;

/** A GNU-family id split into its family and whether later versions are allowed (`AGPL-3.0+` = `AGPL-3.0-or-later`). */
function canonical(id: string, plus: boolean): string {
  const match = /^(.*?)(-only|-or-later|\+)?$/.exec(id)!;
  const family = match[1]!;
  const later = plus || match[2] === '-or-later' || match[2] === '+';
  // Only the GNU licences have `-only` / `-or-later` forms; others keep their id (a `+` is then ignored).
  if (!/^(A|L)?GPL-|^GFDL-/.test(family)) return id.replace(/\+$/, '').toLowerCase();
  return `${family}${later ? '-or-later' : '-only'}`.toLowerCase();
}

/** Whether `id` is one SPDX licence id (or LicenseRef-…), as the policy file's `licenses` must be. */
export function isSpdxId(id: string): boolean {
  try {
    const node = parseSpdx(id);
    return 'license' in node && node.plus !== true && node.exception === undefined && node.license === id;
  } catch {
    return false;
  }
}

/** Whether every way to satisfy `node` needs a licence of `listed` (canonical ids). */
function needsListed(node: Node, listed: ReadonlySet<string>): boolean {
  if ('license' in node) return listed.has(canonical(node.license, node.plus === true));
  if (node.conjunction === 'and') return needsListed(node.left, listed) || needsListed(node.right, listed);
  return needsListed(node.left, listed) && needsListed(node.right, listed);
}

export interface LicenseVerdict {
  /** The declared licences (expressions) that need a listed licence. */
  failing: string[];
  /** Declared texts that are no SPDX expression, and so were not judged. */
  unparsed: string[];
}

/** Judges one package's declared licences against the listed SPDX ids. */
export function judgeLicenses(declared: readonly string[], listedIds: readonly string[]): LicenseVerdict {
  const listed = new Set(listedIds.map((id) => canonical(id, false)));
  const failing: string[] = [];
  const unparsed: string[] = [];
  for (const text of declared) {
    let node: Node;
    try {
      node = parseSpdx(text);
    } catch {
      unparsed.push(text);
      continue;
    }
    if (needsListed(node, listed)) failing.push(text);
  }
  return { failing, unparsed };
}
