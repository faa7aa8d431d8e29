// Alpine package versions, ordered as apk-tools 3 does (src/version.c: token_next, token_cmp,
// apk_version_compare_fuzzy): `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`.
// https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c
import type { VersionScheme } from '../scheme.ts';
import { cachedScheme } from '../parsed-cache.ts';

// Token kinds in apk-tools' order: the order itself decides which of two versions of different
// length is greater (a later kind ends the shorter one sooner).
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Pre-release suffixes sort below no suffix (NONE), post-release ones above.
const SUFFIX_NONE = 5;
const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['alpha', 1],
  ['beta', 2],
  ['pre', 3],
  ['rc', 4],
  ['cvs', 6],
  ['svn', 7],
  ['git', 8],
  ['hg', 9],
  ['p', 10],
]);

interface Token {
  kind: number;
  /** The token's text (digits without the separator, letter, suffix word, hash). */
  text: string;
  /** Suffix rank for SUFFIX tokens. */
  suffix: number;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}
function isHex(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

function spanEnd(text: string, from: number, accept: (code: number) => boolean): number {
  let end = from;
  while (end < text.length && accept(text.charCodeAt(end))) end++;
  return end;
}

/**
 * The token list of `version` as token_first/token_next read it, ending with END or INVALID (apk
 * compares an invalid version up to its first bad token).
 */
export function tokenize(version: string): Token[] {
  const tokens: Token[] = [];
  let pos = spanEnd(version, 0, isDigit);
  let kind = pos === 0 ? INVALID : INITIAL_DIGIT;
  tokens.push({ kind, text: version.slice(0, pos), suffix: 0 });
  while (kind < END) {
    if (pos >= version.length) {
      kind = END;
      tokens.push({ kind, text: '', suffix: 0 });
      break;
    }
    const code = version.charCodeAt(pos);
    let next: Token = { kind: INVALID, text: '', suffix: 0 };
    if (isLower(code)) {
      if (kind <= DIGIT) next = { kind: LETTER, text: version[pos], suffix: 0 };
      pos++;
    } else if (code === 46 /* . */ || isDigit(code)) {
      const digitKind = kind === INITIAL_DIGIT || kind === DIGIT ? DIGIT : kind === SUFFIX ? SUFFIX_NO : INVALID;
      if (code === 46) {
        if (kind <= DIGIT) pos++;
        else next.kind = INVALID;
      }
      if (code !== 46 || kind <= DIGIT) {
        const end = spanEnd(version, pos, isDigit);
        if (digitKind !== INVALID && end > pos) next = { kind: digitKind, text: version.slice(pos, end), suffix: 0 };
        pos = end;
      }
    } else if (code === 95 /* _ */) {
      if (kind <= SUFFIX_NO) {
        const end = spanEnd(version, pos + 1, isLower);
        const word = version.slice(pos + 1, end);
        const rank = SUFFIXES.get(word);
        if (rank !== undefined) next = { kind: SUFFIX, text: word, suffix: rank };
        pos = end;
      }
    } else if (code === 126 /* ~ */) {
      if (kind < COMMIT_HASH) {
        const end = spanEnd(version, pos + 1, isHex);
        if (end > pos + 1) next = { kind: COMMIT_HASH, text: version.slice(pos + 1, end), suffix: 0 };
        pos = end;
      }
    } else if (code === 45 /* - */) {
      if (kind < REVISION_NO && version.charCodeAt(pos + 1) === 114 /* r */) {
        const end = spanEnd(version, pos + 2, isDigit);
        if (end > pos + 2) next = { kind: REVISION_NO, text: version.slice(pos + 2, end), suffix: 0 };
        pos = end;
      }
    }
    kind = next.kind;
    tokens.push(next);
  }
  return tokens;
}

/** Numeric comparison of digit strings of any length (apk reads them as uint64). */
function compareNumbers(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const lengthDiff = a.length - i - (b.length - j);
  if (lengthDiff !== 0) return lengthDiff;
  const x = a.slice(i);
  const y = b.slice(j);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** apk_blob_sort: byte order, a prefix first. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareToken(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      // A leading zero makes apk compare the digits as a string ("as in Gentoo's spec"): 1.01 < 1.1.
      if (a.text.charCodeAt(0) === 48 || b.text.charCodeAt(0) === 48) return compareBytes(a.text, b.text);
      return compareNumbers(a.text, b.text);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareNumbers(a.text, b.text);
    case LETTER:
      return compareBytes(a.text, b.text);
    case SUFFIX:
      return a.suffix - b.suffix;
    default:
      return compareBytes(a.text, b.text);
  }
}

/** apk_version_compare on two token lists. */
export function compareTokens(ta: Token[], tb: Token[]): -1 | 0 | 1 {
  let index = 0;
  for (; ta[index].kind === tb[index].kind && ta[index].kind < END; index++) {
    const r = compareToken(ta[index], tb[index]);
    if (r !== 0) return r < 0 ? -1 : 1;
  }
  const a = ta[index];
  const b = tb[index];
  if (a.kind === b.kind) return 0;
  // Equal so far: the longer version is greater, unless what it continues with is a pre-release suffix.
  if (a.kind === SUFFIX && a.suffix < SUFFIX_NONE) return -1;
  if (b.kind === SUFFIX && b.suffix < SUFFIX_NONE) return 1;
  if (a.kind > b.kind) return -1;
  if (b.kind > a.kind) return 1;
  return 0;
}

export const apk: VersionScheme = cachedScheme<Token[]>('apk', (text) => {
  const tokens = tokenize(text);
  return tokens[tokens.length - 1].kind === END ? tokens : undefined;
}, compareTokens);
