// OSV's affected-version evaluation (https://ossf.github.io/osv-schema/#evaluation): a version is
// affected when it is listed in `versions`, or when some non-GIT range includes it and it is below one
// of that range's limits. Within a range, events are applied in version order: `introduced` turns
// "affected" on at its version ("0" = from the start), `fixed` off at its version (exclusive),
// `last_affected` off after its version (inclusive).
import type { AffectedPackage, RangeEvent, VersionRange } from '../advisories/model.ts';
import type { VersionScheme } from './scheme.ts';
import { semver } from './semver/semver.ts';

export type Affected = Pick<AffectedPackage, 'ranges' | 'versions'>;

interface Event {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  version: string;
}

function eventOf(event: RangeEvent): Event {
  if ('introduced' in event) return { kind: 'introduced', version: event.introduced };
  if ('fixed' in event) return { kind: 'fixed', version: event.fixed };
  if ('last_affected' in event) return { kind: 'last_affected', version: event.last_affected };
  return { kind: 'limit', version: event.limit };
}

/** `introduced: "0"` means "from the first version"; it is below everything and never compared. */
function isZero(event: Event): boolean {
  return event.kind === 'introduced' && event.version === '0';
}

interface Prepared {
  scheme: VersionScheme;
  sorted: Event[];
  limits: string[];
}

// A range's events are sorted once per scheme: matching evaluates the same ranges for many versions.
const prepared = new WeakMap<VersionRange, Prepared>();

function prepare(range: VersionRange, scheme: VersionScheme): Prepared {
  const hit = prepared.get(range);
  if (hit !== undefined && hit.scheme === scheme) return hit;
  const events = range.events.map(eventOf);
  // Array.prototype.sort is stable, so events at the same version keep the order they were written in
  // (`fixed: 2` then `introduced: 2` joins two ranges; `introduced: 2` then `fixed: 2` is empty).
  const sorted = events
    .filter((event) => event.kind !== 'limit')
    .sort((a, b) => (isZero(a) ? (isZero(b) ? 0 : -1) : isZero(b) ? 1 : scheme.compare(a.version, b.version)));
  const limits = events.filter((event) => event.kind === 'limit').map((event) => event.version);
  const result = { scheme, sorted, limits };
  prepared.set(range, result);
  return result;
}

/** The spec's `includes(v, range.events)`. */
function includes(version: string, sorted: Event[], scheme: VersionScheme): boolean {
  let affected = false;
  for (const event of sorted) {
    if (event.kind === 'introduced') {
      if (isZero(event) || scheme.compare(version, event.version) >= 0) affected = true;
    } else if (event.kind === 'fixed') {
      if (scheme.compare(version, event.version) >= 0) affected = false;
    } else if (scheme.compare(version, event.version) > 0) {
      affected = false;
    }
  }
  return affected;
}

/** The spec's `before_limits`: no limit, or below one of them (`*` is no bound). */
function beforeLimits(version: string, limits: string[], scheme: VersionScheme): boolean {
  return limits.length === 0 || limits.some((limit) => limit === '*' || scheme.compare(version, limit) < 0);
}

/**
 * The scheme a range's versions are compared with: SEMVER ranges are semver in every ecosystem. Go's
 * scheme is already SemVer 2.0's order (x/mod/semver) and also reads the toolchain's `go1.21.3` that
 * Go binaries report for the standard library, so Go keeps its own.
 */
function rangeScheme(range: VersionRange, ecosystemScheme: VersionScheme): VersionScheme {
  return range.type === 'SEMVER' && ecosystemScheme.name !== 'go' ? semver : ecosystemScheme;
}

/**
 * Whether `version` (of a package in a namespace whose scheme is `scheme`) is affected. GIT ranges
 * are never matched (they name commits, not releases). Throws InvalidVersionError when `version` or an
 * event's version cannot be read by the scheme; `invalidRangeVersion` lets an ingester check first.
 */
export function affectedBy(version: string, affected: Affected, scheme: VersionScheme): boolean {
  if (affected.versions !== undefined && affected.versions.includes(version)) return true;
  for (const range of affected.ranges) {
    if (range.type === 'GIT') continue;
    const rangeVersionScheme = rangeScheme(range, scheme);
    const { sorted, limits } = prepare(range, rangeVersionScheme);
    if (includes(version, sorted, rangeVersionScheme) && beforeLimits(version, limits, rangeVersionScheme)) return true;
  }
  return false;
}

/** The first event version in `affected` its scheme cannot read (ingesters skip such records), or undefined. */
export function invalidRangeVersion(affected: Affected, scheme: VersionScheme): string | undefined {
  for (const range of affected.ranges) {
    if (range.type === 'GIT') continue;
    const rangeVersionScheme = rangeScheme(range, scheme);
    for (const event of range.events.map(eventOf)) {
      if (isZero(event) || (event.kind === 'limit' && event.version === '*')) continue;
      if (!rangeVersionScheme.valid(event.version)) return event.version;
    }
  }
  return undefined;
}
