// Semantic Versioning 2.0.0 (https://semver.org) for crates.io and SEMVER ranges, and npm's versions,
// both through node-semver, the reference implementation npm itself uses: `semver` parses strictly,
// `npm` loosely (npm accepts `1.2.3beta`, `=v1.2.3` and other historic spellings in published packages).
// The class and the one function by their own paths: the package's index loads all of node-semver.
import SemVer from 'semver/classes/semver.js';
import nodeSatisfies from 'semver/functions/satisfies.js';
import type { RangeOptions } from 'semver';
import { InvalidVersionError, type VersionScheme } from '../scheme.ts';
import { ParsedCache } from '../parsed-cache.ts';

function parser(loose: boolean): (text: string) => SemVer | undefined {
  return (text) => {
    try {
      return new SemVer(text, { loose });
    } catch {
      return undefined;
    }
  };
}

function semverScheme(name: string, loose: boolean): VersionScheme {
  const cache = new ParsedCache<SemVer>(parser(loose));
  const parsed = (version: string): SemVer => {
    const result = cache.get(version);
    if (result === undefined) throw new InvalidVersionError(name, version);
    return result;
  };
  return {
    name,
    compare: (a, b) => parsed(a).compare(parsed(b)),
    valid: (version) => cache.get(version) !== undefined,
  };
}

export const semver: VersionScheme = semverScheme('semver', false);
export const npm: VersionScheme = semverScheme('npm', true);

/** Whether `version` is in the npm range `range` (`^1.2.0 || >=2.0.0 <2.5.0`), node-semver's `satisfies`. */
export function satisfies(version: string, range: string, options: RangeOptions = {}): boolean {
  return nodeSatisfies(version, range, options);
}
