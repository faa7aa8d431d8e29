// The one rule that gives a finding its severity, as Docker Scout assigns it (docs/severity.md):
//   1. The preferred advisory is chosen by package type (preference.ts): the distribution's record for OS
//      packages, the ecosystem's (GitHub's first) for language packages. The first of them that rates (a rating
//      word or a CVSS score) is the preferred advisory.
//   2. Its rating word gives the level, and the CVSS shown beside it is its own or, when it has none, a fallback
//      source's (NVD first): a LOW with CVSS 9.8 is possible, as Docker Scout documents.
//   3. Without a rating word, the level comes from its CVSS score; without any preferred advisory that rates,
//      from the fallback CVSS score; with none anywhere, the level is `unspecified`.
// Pure: no I/O, and an invalid vector anywhere is ignored rather than thrown.
import type { SeverityEntry } from '../advisories/model.ts';
import type { Finding, Rating, SeverityLevel, SourceView } from '../core/finding.ts';
import type { PackageType } from '../core/package.ts';
import { type ChosenCvss, cvssOfEntry, fallbackCvss, newestCvss } from './choose-cvss.ts';
import { candidateAdvisories } from './preference.ts';
import { levelOfRating, levelOfScore } from './scale.ts';

export { levelOfScore, levelOfRating } from './scale.ts';
export { scoreVector, fallbackCvss, newestCvss } from './choose-cvss.ts';
export { candidateAdvisories } from './preference.ts';

/** Who rates for a feed whose records carry no rater of their own (Debian's tracker gives `urgency` only). */
const FEED_RATERS: ReadonlyMap<string, string> = new Map([
  ['debian-tracker', 'debian'],
  ['debian-cve-list', 'debian'],
  ['debian-dsa', 'debian'],
  ['alpine-secdb', 'alpine'],
  ['ubuntu-tracker', 'ubuntu'],
]);

/** The rater of a source view: the feed's (`debian`), its entries' (`ghsa`, `ubuntu`), or its id's prefix (`GO-…` → `go`). */
export function raterOf(view: SourceView): string {
  const prefix = /^([A-Za-z]+)-/.exec(view.id)?.[1]?.toLowerCase();
  return FEED_RATERS.get(view.source) ?? view.severity[0]?.by ?? (prefix !== undefined && prefix !== 'cve' ? prefix : view.source);
}

/** A rating word without a score: a severity entry that carries neither a vector nor a score. */
const isRatingWord = (entry: SeverityEntry): boolean => entry.rating !== undefined && !entry.vector && entry.score === undefined;

/** A view's own rating word that names a level: the package entry's urgency first (Debian, Ubuntu), then its rating entries (GHSA). */
function ownRating(view: SourceView): { rating: string; level: SeverityLevel; by: string } | undefined {
  const urgencyLevel = view.urgency === undefined ? undefined : levelOfRating(view.urgency);
  if (view.urgency !== undefined && urgencyLevel !== undefined) return { rating: view.urgency, level: urgencyLevel, by: raterOf(view) };
  for (const entry of view.severity) {
    const level = isRatingWord(entry) ? levelOfRating(entry.rating as string) : undefined;
    if (level !== undefined) return { rating: entry.rating as string, level, by: entry.by };
  }
  return undefined;
}

/** Every source's ratings, for JSON output: each urgency and each severity entry, with the level it alone would give. */
export function everyRating(views: readonly SourceView[]): Rating['all'] {
  const all: Rating['all'] = [];
  for (const view of views) {
    if (view.urgency !== undefined) {
      all.push({ source: view.source, by: raterOf(view), level: levelOfRating(view.urgency) ?? 'unspecified', rating: view.urgency });
    }
    for (const entry of view.severity) {
      const cvss = cvssOfEntry(entry);
      if (cvss !== undefined) {
        all.push({
          source: view.source,
          by: entry.by,
          level: levelOfScore(cvss.score),
          ...(entry.rating !== undefined ? { rating: entry.rating } : {}),
          cvss: { score: cvss.score, vector: cvss.vector, version: cvss.version },
        });
      } else if (isRatingWord(entry)) {
        all.push({ source: view.source, by: entry.by, level: levelOfRating(entry.rating as string) ?? 'unspecified', rating: entry.rating as string });
      }
      // Left out: entries whose vector is invalid, and scores outside 0–10: they rate nothing.
    }
  }
  return all;
}

function shown(cvss: ChosenCvss): NonNullable<Rating['cvss']> {
  return { score: cvss.score, vector: cvss.vector, version: cvss.version, by: cvss.by };
}

/** The rating of one finding of a package of the given type. */
export function rate(finding: Finding, pkg: { type: PackageType }): Rating {
  const all = everyRating(finding.sources);
  for (const view of candidateAdvisories(finding, pkg.type)) {
    const own = ownRating(view);
    const cvss = newestCvss([view]);
    if (own !== undefined) {
      const beside = cvss ?? fallbackCvss(finding.sources);
      return { level: own.level, by: own.by, rating: own.rating, ...(beside ? { cvss: shown(beside) } : {}), all };
    }
    if (cvss !== undefined) return { level: levelOfScore(cvss.score), by: cvss.by, cvss: shown(cvss), all };
  }
  const fallback = fallbackCvss(finding.sources);
  if (fallback !== undefined) return { level: levelOfScore(fallback.score), by: fallback.by, cvss: shown(fallback), all };
  return { level: 'unspecified', all };
}

/** Rates every finding in place (`rating`), its package type given by `typeOf`; returns the same array. */
export function rateFindings<T extends Finding>(findings: T[], typeOf: (finding: T) => PackageType): T[] {
  for (const finding of findings) finding.rating = rate(finding, { type: typeOf(finding) });
  return findings;
}
