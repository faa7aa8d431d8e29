// What every feed ingester produces and the store keeps: each source's own view of an advisory,
// normalised to OSV's vocabulary (https://ossf.github.io/osv-schema/) so that matching reads one shape.

/** Where a package lives for matching: a distribution release or a language ecosystem. */
export type Namespace = string; // 'debian:11', 'alpine:3.18', 'ubuntu:22.04', 'npm', 'pypi', 'go', 'crates.io', 'maven', 'rubygems', 'nuget', 'packagist'

/** One OSV range event; exactly one key is set. */
export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface VersionRange {
  /** `ECOSYSTEM` (the namespace's own scheme), `SEMVER`, or `GIT` (kept, never matched). */
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

/**
 * A distribution's (or ecosystem's) verdict for one package. `fixed`: affected below the fixed
 * version; `affected`: affected, no fix yet; `not-affected`: never affected; the rest are Debian's and
 * others' reasons why a known issue is left unfixed in a release.
 */
export type AffectedStatus = 'fixed' | 'affected' | 'not-affected' | 'will-not-fix' | 'no-dsa' | 'postponed' | 'end-of-life' | 'ignored';

export interface AffectedPackage {
  namespace: Namespace;
  /** The package as the source names it: Debian's and Alpine's *source* package, the ecosystem's package name. */
  packageName: string;
  status: AffectedStatus;
  /** Why (Debian's `nodsa` reason, an end-of-life note…). */
  statusReason?: string;
  ranges: VersionRange[];
  /** Explicitly listed affected versions (OSV `versions`). */
  versions?: string[];
  /** Every version that fixes it, for display. */
  fixedVersions: string[];
  /** Debian's urgency (`low`, `unimportant`, …) or another source's own rating for this package. */
  urgency?: string;
  /**
   * The rpm modularity stream the row is about, `name:stream` (`ruby:3.3`), for sources that say so (Red Hat
   * CSAF, Rocky errata); `''` when the source says the package is built outside any module. Undefined: the
   * source does not say, and the row applies whatever the installed package's MODULARITYLABEL.
   */
  module?: string;
}

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface SeverityEntry {
  /** Who rated it: `nvd`, `debian`, `ghsa`, a CNA short name, `cisa-adp`… */
  by: string;
  /** CVSS vector and version, when there is one. */
  cvssVersion?: CvssVersion;
  vector?: string;
  score?: number;
  /** A rating without a score (GHSA's `moderate`, Debian's urgency, Alpine none): kept as written. */
  rating?: string;
}

export interface Advisory {
  /** The feed it came from: `osv`, `debian-tracker`, `debian-dsa`, `alpine-secdb`, `nvd`, `vulnrichment`, `rubysec`, `friendsofphp`. */
  source: string;
  /** The advisory's id in that source (`CVE-…`, `GHSA-…`, `GO-…`, `DSA-…`). */
  id: string;
  aliases: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
  severity: SeverityEntry[];
  references: string[];
  affected: AffectedPackage[];
}

/** CISA's Known Exploited Vulnerabilities catalog entry. */
export interface KevEntry {
  cve: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
  vendorProject?: string;
  product?: string;
  name?: string;
}

/** FIRST's EPSS score for a CVE on a date, with the model version from the CSV header. */
export interface EpssEntry {
  cve: string;
  score: number;
  percentile: number;
  date: string;
  modelVersion?: string;
}

/** A record a feed could not read: counted per source and shown by `db status`. */
export interface SkippedRecord {
  source: string;
  /** File (and entry) where it was. */
  where: string;
  reason: string;
}

/** Where an ingester puts what it reads. Calls may come in any order; the store batches them. */
export interface RecordSink {
  advisory(advisory: Advisory): void;
  kev(entry: KevEntry): void;
  epss(entry: EpssEntry): void;
  skipped(record: Omit<SkippedRecord, 'source'>): void;
}
