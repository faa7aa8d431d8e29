// Go module versions, ordered as golang.org/x/mod/semver does (semantic versions with a `v`;
// shorthands v1 and v1.2 mean v1.0.0 and v1.2.0; build metadata, such as `+incompatible`, is ignored;
// pseudo-versions are ordinary prereleases). Two spellings beyond x/mod, because advisories use them:
// OSV's Go records write versions without the `v` (`1.20.5`), and Go toolchain versions
// (`go1.21.3`, `go1.21`, `go1.21rc2`) are mapped to semver as the Go vulnerability database does for
// the standard library (https://go.dev/doc/toolchain#version, golang/vulndb internal/stdlib).
import type { VersionScheme } from '../scheme.ts';
import { cachedScheme } from '../parsed-cache.ts';

export interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated prerelease identifiers; empty for a release. */
  prerelease: string[];
}

const NUMERIC = /^(0|[1-9][0-9]*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;
// x/mod/semver's grammar, with the shorthands only when nothing follows them.
const SEMVER = /^v(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:-([^+]*))?(?:\+(.*))?)?)?$/;
// go1, go1.21, go1.21.3, go1.21rc2, go1.9beta1: the toolchain's release names.
const TOOLCHAIN = /^go([1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(?:(alpha|beta|rc)([1-9][0-9]*))?$/;

/** The prerelease identifiers, or undefined when one is empty, has a bad character or a leading zero. */
function parsePrerelease(text: string): string[] | undefined {
  const identifiers = text.split('.');
  for (const identifier of identifiers) {
    if (!IDENTIFIER.test(identifier)) return undefined;
    if (DIGITS.test(identifier) && !NUMERIC.test(identifier)) return undefined;
  }
  return identifiers;
}

function parseSemver(text: string): GoVersion | undefined {
  const match = SEMVER.exec(text);
  if (match === null) return undefined;
  const [, major, minor, patch, prerelease, build] = match;
  if (build !== undefined && !build.split('.').every((identifier) => IDENTIFIER.test(identifier))) return undefined;
  if (patch === undefined && (prerelease !== undefined || build !== undefined)) return undefined;
  let identifiers: string[] = [];
  if (prerelease !== undefined) {
    const parsed = parsePrerelease(prerelease);
    if (parsed === undefined) return undefined;
    identifiers = parsed;
  }
  return { major, minor: minor ?? '0', patch: patch ?? '0', prerelease: identifiers };
}

function parseToolchain(text: string): GoVersion | undefined {
  const match = TOOLCHAIN.exec(text);
  if (match === null) return undefined;
  const [, major, minor, patch, kind, number] = match;
  // go1.21rc2 is 1.21.0-rc.2; go1.21.3rc1 does not exist.
  if (kind !== undefined && patch !== undefined) return undefined;
  return { major, minor: minor ?? '0', patch: patch ?? '0', prerelease: kind === undefined ? [] : [kind, number] };
}

export function parseGoVersion(text: string): GoVersion | undefined {
  const first = text.charCodeAt(0);
  if (first === 118 /* v */) return parseSemver(text);
  if (first >= 48 && first <= 57) return parseSemver(`v${text}`);
  if (text.startsWith('go')) return parseToolchain(text);
  return undefined;
}

/** x/mod/semver compareInt: canonical decimal strings, by length then bytes. */
function compareInt(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : 1;
}

function comparePrerelease(a: string[], b: string[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) {
    if (a.length === b.length) return 0;
    return a.length === 0 ? 1 : -1;
  }
  for (let index = 0; index < a.length && index < b.length; index++) {
    const x = a[index];
    const y = b[index];
    if (x === y) continue;
    const xNumeric = DIGITS.test(x);
    const yNumeric = DIGITS.test(y);
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    if (xNumeric) return compareInt(x, y);
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareGoVersions(a: GoVersion, b: GoVersion): -1 | 0 | 1 {
  return (
    compareInt(a.major, b.major) ||
    compareInt(a.minor, b.minor) ||
    compareInt(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export const go: VersionScheme = cachedScheme<GoVersion>('go', parseGoVersion, compareGoVersions);
