// Which CVSS score a finding shows: within one source the newest CVSS version that scores, and, when the
// preferred advisory has none, the first fallback source that has one (docs/severity.md, "Which CVSS").
import { checkCvssVector, scoreCvss } from '../advisories/cvss.ts';
import type { CvssVersion, SeverityEntry } from '../advisories/model.ts';
import type { SourceView } from '../core/finding.ts';

/**
 * Newest first. Docker Scout prefers v4 to v3 once it has chosen a source (docs.docker.com/scout/deep-dive/
 * advisory-db-sources, "Severity and scoring priority"); Grype orders one source's NVD metrics the same way
 * (v4 > v3 > v2, grype/db/internal/provider/unmarshal/nvd/cve.go CvssSummaries.Less).
 */
export const CVSS_VERSION_PREFERENCE: readonly CvssVersion[] = ['4.0', '3.1', '3.0', '2.0'];

/** CISA's Authorized Data Publisher: `cisa-adp` in vulnrichment records, its organisation id where NVD relays it. */
const CISA_ADP = new Set(['cisa-adp', '134c704f-9b21-4f2e-91b3-4a467353bcc0']);

/**
 * Where a fallback CVSS score is looked for, in order; the first tier holding one that scores wins. NVD's own
 * analysis first (Docker Scout falls back to NIST's scoring when the vendor gives none), then CISA's ADP scores,
 * then the CNA's own (vulnrichment's CNA container, NVD's secondary metrics), then whatever else carries a CVSS
 * (another ecosystem's advisory, RubySec's scores).
 */
export const FALLBACK_TIERS: readonly { name: string; holds: (view: SourceView, entry: SeverityEntry) => boolean }[] = [
  { name: 'NVD', holds: (view, entry) => view.source === 'nvd' && entry.by === 'nvd' },
  { name: 'CISA ADP', holds: (view, entry) => (view.source === 'vulnrichment' || view.source === 'nvd') && CISA_ADP.has(entry.by) },
  { name: 'CNA', holds: (view) => view.source === 'vulnrichment' || view.source === 'nvd' },
  { name: 'any other source', holds: () => true },
];

export interface CvssScore {
  score: number;
  /** As scored (a v2 vector without surrounding parentheses); empty when the source stored a score without a vector. */
  vector: string;
  version: CvssVersion;
}

/** A CVSS score with who published it: the feed (`nvd`, `osv`…) and the rater within it (`nvd`, `ghsa`, `cisa-adp`…). */
export interface ChosenCvss extends CvssScore {
  source: string;
  by: string;
}

/** The base score of a v2, v3.0, v3.1 or v4.0 vector; undefined for anything that is not a valid vector. Never throws. */
export function scoreVector(vector: string): CvssScore | undefined {
  if (typeof vector !== 'string' || vector.trim() === '') return undefined;
  try {
    const scored = scoreCvss(vector);
    return { score: scored.score, vector: scored.vector, version: scored.version };
  } catch {
    return undefined;
  }
}

/**
 * The CVSS score of one severity entry: its vector, scored, when it has one (an invalid vector makes the entry
 * score nothing, whatever score was stored beside it); else a score stored without a vector (RubySec), as is.
 */
export function cvssOfEntry(entry: SeverityEntry): CvssScore | undefined {
  if (entry.vector) {
    // A score the database stored with its vector (the source's own, or computed at ingest) is used as
    // is once the vector's structure checks out; only an unscored vector is scored here.
    if (typeof entry.score === 'number' && Number.isFinite(entry.score) && entry.score >= 0 && entry.score <= 10) {
      try {
        const checked = checkCvssVector(entry.vector);
        if (entry.cvssVersion === undefined || entry.cvssVersion === checked.version) return { score: entry.score, vector: checked.text, version: checked.version };
      } catch {
        return undefined;
      }
    }
    return scoreVector(entry.vector);
  }
  const { score, cvssVersion } = entry;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10 || cvssVersion === undefined) return undefined;
  return { score, vector: '', version: cvssVersion };
}

/** Among the entries `holds` accepts, the one of the newest CVSS version that scores (the first one listed on a tie). */
export function newestCvss(views: readonly SourceView[], holds: (view: SourceView, entry: SeverityEntry) => boolean = () => true): ChosenCvss | undefined {
  let best: ChosenCvss | undefined;
  let bestRank = CVSS_VERSION_PREFERENCE.length;
  for (const view of views) {
    for (const entry of view.severity) {
      if (!holds(view, entry)) continue;
      const cvss = cvssOfEntry(entry);
      if (cvss === undefined) continue;
      const rank = CVSS_VERSION_PREFERENCE.indexOf(cvss.version);
      if (rank < bestRank) {
        best = { ...cvss, source: view.source, by: entry.by };
        bestRank = rank;
      }
    }
  }
  return best;
}

/** The CVSS score of the first fallback tier that has one. */
export function fallbackCvss(views: readonly SourceView[]): ChosenCvss | undefined {
  for (const tier of FALLBACK_TIERS) {
    const found = newestCvss(views, tier.holds);
    if (found) return found;
  }
  return undefined;
}
