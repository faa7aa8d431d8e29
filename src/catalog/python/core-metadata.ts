// Python core metadata (https://packaging.python.org/en/latest/specifications/core-metadata/): the
// RFC 822 style header block of a wheel's `METADATA` and an egg's `PKG-INFO`. Only the header block
// is read; the body after the first blank line is the long description.
import { normaliseLicense, normaliseLicenses } from '../license.ts';

export interface CoreMetadata {
  name: string;
  version: string;
  licenses: string[];
}

/** Header fields worth keeping; every other field (and the long description) is skipped unread. */
const FIELDS = new Set(['name', 'version', 'license', 'license-expression', 'classifier']);

/** A License field longer than this, or of several lines, is a licence text, not a name. */
const MAX_LICENSE_NAME = 100;

function headerFields(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let current: { values: string[]; index: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      // A continuation line (RFC 822 folding): setuptools indents multi-line License and Description values.
      if (current) current.values[current.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      current = undefined;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!FIELDS.has(key)) {
      current = undefined;
      continue;
    }
    const values = fields.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(key, values);
    current = { values, index: values.length - 1 };
  }
  return fields;
}

/** `License :: OSI Approved :: MIT License` → `MIT License`; bare `OSI Approved` says nothing. */
function classifierLicenses(classifiers: string[]): string[] {
  const names: string[] = [];
  for (const classifier of classifiers) {
    const parts = classifier.split('::').map((part) => part.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    const last = parts[parts.length - 1]!;
    if (last === 'OSI Approved') continue;
    names.push(last);
  }
  return names;
}

/**
 * The licence, in the order of precedence the specification gives: `License-Expression` (PEP 639),
 * else the free-text `License` when it is a short name, else the `License ::` classifiers.
 */
function metadataLicenses(fields: Map<string, string[]>): string[] {
  const expression = fields.get('license-expression')?.[0];
  if (expression) {
    const license = normaliseLicense(expression);
    if (license) return [license];
  }
  const text = fields.get('license')?.[0];
  if (text && text.length <= MAX_LICENSE_NAME && !text.includes('\n')) {
    const license = normaliseLicense(text);
    if (license) return [license];
  }
  return normaliseLicenses(classifierLicenses(fields.get('classifier') ?? []));
}

/** Parses core metadata; throws when there is no `Name` (not a metadata file, or a binary one). */
export function parseCoreMetadata(content: Buffer): CoreMetadata {
  const text = content.toString('utf8');
  if (text.includes('\0')) throw new Error('binary content, not Python package metadata');
  const fields = headerFields(text.replace(/^\uFEFF/, ''));
  const name = fields.get('name')?.[0];
  if (!name) throw new Error('no Name field in Python package metadata');
  return { name, version: fields.get('version')?.[0] ?? '', licenses: metadataLicenses(fields) };
}
