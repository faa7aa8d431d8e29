// Findings counted by severity, as every summary shows them (Scout's `1C 2H 8M 1L`).
import type { Finding, SeverityLevel } from '../core/finding.ts';
import { levelOf } from './order.ts';

export type SeverityCounts = Record<SeverityLevel, number>;

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unspecified: 0 };
}

/** One per finding (a vulnerability in two packages counts twice, as Scout counts); suppressed findings are not counted. */
export function countFindings(findings: readonly Finding[]): SeverityCounts {
  const counts = emptyCounts();
  for (const finding of findings) if (!finding.suppressed) counts[levelOf(finding)] += 1;
  return counts;
}

export function totalOf(counts: SeverityCounts): number {
  return counts.critical + counts.high + counts.medium + counts.low + counts.unspecified;
}
