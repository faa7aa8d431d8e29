// Debian package versions, ordered exactly as dpkg does: `[epoch:]upstream[-revision]`, compared by
// dpkg's verrevcmp (lib/dpkg/version.c) and parsed by parseversion (lib/dpkg/parsehelp.c).
// https://www.debian.org/doc/debian-policy/ch-controlfields.html#version
import type { VersionScheme } from '../scheme.ts';
import { cachedScheme } from '../parsed-cache.ts';

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const CODE_0 = 48;
const CODE_9 = 57;
const TILDE = 126;

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** dpkg's order(): `~` before the end of the string, letters before everything else, digits never reach here. */
function order(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if (isAlpha(code)) return code;
  if (code === TILDE) return -1;
  return code + 256;
}

/** dpkg's verrevcmp: alternate non-digit runs (by order()) and digit runs (numerically, any length). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === CODE_0) i++;
    while (b.charCodeAt(j) === CODE_0) j++;
    let firstDiff = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

const ALLOWED_UPSTREAM = /^[0-9A-Za-z.+~:-]*$/;
const ALLOWED_REVISION = /^[0-9A-Za-z.+~]*$/;
const EPOCH = /^[0-9]+$/;

/**
 * parseversion's rules: surrounding blanks are ignored, embedded blanks, a bad or empty epoch and an
 * empty upstream or revision are errors. The characters allowed by Debian policy, and an upstream
 * starting with a digit, are only warnings in dpkg; `dpkg --validate-version` rejects them too, and so do we.
 */
export function parseDebVersion(text: string): DebVersion | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || /\s/.test(trimmed)) return undefined;
  let rest = trimmed;
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const epochText = rest.slice(0, colon);
    if (!EPOCH.test(epochText)) return undefined;
    epoch = Number(epochText);
    if (epoch > 2147483647) return undefined;
    rest = rest.slice(colon + 1);
    if (rest === '') return undefined;
  }
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    revision = rest.slice(hyphen + 1);
    rest = rest.slice(0, hyphen);
    if (revision === '') return undefined;
  }
  if (rest === '' || !isDigit(rest.charCodeAt(0))) return undefined;
  if (!ALLOWED_UPSTREAM.test(rest) || !ALLOWED_REVISION.test(revision)) return undefined;
  return { epoch, upstream: rest, revision };
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const upstream = verrevcmp(a.upstream, b.upstream);
  if (upstream !== 0) return sign(upstream);
  return sign(verrevcmp(a.revision, b.revision));
}

export const deb: VersionScheme = cachedScheme<DebVersion>('deb', parseDebVersion, compareDebVersions);
