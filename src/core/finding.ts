// What matching produces and every report format reads: one finding per (package, vulnerability),
// with every source's view of the vulnerability kept, the reason it matched, and the rating severity/
// gives it. match/ makes Findings, severity/ rates them, report/ renders a VulnerabilityReport.
import type { AffectedStatus, CvssVersion, EpssEntry, KevEntry, SeverityEntry } from '../advisories/model.ts';
import type { Distro, Package } from './package.ts';
import type { SbomSource } from './sbom.ts';

/** Severity levels, most severe first; `unspecified` when no source gives a score or a rating. */
export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'unspecified';

export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['critical', 'high', 'medium', 'low', 'unspecified'];

/** Why a package matched one source's record: enough for `--details` to explain it. */
export interface MatchReason {
  /** The feed (`debian-tracker`, `alpine-secdb`, `osv`, …) and its advisory id. */
  source: string;
  advisoryId: string;
  /** Where it was looked up: `debian:11` + the source package, `npm` + the package name. */
  namespace: string;
  packageName: string;
  /** Which rule matched: `distro-source-package`, `distro-binary-package`, `ecosystem-range`, `ecosystem-version-list`, `go-stdlib`. */
  rule: string;
  /** The version compared (the source package's version for distribution packages). */
  installedVersion: string;
  /** The source's verdict for the package. */
  status: AffectedStatus;
  statusReason?: string;
  /** The comparison in words, e.g. `1.1.1w-0+deb11u1 < 1.1.1w-0+deb11u2 (deb)` or `no fix in debian:11`. */
  comparison: string;
  /** The affected range as the source gives it, in one line: `< 4.17.21`, `>= 1.0.0, < 1.2.3`, `all versions`. */
  affectedRange: string;
  fixedVersions: string[];
}

/** One source's record of the vulnerability (a Debian tracker entry, the NVD record, a GHSA…). */
export interface SourceView {
  source: string;
  id: string;
  aliases: string[];
  summary?: string;
  published?: string;
  modified?: string;
  severity: SeverityEntry[];
  references: string[];
  /** Debian's urgency (or another distribution's rating) of this package's entry, when the source gives one. */
  urgency?: string;
}

/** A finding's rating, chosen by severity/rate() (docs/severity.md). */
export interface Rating {
  level: SeverityLevel;
  /** Who the shown rating comes from (`debian`, `ghsa`, `nvd`…) and the rating as that source wrote it. */
  by?: string;
  rating?: string;
  /** The CVSS shown beside it: the preferred source's own, else a fallback source's (NVD first). */
  cvss?: { score: number; vector: string; version: CvssVersion; by: string };
  /** Every source's ratings, for JSON output. */
  all: { source: string; by: string; level: SeverityLevel; rating?: string; cvss?: { score: number; vector: string; version: CvssVersion } }[];
}

/** Why a finding is hidden (unless `--show-suppressed`): a VEX statement or an ignore-file entry. */
export interface Suppression {
  kind: 'vex' | 'ignore';
  /** `not_affected`, `fixed` (VEX status) or `ignored`. */
  status: string;
  /** VEX justification / impact statement, or the ignore entry's reason. */
  reason?: string;
  /** The VEX document or ignore file it came from. */
  origin: string;
}

export interface Finding {
  /** The id shown: the CVE when any source names one, else the first advisory id (GHSA, GO-…, DSA…). */
  id: string;
  /** Every other id of the same vulnerability (GHSA, DSA/DLA, GO-…), sorted. */
  aliases: string[];
  /** The SBOM package (Package.id). */
  packageId: string;
  /** `fixed` when a fixed version exists for this package; otherwise `not-fixed` (open, no-dsa, postponed, …). */
  status: 'fixed' | 'not-fixed';
  /** Why it is not fixed, when a source says (`no-dsa: Minor issue`, `postponed`, `will-not-fix`, `end-of-life`). */
  statusReason?: string;
  /** The versions that fix it, lowest first (the first is what to upgrade to). */
  fixedVersions: string[];
  /** The affected range, one line, from the preferred matching source. */
  affectedRange: string;
  /** Every source record that matched this package, first the preferred one. */
  matches: MatchReason[];
  /** Every source's record of this vulnerability (matched or not: NVD gives CVSS, vulnrichment CISA's). */
  sources: SourceView[];
  kev?: KevEntry;
  epss?: EpssEntry;
  /** Filled by severity/rate(). */
  rating?: Rating;
  suppressed?: Suppression;
}

/** Everything a vulnerability report renders, in one value: report/ reads only this. */
export interface VulnerabilityReport {
  /** docs/report.schema.json's version. */
  schemaVersion: 1;
  tool: { name: 'spyglass'; version: string };
  createdAt: string;
  target: SbomSource;
  distro?: Distro;
  /** The database used and its age. */
  database: { builtAt: string; schemaVersion: number; ageHours: number };
  /** The base image when known (annotations now; detection later). */
  baseImage?: { name: string; digest?: string };
  packages: Package[];
  findings: Finding[];
  /** Things the user should know (unknown or end-of-life distribution, versions that did not parse…). */
  warnings: string[];
}
