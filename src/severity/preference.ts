// Which of a finding's source records speaks first for a package, by package type (docs/severity.md, "The
// rule"). Docker Scout ranks advisories by the type of the affected package, the distribution maintainer's
// rating first for OS packages (docs.docker.com/scout/explore/analysis, "Vulnerability severity assessment").
import type { Finding, SourceView } from '../core/finding.ts';
import type { PackageType } from '../core/package.ts';

interface AdvisoryKind {
  is: (view: SourceView) => boolean;
  /**
   * Recognisable only as a record that matched the package: a distribution's OSV record, PyPA's or Go's, which
   * a finding may also hold for another package of the same CVE.
   */
  matchedOnly: boolean;
}

const isGhsa = (view: SourceView): boolean => view.source === 'osv' && /^GHSA-/i.test(view.id);

export const ADVISORY_KINDS = {
  /** The record that matched an OS package in its distribution's namespace (Debian's tracker, an AlmaLinux or Ubuntu OSV record…). */
  distribution: { is: (view) => !isGhsa(view), matchedOnly: true },
  'debian-tracker': { is: (view) => view.source === 'debian-tracker' || view.source === 'debian-cve-list', matchedOnly: false },
  'alpine-secdb': { is: (view) => view.source === 'alpine-secdb', matchedOnly: false },
  'ubuntu-tracker': { is: (view) => view.source === 'ubuntu-tracker', matchedOnly: false },
  /** GitHub's advisory (OSV `GHSA-…`): its `database_specific.severity` is the ecosystem's rating Docker Scout shows. */
  ghsa: { is: isGhsa, matchedOnly: false },
  /** The ecosystem's other OSV records: Go's `GO-…`, PyPA's `PYSEC-…`, RustSec's `RUSTSEC-…`. */
  'ecosystem-osv': { is: (view) => view.source === 'osv' && !isGhsa(view), matchedOnly: true },
  rubysec: { is: (view) => view.source === 'rubysec', matchedOnly: false },
  friendsofphp: { is: (view) => view.source === 'friendsofphp', matchedOnly: false },
} as const satisfies Record<string, AdvisoryKind>;

export type AdvisoryKindName = keyof typeof ADVISORY_KINDS;

const LANGUAGE: readonly AdvisoryKindName[] = ['ghsa', 'ecosystem-osv'];

/** Per package type, the kinds of advisory that speak for it, most preferred first. */
export const PREFERENCE: Readonly<Record<PackageType, readonly AdvisoryKindName[]>> = {
  deb: ['distribution', 'debian-tracker', 'ubuntu-tracker'],
  apk: ['distribution', 'alpine-secdb'],
  rpm: ['distribution'],
  npm: LANGUAGE,
  pypi: LANGUAGE,
  maven: LANGUAGE,
  nuget: LANGUAGE,
  golang: LANGUAGE,
  cargo: LANGUAGE,
  gem: [...LANGUAGE, 'rubysec'],
  composer: [...LANGUAGE, 'friendsofphp'],
};

/** The finding's source views that matched its package, in the order of `Finding.matches` (the preferred match first). */
export function matchedViews(finding: Finding): SourceView[] {
  const views: SourceView[] = [];
  for (const match of finding.matches) {
    const view = finding.sources.find((candidate) => candidate.source === match.source && candidate.id === match.advisoryId);
    if (view && !views.includes(view)) views.push(view);
  }
  return views;
}

/**
 * The advisories that may speak for the package, most preferred first, each once. Only records that matched the
 * package count when the finding says which did; a finding without `matches` (built by hand, or by a tool that
 * does not record them) falls back to every view of the kinds recognisable by their feed alone.
 */
export function candidateAdvisories(finding: Finding, type: PackageType): SourceView[] {
  const matched = matchedViews(finding);
  const anyMatch = finding.matches.length > 0;
  const candidates: SourceView[] = [];
  for (const name of PREFERENCE[type] ?? []) {
    const kind: AdvisoryKind = ADVISORY_KINDS[name];
    const pool = anyMatch ? matched : kind.matchedOnly ? [] : finding.sources;
    for (const view of pool) if (kind.is(view) && !candidates.includes(view)) candidates.push(view);
  }
  return candidates;
}
