// RubyGems requirement strings (`~> 1.2.3`, `>= 2.0, < 2.1`: Gem::Requirement, rubygems
// lib/rubygems/requirement.rb) read as one interval of Gem::Version order.
import { gem } from '../../../versions/gem/gem.ts';

export class RequirementError extends Error {}

/** One end of an interval; absent means unbounded. */
export interface Bound {
  version: string;
  inclusive: boolean;
}

export interface Interval {
  lower?: Bound;
  upper?: Bound;
}

const CONSTRAINT = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

/** A requirement is a conjunction of comma-separated constraints: the intersection of their intervals. */
export function requirementInterval(requirement: string): Interval {
  let interval: Interval = {};
  for (const constraint of requirement.split(',')) {
    interval = intersect(interval, constraintInterval(constraint, requirement));
  }
  return interval;
}

function constraintInterval(constraint: string, requirement: string): Interval {
  const [, operator = '=', version] = CONSTRAINT.exec(constraint) ?? [];
  if (version === undefined || !gem.valid(version)) {
    throw new RequirementError(`cannot read requirement ${JSON.stringify(requirement)}`);
  }
  switch (operator) {
    case '>=': return { lower: { version, inclusive: true } };
    case '>': return { lower: { version, inclusive: false } };
    case '<': return { upper: { version, inclusive: false } };
    case '<=': return { upper: { version, inclusive: true } };
    case '=': return { lower: { version, inclusive: true }, upper: { version, inclusive: true } };
    case '~>': return { lower: { version, inclusive: true }, upper: { version: pessimisticLimit(version), inclusive: false } };
    default:
      // `!=` is two intervals; no advisory in ruby-advisory-db uses it.
      throw new RequirementError(`requirement ${JSON.stringify(requirement)}: ${operator} is not supported`);
  }
}

/**
 * `~> v` holds for `x >= v && x.release < v.bump` (Gem::Requirement's "~>" op). Gem::Version#bump drops
 * the prerelease segments and the last release segment (when there are two or more) and increments the
 * new last one: `~> 1.2.3` → 1.3, `~> 1.2` → 2, `~> 1` → 2. `x.release < B` is exactly `x < B.A`: `B.A`
 * is the lowest version whose release is B, since a string segment sorts before any number and "A" is
 * the lowest string a version can hold. So the exclusive upper bound `B.A` keeps prereleases of B out,
 * as RubyGems does (a plain `< B` would let 1.3.0.rc1 in).
 */
export function pessimisticLimit(version: string): string {
  const segments = version.replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? ['0'];
  const release: string[] = [];
  for (const segment of segments) {
    if (!/^[0-9]/.test(segment)) break;
    release.push(segment);
  }
  if (release.length > 1) release.pop();
  const last = release.length - 1;
  release[last] = String(BigInt(release[last] ?? '0') + 1n);
  return `${release.join('.')}.A`;
}

export function compareLower(a: Bound | undefined, b: Bound | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  // At the same version an inclusive lower bound starts earlier.
  return gem.compare(a.version, b.version) || (a.inclusive === b.inclusive ? 0 : a.inclusive ? -1 : 1);
}

export function compareUpper(a: Bound | undefined, b: Bound | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  // At the same version an inclusive upper bound ends later.
  return gem.compare(a.version, b.version) || (a.inclusive === b.inclusive ? 0 : a.inclusive ? 1 : -1);
}

function intersect(a: Interval, b: Interval): Interval {
  const interval: Interval = {};
  const lower = compareLower(a.lower, b.lower) >= 0 ? a.lower : b.lower;
  const upper = compareUpper(a.upper, b.upper) <= 0 ? a.upper : b.upper;
  if (lower) interval.lower = lower;
  if (upper) interval.upper = upper;
  return interval;
}

/** Whether the interval holds no version at all (`~> 1.2, >= 2` and the like). */
export function isEmpty(interval: Interval): boolean {
  const { lower, upper } = interval;
  if (!lower || !upper) return false;
  const order = gem.compare(lower.version, upper.version);
  return order > 0 || (order === 0 && !(lower.inclusive && upper.inclusive));
}
