// Declared licences → SPDX (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/).
// A valid SPDX expression is kept exactly as declared; anything else goes through spdx-correct, the
// corrector npm itself uses for package.json (`Apache 2.0` → `Apache-2.0`, `MIT License` → `MIT`);
// text that neither recognises is kept as declared, so nothing a package says is lost.
import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

/** Longer than any licence name: such text is a licence body or a sentence, not worth correcting. */
const MAX_CORRECTABLE = 100;

/** Placeholders that mean "no licence declared" (setuptools writes `UNKNOWN` when none was given). */
const NOT_DECLARED = new Set(['', 'unknown', 'none', 'null', 'undefined', 'n/a']);

function isSpdxExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** One declared licence as an SPDX expression where recognisable, else the trimmed text; undefined when nothing is declared. */
export function normaliseLicense(declared: string): string | undefined {
  const text = declared.trim();
  if (NOT_DECLARED.has(text.toLowerCase())) return undefined;
  if (text.length > MAX_CORRECTABLE || text.includes('\n')) return text;
  if (isSpdxExpression(text)) return text;
  return spdxCorrect(text) ?? text;
}

/** Every declared licence, normalised, without blanks or repeats, in declared order. */
export function normaliseLicenses(declared: readonly string[]): string[] {
  const licenses: string[] = [];
  for (const text of declared) {
    const license = normaliseLicense(text);
    if (license !== undefined && !licenses.includes(license)) licenses.push(license);
  }
  return licenses;
}
