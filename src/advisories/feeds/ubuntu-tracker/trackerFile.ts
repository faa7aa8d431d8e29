// One file of the Ubuntu CVE Tracker (git.launchpad.net/ubuntu-cve-tracker: `active/`, `retired/`,
// `ignored/`), read as the tracker's own loader reads it (scripts/cve_lib.py load_cve): RFC 822-like
// `Field: value` lines with indented continuation lines (References, Description, CVSS…), then per source
// package `Patches_<pkg>:`, `Tags_<pkg>:`, `Priority_<pkg>[_<release>]:` and one
// `<release>_<pkg>: <status> [(<note>)]` line per release. `#` starts a comment line.

export interface PackageLine {
  /** `jammy`, `trusty/esm`, `esm-infra/xenial`, `upstream`, `devel`… */
  release: string;
  /** The source package. */
  packageName: string;
  /** Everything after the colon: `released (2.6-10)`, `needs-triage`, `ignored (end of standard support)`. */
  value: string;
  line: number;
}

export interface TrackerFile {
  /** Header fields: the text after the colon (when not empty) and each continuation line, trimmed. */
  fields: Map<string, string[]>;
  packageLines: PackageLine[];
  /** `Priority_<pkg>` → `pkg`, `Priority_<pkg>_<release>` → `pkg_release`: the package's own priority. */
  packagePriorities: Map<string, string>;
  /** Lines that are none of the above. */
  unreadable: { line: number; text: string }[];
}

const PACKAGE_FIELD = /^(Patches|Tags|Priority)_([^:\s]+):\s*(.*)$/;
// Debian package names: lower case, digits, `+ - .`; release names: lower case with one optional `/`.
const PACKAGE_LINE = /^([a-z][a-z0-9.-]*(?:\/[a-z][a-z0-9.-]*)?)_([a-z0-9][a-z0-9+.-]*):\s*(.*)$/;
const HEADER_FIELD = /^([A-Z][A-Za-z0-9-]*):\s*(.*)$/;

export function parseTrackerFile(text: string): TrackerFile {
  const file: TrackerFile = { fields: new Map(), packageLines: [], packagePriorities: new Map(), unreadable: [] };
  // Continuation lines belong to the last header field; after a package field or a blank line, to nothing.
  let current: string[] | undefined;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.trim() === '') {
      current = undefined;
      continue;
    }
    if (raw.startsWith('#')) continue;
    if (/^\s/.test(raw)) {
      current?.push(raw.trim());
      continue;
    }
    const text = raw.trimEnd();
    const packageField = PACKAGE_FIELD.exec(text);
    if (packageField) {
      current = undefined;
      if (packageField[1] === 'Priority' && packageField[3] !== '') file.packagePriorities.set(packageField[2]!, packageField[3]!);
      continue;
    }
    const packageLine = PACKAGE_LINE.exec(text);
    if (packageLine) {
      current = undefined;
      file.packageLines.push({ release: packageLine[1]!, packageName: packageLine[2]!, value: packageLine[3]!, line });
      continue;
    }
    const header = HEADER_FIELD.exec(text);
    if (header) {
      current = header[2] === '' ? [] : [header[2]!];
      // A field written twice keeps its first value, as a mail header reader would.
      if (!file.fields.has(header[1]!)) file.fields.set(header[1]!, current);
      continue;
    }
    current = undefined;
    file.unreadable.push({ line, text });
  }
  return file;
}
