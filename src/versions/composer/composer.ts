// Composer (PHP) versions: composer/semver's Comparator on versions normalised the way Semver::sort
// does (VersionParser::normalize, then normalizeDefaultBranch), i.e. PHP's version_compare() on
// `1.2.0.0-beta2`-style strings. Packagist advisories (FriendsOfPHP, GHSA) use this order.
import { ParsedCache } from '../parsed-cache.ts';
import { InvalidVersionError, type VersionScheme } from '../scheme.ts';
import { normalizeComposerVersion, normalizeDefaultBranch } from './normalize.ts';
import { phpVersionCompare } from './version-compare.ts';

const cache = new ParsedCache<string>((version) => {
  const form = normalizeComposerVersion(version);
  return form === undefined ? undefined : normalizeDefaultBranch(form);
});

function required(version: string): string {
  const form = cache.get(version);
  if (form === undefined) throw new InvalidVersionError('composer', version);
  return form;
}

export const composer: VersionScheme = {
  name: 'composer',
  compare(a, b) {
    const left = required(a);
    const right = required(b);
    if (left === right) return 0;
    // Composer defines no order between two different `dev-*` branches (Constraint::versionCompare
    // answers false to <, > and ==); name order keeps sorting total and deterministic.
    if (left.startsWith('dev-') && right.startsWith('dev-')) return left < right ? -1 : 1;
    const result = phpVersionCompare(left, right);
    return result < 0 ? -1 : result > 0 ? 1 : 0;
  },
  valid(version) {
    return cache.get(version) !== undefined;
  },
};
