// One source's verdict on one installed version: whether it is affected (OSV range semantics in
// versions/range.ts), which fixes lie above it, and the affected range in one line for people.
import type { AffectedPackage, VersionRange } from '../advisories/model.ts';
import { affectedBy } from '../versions/range.ts';
import type { VersionScheme } from '../versions/scheme.ts';

type Row = Pick<AffectedPackage, 'status' | 'ranges' | 'versions' | 'fixedVersions'>;

function safeCompare(scheme: VersionScheme, a: string, b: string): number | undefined {
  try {
    return scheme.compare(a, b);
  } catch {
    return undefined;
  }
}

function safeAffected(version: string, ranges: VersionRange[], scheme: VersionScheme): boolean {
  try {
    return affectedBy(version, { ranges }, scheme);
  } catch {
    // An event version the scheme cannot read: ingesters skip such records, so this range says nothing.
    return false;
  }
}

const versionRanges = (row: Row) => row.ranges.filter((range) => range.type !== 'GIT');

/**
 * Whether `installed` is affected by `row`. Explicit `versions` lists and ranges follow OSV; a row with
 * neither is a distribution's open issue (affected, whatever the version) unless it says `fixed`, when
 * the installed version must be below one of its fixed versions. A language record with neither names no
 * version at all and matches nothing.
 */
export function rowAffects(installed: string, row: Row & { namespace?: string }, scheme: VersionScheme): { affected: boolean; byVersionList: boolean } {
  if (row.versions?.includes(installed)) return { affected: true, byVersionList: true };
  const ranges = versionRanges(row);
  if (ranges.length > 0) return { affected: safeAffected(installed, ranges, scheme), byVersionList: false };
  if (row.versions !== undefined && row.versions.length > 0) return { affected: false, byVersionList: false };
  if (row.status === 'fixed') {
    return { affected: row.fixedVersions.some((fixed) => (safeCompare(scheme, installed, fixed) ?? 1) < 0), byVersionList: false };
  }
  const distribution = row.namespace === undefined || row.namespace.includes(':');
  return { affected: distribution, byVersionList: false };
}

interface Interval {
  /** Undefined: from the first version. */
  from?: string;
  /** Undefined: no upper bound (no fix yet). */
  end?: { kind: 'fixed' | 'last_affected'; version: string };
  /** The range's `limit`, for an interval with no end. */
  limit?: string;
}

const isZero = (version: string) => version === '0';

/** A range's events in version order (as versions/range.ts applies them), as affected intervals. */
function intervalsOf(range: VersionRange, scheme: VersionScheme): Interval[] {
  const events = range.events
    .map((event) =>
      'introduced' in event ? { kind: 'introduced' as const, version: event.introduced }
        : 'fixed' in event ? { kind: 'fixed' as const, version: event.fixed }
          : 'last_affected' in event ? { kind: 'last_affected' as const, version: event.last_affected }
            : undefined,
    )
    .filter((event) => event !== undefined)
    .sort((a, b) => {
      const za = a.kind === 'introduced' && isZero(a.version);
      const zb = b.kind === 'introduced' && isZero(b.version);
      if (za || zb) return za === zb ? 0 : za ? -1 : 1;
      return safeCompare(scheme, a.version, b.version) ?? 0;
    });
  const intervals: Interval[] = [];
  let current: Interval | undefined;
  for (const event of events) {
    if (event.kind === 'introduced') {
      if (current === undefined) current = isZero(event.version) ? {} : { from: event.version };
    } else if (current !== undefined) {
      intervals.push({ ...current, end: { kind: event.kind, version: event.version } });
      current = undefined;
    }
  }
  if (current !== undefined) intervals.push(current);
  return intervals;
}

function contains(interval: Interval, installed: string, scheme: VersionScheme): boolean {
  if (interval.from !== undefined && (safeCompare(scheme, installed, interval.from) ?? -1) < 0) return false;
  if (interval.end === undefined) return interval.limit === undefined || (safeCompare(scheme, installed, interval.limit) ?? 1) < 0;
  const order = safeCompare(scheme, installed, interval.end.version) ?? 1;
  return interval.end.kind === 'fixed' ? order < 0 : order <= 0;
}

/** The intervals of `row` that contain `installed`; every interval when `installed` is not given. */
function containingIntervals(row: Row, scheme: VersionScheme, installed?: string): Interval[] {
  const all = versionRanges(row).flatMap((range) => {
    // A `limit` bounds an interval that has no fix (a release inheriting unstable's fix): shown, not a fix.
    const limit = range.events.flatMap((event) => ('limit' in event && event.limit !== '*' ? [event.limit] : []))[0];
    return intervalsOf(range, scheme).map((interval) => (interval.end === undefined && limit !== undefined ? { ...interval, limit } : interval));
  });
  return installed === undefined ? all : all.filter((interval) => contains(interval, installed, scheme));
}

/** The versions that fix `installed`: the end of each affected interval holding it, lowest first. */
export function fixesAbove(installed: string, row: Row, scheme: VersionScheme): string[] {
  const candidates = versionRanges(row).length > 0
    ? containingIntervals(row, scheme, installed).flatMap((interval) => (interval.end?.kind === 'fixed' ? [interval.end.version] : []))
    : row.status === 'fixed' ? row.fixedVersions : [];
  const above = [...new Set(candidates)].filter((fixed) => (safeCompare(scheme, installed, fixed) ?? 1) < 0);
  return above.sort((a, b) => safeCompare(scheme, a, b) ?? 0);
}

function describe(interval: Interval): string {
  const end = interval.end === undefined ? (interval.limit === undefined ? undefined : `< ${interval.limit}`) : `${interval.end.kind === 'fixed' ? '<' : '<='} ${interval.end.version}`;
  if (interval.from === undefined) return end ?? 'all versions';
  return end === undefined ? `>= ${interval.from}` : `>= ${interval.from}, ${end}`;
}

/** The affected range in one line: the intervals containing `installed` when known, else all of them. */
export function describeRange(row: Row, installed?: string, scheme?: VersionScheme): string {
  if (row.versions !== undefined && installed !== undefined && row.versions.includes(installed)) return `= ${installed}`;
  let intervals = scheme === undefined ? [] : containingIntervals(row, scheme, installed);
  if (intervals.length === 0 && scheme !== undefined) intervals = containingIntervals(row, scheme);
  const described = intervals.map(describe);
  if (described.length === 0) {
    if (row.status === 'fixed' && row.fixedVersions.length > 0) return row.fixedVersions.map((fixed) => `< ${fixed}`).join(' || ');
    return 'all versions';
  }
  return [...new Set(described)].join(' || ');
}
