// RubyGems versions: Gem::Version#<=> (rubygems/rubygems lib/rubygems/version.rb), the order
// Bundler uses and the one RubyGems advisories (ruby-advisory-db, GHSA) are written against.
import { cachedScheme } from '../parsed-cache.ts';
import type { VersionScheme } from '../scheme.ts';

// Gem::Version::ANCHORED_VERSION_PATTERN; a blank string is the version "0".
const VERSION_PATTERN = /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*$/;
const SEGMENT = /[0-9]+|[a-z]+/gi;

/** A number (as a digit string without leading zeros) or a string segment. */
type Segment = { number: string } | string;

function isZero(segment: Segment): boolean {
  return typeof segment !== 'string' && segment.number === '0';
}

/** Gem::Version#canonical_segments: trailing zeros dropped from the release and prerelease parts. */
function canonicalSegments(version: string): Segment[] {
  // Gem::Version.new: "-" means a prerelease, written as ".pre.".
  const text = version.replace(/^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g, '').replaceAll('-', '.pre.');
  const segments: Segment[] = (text === '' ? ['0'] : text.match(SEGMENT) ?? []).map((part) =>
    /^[0-9]/.test(part) ? { number: part.replace(/^0+(?=.)/, '') } : part,
  );
  const stringStart = segments.findIndex((segment) => typeof segment === 'string');
  const release = stringStart === -1 ? segments : segments.slice(0, stringStart);
  const prerelease = stringStart === -1 ? [] : segments.slice(stringStart);
  const trim = (part: Segment[]): Segment[] => {
    let end = part.length;
    while (end > 0 && isZero(part[end - 1]!)) end--;
    return part.slice(0, end);
  };
  return [...trim(release), ...trim(prerelease)];
}

function compareSegments(a: Segment[], b: Segment[]): -1 | 0 | 1 {
  const zero: Segment = { number: '0' };
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a[i] ?? zero;
    const right = b[i] ?? zero;
    if (typeof left === 'string') {
      if (typeof right !== 'string') return -1; // a string segment (prerelease) sorts before a number
      if (left !== right) return left < right ? -1 : 1;
    } else {
      if (typeof right === 'string') return 1;
      if (left.number !== right.number) {
        if (left.number.length !== right.number.length) return left.number.length < right.number.length ? -1 : 1;
        return left.number < right.number ? -1 : 1;
      }
    }
  }
  return 0;
}

export const gem: VersionScheme = cachedScheme<Segment[]>('gem', (version) => (VERSION_PATTERN.test(version) ? canonicalSegments(version) : undefined), compareSegments);
