// Licences of a Debian package from /usr/share/doc/PACKAGE/copyright, when that file is
// machine-readable (DEP-5: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
// Free-form copyright files are not guessed at: the package then has no licence.
import { field, parseControl } from './control.ts';
import table from './data/dep5-licenses.json' with { type: 'json' };

const NAMES: Record<string, string> = (table as { names: Record<string, string> }).names;

/** GPL-2 → GPL-2.0-only, LGPL-2.1+ → LGPL-2.1-or-later (DEP-5's `+` means "or any later version"). */
const GNU = /^(A?GPL|LGPL|GFDL)-(\d(?:\.\d)?)(\+)?$/i;

export function spdxOfDep5(name: string): string {
  const gnu = GNU.exec(name);
  if (gnu) {
    const version = gnu[2]!.includes('.') ? gnu[2]! : `${gnu[2]}.0`;
    return `${gnu[1]!.toUpperCase()}-${version}-${gnu[3] ? 'or-later' : 'only'}`;
  }
  return NAMES[name.toLowerCase()] ?? name;
}

/** The distinct licences named in a DEP-5 file's License fields, in order; [] when the file is not DEP-5. */
export function parseCopyright(text: string): string[] {
  // Only the fields matter: a copyright file is small, but cap the paragraph anyway.
  const { paragraphs } = parseControl(text, { maxParagraphBytes: 256 * 1024 });
  const header = paragraphs[0];
  const format = header ? field(header, 'Format') ?? field(header, 'Format-Specification') : undefined;
  // DEP-5 files open with `Format: <URI of the format>`: 1.0's URL, or a draft's (…/dep5.mdwn?op=file&rev=…).
  if (!format) return [];
  const licenses: string[] = [];
  for (const paragraph of paragraphs) {
    const synopsis = field(paragraph, 'License')?.split('\n', 1)[0]?.trim();
    if (!synopsis) continue;
    // `GPL-2+ or Artistic`, `MIT and BSD-3-clause`, `GPL-2+ with OpenSSL exception` (kept whole).
    const names = /\bwith\b/i.test(synopsis) ? [synopsis] : synopsis.split(/\s+(?:or|and)\s+|\s*,\s*|\s*\|\s*/i);
    for (const name of names) {
      const spdx = name ? spdxOfDep5(name.trim()) : '';
      if (spdx && !licenses.includes(spdx)) licenses.push(spdx);
    }
  }
  return licenses;
}
