// RPM versions, `[epoch:]version[-release]`, ordered as rpm does: epochs numerically (missing = 0),
// then version and release with rpmvercmp (rpmio/rpmvercmp.c), where `~` sorts before everything,
// even the end of the string, and `^` after the end but before anything else.
// https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning
import type { VersionScheme } from '../scheme.ts';
import { cachedScheme } from '../parsed-cache.ts';

export interface RpmVersion {
  epoch: string;
  version: string;
  release: string;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
const TILDE = 126;
const CARET = 94;

/** rpmvercmp: segments of digits (numerically) or letters (bytewise); other characters separate them. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnumOrMark(a.charCodeAt(i))) i++;
    while (j < b.length && !isAlnumOrMark(b.charCodeAt(j))) j++;
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(ca);
    const segment = numeric ? isDigit : isAlpha;
    let endA = i;
    while (endA < a.length && segment(a.charCodeAt(endA))) endA++;
    let endB = j;
    while (endB < b.length && segment(b.charCodeAt(endB))) endB++;
    // A numeric segment is newer than an alphabetic one.
    if (endB === j) return numeric ? 1 : -1;
    let x = a.slice(i, endA);
    let y = b.slice(j, endB);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = endA;
    j = endB;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function isAlnumOrMark(code: number): boolean {
  return isDigit(code) || isAlpha(code) || code === TILDE || code === CARET;
}

/** rpmverParse: the epoch is the leading digits before a `:`; the release follows the last `-`. */
export function parseRpmVersion(text: string): RpmVersion | undefined {
  if (text === '' || /\s/.test(text)) return undefined;
  let digits = 0;
  while (digits < text.length && isDigit(text.charCodeAt(digits))) digits++;
  let epoch = '0';
  let rest = text;
  if (text.charCodeAt(digits) === 58 /* : */) {
    epoch = digits === 0 ? '0' : text.slice(0, digits).replace(/^0+(?=.)/, '');
    rest = text.slice(digits + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (version === '') return undefined;
  return { epoch, version, release };
}

function compareEpochs(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRpmVersions(a: RpmVersion, b: RpmVersion): -1 | 0 | 1 {
  return compareEpochs(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

export const rpm: VersionScheme = cachedScheme<RpmVersion>('rpm', parseRpmVersion, compareRpmVersions);
