// How a finding's facts read in every human format (text and Markdown alike).
import type { Finding, Suppression } from '../core/finding.ts';
import type { EpssEntry, KevEntry } from '../advisories/model.ts';

/** `4.17.21`, `1.2.4, 2.0.1`, `not fixed`, or `not fixed (no-dsa: Minor issue)`. */
export function fixedVersionText(finding: Finding): string {
  if (finding.status === 'fixed' && finding.fixedVersions.length > 0) return finding.fixedVersions.join(', ');
  return finding.statusReason ? `not fixed (${finding.statusReason})` : 'not fixed';
}

/** `7.5`, `10.0`. */
export function scoreText(score: number): string {
  return score.toFixed(1);
}

/** Scout's EPSS wording: `0.04%` and `9th percentile`. */
export function epssScoreText(epss: EpssEntry): string {
  return `${(epss.score * 100).toFixed(2)}%`;
}

export function epssPercentileText(epss: EpssEntry): string {
  const n = Math.floor(epss.percentile * 100);
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix} percentile`;
}

/** `added 2023-11-21, due 2023-12-12`. */
export function kevText(kev: KevEntry): string {
  return `added ${kev.dateAdded}${kev.dueDate ? `, due ${kev.dueDate}` : ''}${kev.knownRansomwareCampaignUse === 'Known' ? ', used in ransomware campaigns' : ''}`;
}

/** Scout's VEX line: `not_affected [vulnerable_code_not_in_execute_path]`, or `ignored [accepted risk]` (ignore file). */
export function suppressionStatusText(suppression: Suppression): string {
  return suppression.reason ? `${suppression.status} [${suppression.reason}]` : suppression.status;
}
