// `spyglass quickview`: the image's counts at a glance, and its base image's when known, laid out as
// `docker scout quickview` prints them; then which database was used and how old it is.
import type { VulnerabilityReport } from '../core/finding.ts';
import type { SeverityCounts } from './counts.ts';
import { formatCounts, humanAge, shortDigest, STALE_DATABASE_HOURS, utcMinute } from './table.ts';

export { countFindings, type SeverityCounts } from './counts.ts';

export interface QuickviewInput {
  target: { name: string; digest?: string; platform?: string; counts: SeverityCounts; packages: number };
  base?: { name: string; digest?: string; counts?: SeverityCounts; packages?: number };
  database: VulnerabilityReport['database'];
  warnings: string[];
}

export function renderQuickview(input: QuickviewInput, options: { color?: boolean } = {}): string {
  // [label, value, counts]; counts undefined where Scout leaves the last column empty.
  const rows: [string, string, SeverityCounts | undefined][] = [['  Target', input.target.name, input.target.counts]];
  if (input.target.digest) rows.push(['    digest', shortDigest(input.target.digest), undefined]);
  if (input.target.platform) rows.push(['    platform', input.target.platform, undefined]);
  rows.push(['    packages', String(input.target.packages), undefined]);
  const base = input.base;
  if (base) {
    rows.push(['  Base image', base.name, base.counts]);
    if (base.digest) rows.push(['    digest', shortDigest(base.digest), undefined]);
    if (base.packages !== undefined) rows.push(['    packages', String(base.packages), undefined]);
  }
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const lines = rows.map(([label, value, counts]) => `${label.padEnd(labelWidth)}│  ${value.padEnd(valueWidth)}  │${counts ? formatCounts(counts, options.color) : ''}`);

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
    database: { ...input.database, stale: input.database.ageHours > STALE_DATABASE_HOURS },
    warnings: input.warnings,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
