// NuGet versions: NuGet.Versioning's NuGetVersion (SemVer 2.0.0 plus System.Version's optional 4th
// part) ordered by VersionComparer.Default: https://learn.microsoft.com/nuget/concepts/package-versioning.
// Build metadata is ignored and prerelease labels compare case-insensitively.
import { ParsedCache } from '../parsed-cache.ts';
import { InvalidVersionError, type VersionScheme } from '../scheme.ts';

// NuGetVersion.TryParse (NuGetVersionFactory.cs): the trimmed string splits at its first `-` or `+`
// (ParseSections); the version part goes to System.Version.TryParse (2 to 4 parts, a bare "1" gets
// ".0" added, each part an Int32 >= 0 that int.TryParse accepts, so with blanks around it); labels
// are [0-9A-Za-z-]+ and a numeric label has no leading zero (IsValidPart(s, allowLeadingZeros: false));
// metadata parts may have leading zeros.
const SECTIONS = /^([^+-]*)(?:-([^+]*))?(?:\+(.*))?$/s;
const VERSION_COMPONENT = /^[\t-\r ]*([0-9]+)[\t-\r ]*$/;
const PART = /^[0-9A-Za-z-]+$/;
const NUMERIC_LABEL_WITH_LEADING_ZERO = /^0[0-9]+$/;
// System.Version parts and numeric labels are Int32.
const INT32_MAX = 2147483647;
const INT32_LABEL = /^-?[0-9]+$/;

interface NuGetVersion {
  /** major, minor, patch, revision */
  numbers: [number, number, number, number];
  /** Empty for a release version. */
  labels: string[];
}

function parseVersion(version: string): NuGetVersion | undefined {
  const sections = SECTIONS.exec(version.trim());
  if (!sections || sections[1] === '') return undefined;
  const components = sections[1]!.split('.');
  if (components.length === 1) components.push('0');
  if (components.length > 4) return undefined;
  const numbers: number[] = [];
  for (const component of components) {
    const digits = VERSION_COMPONENT.exec(component)?.[1];
    if (digits === undefined || Number(digits) > INT32_MAX) return undefined;
    numbers.push(Number(digits));
  }
  const labels = sections[2] === undefined ? [] : sections[2].split('.');
  if (labels.some((label) => !PART.test(label) || NUMERIC_LABEL_WITH_LEADING_ZERO.test(label))) return undefined;
  if (sections[3] !== undefined && !sections[3].split('.').every((part) => PART.test(part))) return undefined;
  return { numbers: [numbers[0]!, numbers[1]!, numbers[2] ?? 0, numbers[3] ?? 0], labels };
}

/** Int32 value of a label as int.TryParse reads it, or undefined. */
function labelNumber(label: string): number | undefined {
  if (!INT32_LABEL.test(label)) return undefined;
  const value = Number(label);
  return value >= -INT32_MAX - 1 && value <= INT32_MAX ? value : undefined;
}

/** VersionComparer.CompareRelease: numbers before text, text by StringComparer.OrdinalIgnoreCase. */
function compareLabel(a: string, b: string): number {
  const left = labelNumber(a);
  const right = labelNumber(b);
  if (left !== undefined && right !== undefined) return Math.sign(left - right);
  if (left !== undefined) return -1;
  if (right !== undefined) return 1;
  const upperA = a.toUpperCase();
  const upperB = b.toUpperCase();
  return upperA < upperB ? -1 : upperA > upperB ? 1 : 0;
}

function compareVersions(a: NuGetVersion, b: NuGetVersion): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    if (a.numbers[i] !== b.numbers[i]) return a.numbers[i]! < b.numbers[i]! ? -1 : 1;
  }
  // A prerelease sorts before its release.
  if (a.labels.length === 0 || b.labels.length === 0) {
    return a.labels.length === b.labels.length ? 0 : a.labels.length === 0 ? 1 : -1;
  }
  const length = Math.max(a.labels.length, b.labels.length);
  for (let i = 0; i < length; i++) {
    const left = a.labels[i];
    const right = b.labels[i];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const result = compareLabel(left, right);
    if (result !== 0) return result < 0 ? -1 : 1;
  }
  return 0;
}

const cache = new ParsedCache<NuGetVersion>(parseVersion);

function required(version: string): NuGetVersion {
  const found = cache.get(version);
  if (found === undefined) throw new InvalidVersionError('nuget', version);
  return found;
}

export const nuget: VersionScheme = {
  name: 'nuget',
  compare(a, b) {
    return compareVersions(required(a), required(b));
  },
  valid(version) {
    return cache.get(version) !== undefined;
  },
};
