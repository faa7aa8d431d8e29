// ruby-advisory-db says which versions are safe (`patched_versions`, `unaffected_versions`: lists of
// RubyGems requirements, any of which makes a version safe); a version is affected when it meets none.
// Here that complement becomes one OSV range in the ECOSYSTEM (RubyGems) order.
import { gem } from '../../../versions/gem/gem.ts';
import type { RangeEvent, VersionRange } from '../../model.ts';
import { compareLower, compareUpper, isEmpty, requirementInterval, type Interval } from './requirement.ts';

/**
 * The affected range, and whether it is exact. OSV events cannot start an affected stretch just after a
 * version (a safe `<= v` or `= v` ends at v inclusive, and Gem::Version order has no next version): such
 * a stretch starts AT v here, so v itself is reported affected too — `exact: false`, and the requirement
 * strings kept beside the range let a matcher decide exactly.
 */
export function affectedRange(safeRequirements: string[]): { range: VersionRange; exact: boolean } {
  const safe = safeRequirements.map(requirementInterval).filter((interval) => !isEmpty(interval));
  safe.sort((a, b) => compareLower(a.lower, b.lower));
  const events: RangeEvent[] = [];
  let exact = true;
  // Where the current affected stretch starts (inclusive); undefined once a safe interval runs to the end.
  let affectedFrom: string | undefined = '0';
  for (const interval of merge(safe)) {
    if (interval.lower) {
      events.push({ introduced: affectedFrom! });
      events.push(interval.lower.inclusive ? { fixed: interval.lower.version } : { last_affected: interval.lower.version });
    }
    if (!interval.upper) {
      affectedFrom = undefined;
      break;
    }
    if (interval.upper.inclusive) exact = false;
    affectedFrom = interval.upper.version;
  }
  if (affectedFrom !== undefined) events.push({ introduced: affectedFrom });
  // Every version safe (a safe `>= 0`): the schema needs an introduced event; fixed at 0 matches none.
  if (events.length === 0) events.push({ introduced: '0' }, { fixed: '0' });
  return { range: { type: 'ECOSYSTEM', events }, exact };
}

/** Intervals sorted by lower bound, merged where they overlap or touch: the gaps are the affected stretches. */
function merge(sorted: Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (!last || !touches(last, interval)) {
      merged.push({ ...interval });
    } else if (compareUpper(interval.upper, last.upper) > 0) {
      if (interval.upper) last.upper = interval.upper;
      else delete last.upper;
    }
  }
  return merged;
}

/** Whether `next` starts inside `last` or right where it ends. */
function touches(last: Interval, next: Interval): boolean {
  if (!last.upper || !next.lower) return true;
  const order = gem.compare(last.upper.version, next.lower.version);
  // At the same version: [.., v) and [v, ..) touch; [.., v) and (v, ..) leave v itself affected.
  return order > 0 || (order === 0 && (last.upper.inclusive || next.lower.inclusive));
}
