// The two scales a severity level is read from, kept as data (docs/severity.md):
//   - CVSS scores, on FIRST's qualitative severity rating scale
//     (https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale; v4.0 uses the same
//     bands). Docker Scout applies it to every CVSS version, v2 included, and so does Spyglass: a v2 10.0 is critical
//     here although NVD's own v2 scale stops at HIGH.
//   - the words sources rate with when they give no score: Debian's urgency, Ubuntu's priority, GitHub's and the
//     vendors' ratings.
import type { SeverityLevel } from '../core/finding.ts';

/** The lowest score of each level, highest first. 0.0 is FIRST's "None": no level (`unspecified`). */
export const SCORE_BANDS: readonly { from: number; level: SeverityLevel }[] = [
  { from: 9.0, level: 'critical' },
  { from: 7.0, level: 'high' },
  { from: 4.0, level: 'medium' },
  { from: 0.1, level: 'low' },
];

/**
 * A source's own rating word → level, lower case. Words not listed rate nothing: Debian's `not yet assigned` and
 * `end-of-life`, Ubuntu's `untriaged`, SSVC decision points, anything unknown.
 */
export const RATING_WORDS: ReadonlyMap<string, SeverityLevel> = new Map<string, SeverityLevel>([
  ['critical', 'critical'], // GHSA, Ubuntu, Red Hat, SUSE, OpenSSL
  ['important', 'high'], // Red Hat, SUSE
  ['high', 'high'], // GHSA, Debian, Ubuntu, OpenSSL
  ['moderate', 'medium'], // GHSA, Red Hat, SUSE, OpenSSL
  ['medium', 'medium'], // Debian, Ubuntu
  ['low', 'low'], // everyone
  // Debian's lowest urgency: low, as Trivy maps it (trivy-db pkg/vulnsrc/debian severityFromUrgency); Grype calls it
  // Negligible, a level Spyglass does not have.
  ['unimportant', 'low'],
  ['negligible', 'low'], // Ubuntu's lowest priority
]);

/** The level of a CVSS base score; 0.0, or anything that is not a score (negative, above 10, NaN), is `unspecified`. */
export function levelOfScore(score: number): SeverityLevel {
  if (!Number.isFinite(score) || score > 10) return 'unspecified';
  return SCORE_BANDS.find((band) => score >= band.from)?.level ?? 'unspecified';
}

/**
 * The level of a rating word as a source wrote it (`MODERATE`, `low`, `high**`), or undefined when the word rates
 * nothing. Debian's tracker marks some urgencies with trailing asterisks; they do not change the level.
 */
export function levelOfRating(rating: string): SeverityLevel | undefined {
  return RATING_WORDS.get(rating.trim().toLowerCase().replace(/\*+$/, ''));
}
