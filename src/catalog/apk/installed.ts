// apk's database of installed packages, /lib/apk/db/installed: paragraphs of `X:value` lines
// separated by blank lines (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2).
// P name, V version, A arch, o origin (the source package), L licence, F directory, R file in the
// last F directory.
import type { FoundPackage } from '../cataloger.ts';

export interface ApkInstalled {
  packages: FoundPackage[];
  warnings: string[];
}

const MAX_WARNINGS = 100;

interface Draft {
  line: number;
  fields: Map<string, string>;
  files: string[];
  directory: string;
}

/**
 * `L:` is an SPDX expression on current Alpine (`MIT AND BSD-2-Clause`) and a space-separated list
 * on older releases (`MIT BSD GPL2+`): an expression is kept whole, a list is split.
 */
export function apkLicenses(value: string): string[] {
  const text = value.trim();
  if (text === '') return [];
  if (/\s(AND|OR|WITH)\s/.test(text)) return [text];
  return [...new Set(text.split(/\s+/))];
}

export function parseApkInstalled(text: string): ApkInstalled {
  const packages: FoundPackage[] = [];
  const warnings: string[] = [];
  let dropped = 0;
  const warn = (message: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    else dropped++;
  };
  let sawPackage = false;
  let draft: Draft | undefined;

  const finish = () => {
    if (!draft) return;
    const name = draft.fields.get('P');
    const version = draft.fields.get('V');
    const at = `line ${draft.line}`;
    if (name === undefined) warn(`${at}: paragraph without a P (package name) line`);
    else if (name === '' || /\s/.test(name)) warn(`${at}: invalid package name ${JSON.stringify(name.slice(0, 60))}`);
    else if (!version) warn(`${at}: package ${name} has no V (version) line`);
    else {
      const found: FoundPackage = { type: 'apk', name, version };
      const arch = draft.fields.get('A');
      if (arch) found.arch = arch;
      found.sourceName = draft.fields.get('o') || name;
      found.sourceVersion = version;
      const licenses = apkLicenses(draft.fields.get('L') ?? '');
      if (licenses.length > 0) found.licenses = licenses;
      if (draft.files.length > 0) found.files = draft.files;
      packages.push(found);
    }
    draft = undefined;
  };

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      finish();
      continue;
    }
    draft ??= { line: index + 1, fields: new Map(), files: [], directory: '' };
    const match = /^([A-Za-z]):(.*)$/.exec(line);
    if (!match) {
      warn(`line ${index + 1}: not a field: ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 'P') sawPackage = true;
    if (key === 'F') draft.directory = value;
    else if (key === 'R') draft.files.push(draft.directory ? `/${draft.directory}/${value}` : `/${value}`);
    else if (!draft.fields.has(key)) draft.fields.set(key, value);
  }
  finish();
  if (text.trim() !== '' && !sawPackage) throw new Error('not an apk database: no P (package name) line');
  if (dropped > 0) warnings.push(`${dropped} more warnings`);
  return { packages, warnings };
}
