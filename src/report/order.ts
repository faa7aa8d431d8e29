// The one order every format lists things in: most severe first.
import { SEVERITY_LEVELS, type Finding, type SeverityLevel } from '../core/finding.ts';
import type { SeverityCounts } from './counts.ts';

export function levelOf(finding: Finding): SeverityLevel {
  return finding.rating?.level ?? 'unspecified';
}

export function cvssScoreOf(finding: Finding): number | undefined {
  return finding.rating?.cvss?.score;
}

/** Severity (SEVERITY_LEVELS order), then CVSS score, highest first (none last), then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_LEVELS.indexOf(levelOf(a)) - SEVERITY_LEVELS.indexOf(levelOf(b))
    || (cvssScoreOf(b) ?? -1) - (cvssScoreOf(a) ?? -1)
    || compareText(a.id, b.id);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** More critical first, then more high, … down to unspecified. */
export function compareCounts(a: SeverityCounts, b: SeverityCounts): number {
  for (const level of SEVERITY_LEVELS) if (a[level] !== b[level]) return b[level] - a[level];
  return 0;
}

/** Locale-independent, so the same report renders the same everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
