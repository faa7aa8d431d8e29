// Package URLs as patterns, for VEX statements and ignore entries: a purl matches a package when type,
// namespace and name agree, the version too when the pattern gives one, and every qualifier (and the
// subpath) the pattern gives is the package's. Both sides are parsed by packageurl-js, which applies
// each type's normalisation (npm and pypi names, percent-encoding), so `pkg:npm/%40scope/x` and
// `pkg:npm/@scope/x` are the same package.
import { PackageURL } from 'packageurl-js';

export interface PurlPattern {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
  subpath?: string;
}

/** The purl's parts, or undefined when the text is no purl. */
export function parsePurl(text: string): PurlPattern | undefined {
  if (!text.startsWith('pkg:')) return undefined;
  try {
    const purl = PackageURL.fromString(text);
    return {
      type: purl.type,
      namespace: purl.namespace || undefined,
      name: purl.name,
      version: purl.version || undefined,
      qualifiers: { ...(purl.qualifiers ?? {}) },
      subpath: purl.subpath || undefined,
    };
  } catch {
    return undefined;
  }
}

const parsed = new Map<string, PurlPattern | undefined>();

/** parsePurl with a cache: packages' purls are compared with every statement and entry. */
function parsedPurl(text: string): PurlPattern | undefined {
  if (!parsed.has(text)) {
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(text, parsePurl(text));
  }
  return parsed.get(text);
}

export function purlMatches(pattern: PurlPattern, packagePurl: string): boolean {
  const purl = parsedPurl(packagePurl);
  if (!purl) return false;
  if (purl.type !== pattern.type || purl.name !== pattern.name || (purl.namespace ?? '') !== (pattern.namespace ?? '')) return false;
  if (pattern.version !== undefined && purl.version !== pattern.version) return false;
  if (pattern.subpath !== undefined && purl.subpath !== pattern.subpath) return false;
  return Object.entries(pattern.qualifiers).every(([key, value]) => purl.qualifiers[key] === value);
}
