// `spyglass quickview`: the image's counts at a glance, and its base image's when known, laid out as
// `docker scout quickview` prints them; then which database was used and how old it is.
import { SEVERITY_LEVELS, type VulnerabilityReport } from '../core/finding.ts';
import type { SeverityCounts } from './counts.ts';
import { formatCounts, humanAge, shortDigest, STALE_DATABASE_HOURS, utcMinute } from './table.ts';

export { countFindings, type SeverityCounts } from './counts.ts';

export interface QuickviewInput {
  target: { name: string; digest?: string; platform?: string; counts: SeverityCounts; packages: number };
  base?: { name: string; digest?: string; counts?: SeverityCounts; packages?: number };
  /** The base's tag at a newer digest, from the base image catalog. */
  refreshed?: RecommendedRow;
  /** Another tag of the base's repository, by the updated-base-image rule. */
  updated?: RecommendedRow;
  /** How many of the policies (the default ones, or --policy-file's) the image meets (docs/policy.md). */
  policy?: { met: number; total: number; policies: { name: string; status: 'met' | 'failed' | 'unknown' }[] };
  database: VulnerabilityReport['database'];
  warnings: string[];
}

/** A recommended base image: its counts and, per severity, the change against the base image row's. */
export interface RecommendedRow {
  name: string;
  digest?: string;
  counts?: SeverityCounts;
  delta?: SeverityCounts;
}

/**
 * The change line under a count line, as Scout prints it: `    -9    -13     -3     +6`, each cell six
 * characters wide under its count cell, blank where nothing changed; the U cell only when it changed.
 */
export function formatDelta(delta: SeverityCounts): string {
  const levels = SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || delta.unspecified !== 0);
  return levels.map((level) => (delta[level] === 0 ? '' : `${delta[level] > 0 ? '+' : ''}${delta[level]}`).padStart(6)).join(' ').trimEnd();
}

export function renderQuickview(input: QuickviewInput, options: { color?: boolean } = {}): string {
  // [label, value, counts or a change line]; counts undefined where Scout leaves the last column empty.
  const rows: [string, string, SeverityCounts | string | undefined][] = [['  Target', input.target.name, input.target.counts]];
  if (input.target.digest) rows.push(['    digest', shortDigest(input.target.digest), undefined]);
  if (input.target.platform) rows.push(['    platform', input.target.platform, undefined]);
  rows.push(['    packages', String(input.target.packages), undefined]);
  const base = input.base;
  if (base) {
    rows.push(['  Base image', base.name, base.counts]);
    if (base.digest) rows.push(['    digest', shortDigest(base.digest), undefined]);
    if (base.packages !== undefined) rows.push(['    packages', String(base.packages), undefined]);
  }
  // Scout's layout: the row's counts, and under them the change per severity (`-9    -13     -3     +6`).
  for (const [label, row] of [['  Refreshed base image', input.refreshed], ['  Updated base image', input.updated]] as const) {
    if (row === undefined) continue;
    rows.push([label, row.name, row.counts]);
    if (row.delta) rows.push(['', '', formatDelta(row.delta)]);
  }
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const lines = rows.map(([label, value, counts]) => {
    const cell = typeof counts === 'string' ? counts : counts ? formatCounts(counts, options.color) : '';
    return `${label.padEnd(labelWidth)}│  ${value.padEnd(valueWidth)}  │${cell}`;
  });

  if (input.policy) {
    const unknown = input.policy.policies.filter((policy) => policy.status === 'unknown').length;
    lines.push('', `  Policy status  ${input.policy.met}/${input.policy.total} policies met${unknown > 0 ? ` (${unknown} unknown)` : ''}`);
  }
  lines.push('', `  ${databaseLine(input.database)}`);
  if (input.database.ageHours > STALE_DATABASE_HOURS) {
    lines.push(`  ! The database is more than ${STALE_DATABASE_HOURS} hours old: run \`spyglass db update\` for current advisories.`);
  }
  for (const warning of input.warnings) lines.push(`  ! ${warning}`);
  return `${lines.join('\n')}\n`;
}

function databaseLine(database: QuickviewInput['database']): string {
  return `Vulnerability database: schema ${database.schemaVersion}, built ${utcMinute(database.builtAt)} (${humanAge(database.ageHours)} ago)`;
}

/** `spyglass quickview --format json`: the same facts, and whether the database is stale. */
export function renderQuickviewJson(input: QuickviewInput): string {
  const document = {
    schemaVersion: 1,
    target: input.target,
    ...(input.base ? { base: input.base } : {}),
    ...(input.refreshed ? { refreshed: input.refreshed } : {}),
    ...(input.updated ? { updated: input.updated } : {}),
    ...(input.policy ? { policy: input.policy } : {}),
    database: { ...input.database, stale: input.database.ageHours > STALE_DATABASE_HOURS },
    warnings: input.warnings,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
