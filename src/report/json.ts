// `--format json`: Spyglass's own vulnerability report, versioned and described by
// docs/report.schema.json (docs/cves.md explains each field). Everything a program needs to act on a
// finding is here: both ids, the package and where it is, the fix, every source's rating, EPSS, KEV,
// why it matched and whether it is suppressed.
import type { EpssEntry, KevEntry } from '../advisories/model.ts';
import type { Finding, MatchReason, Rating, SeverityLevel, Suppression, VulnerabilityReport } from '../core/finding.ts';
import type { Distro, Package, PackageType } from '../core/package.ts';
import type { SbomSource } from '../core/sbom.ts';
import { countFindings, totalOf, type SeverityCounts } from './counts.ts';
import { advisoryUrl } from './advisory-links.ts';
import { packageIndex, packageOf, type PackageIndex } from './finding-facts.ts';
import type { RenderOptions } from './options.ts';
import { compareFindings, compareText, levelOf } from './order.ts';

export interface ReportDocument {
  schemaVersion: 1;
  tool: { name: 'spyglass'; version: string };
  createdAt: string;
  target: SbomSource;
  os?: Distro;
  baseImage?: { name: string; digest?: string };
  database: VulnerabilityReport['database'];
  summary: SeverityCounts & { total: number; vulnerablePackages: number; packages: number; suppressed: number };
  /** The packages that have a vulnerability listed below; the whole inventory is the SBOM's job. */
  packages: PackageEntry[];
  vulnerabilities: VulnerabilityEntry[];
  warnings: string[];
}

export interface LayerRef {
  diffId: string;
  /** 0-based position in target.layers. */
  index?: number;
}

export interface PackageEntry {
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  arch?: string;
  sourceName?: string;
  sourceVersion?: string;
  locations: { path: string; layer: LayerRef }[];
  /** The layer that first installed the package at this version. */
  layer?: LayerRef;
}

export interface VulnerabilityEntry {
  id: string;
  aliases: string[];
  url: string;
  package: { id: string; name: string; version: string; type: PackageType; purl: string; layer?: LayerRef };
  status: Finding['status'];
  statusReason?: string;
  /** The version to upgrade to (the lowest fixing version). */
  fixedVersion?: string;
  fixedVersions: string[];
  affectedRange: string;
  severity: SeverityLevel;
  /** Who the severity comes from and how they wrote it. */
  severitySource?: string;
  severityRating?: string;
  cvss?: { score: number; vector: string; version: string; source: string };
  epss?: EpssEntry;
  kev?: KevEntry;
  /** The feed whose record matched first (the preferred one). */
  source?: string;
  ratings: Rating['all'];
  matches: MatchReason[];
  advisories: { source: string; id: string; aliases: string[]; summary?: string; published?: string; modified?: string; urgency?: string; references: string[] }[];
  suppressed?: Suppression;
}

export function reportDocument(report: VulnerabilityReport, options: Pick<RenderOptions, 'showSuppressed'>): ReportDocument {
  const findings = report.findings.filter((finding) => options.showSuppressed || !finding.suppressed);
  const packages = packageIndex(report);
  const layerRef = (diffId: string): LayerRef => {
    const index = report.target.layers.findIndex((layer) => layer.diffId === diffId);
    return index < 0 ? { diffId } : { diffId, index };
  };
  const counts = countFindings(report.findings);
  const vulnerablePackages = new Set(report.findings.filter((finding) => !finding.suppressed).map((finding) => finding.packageId)).size;
  const listed = [...new Set(findings.map((finding) => packageOf(packages, finding)))]
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.id, b.id));
  const name = (finding: Finding) => packageOf(packages, finding).name;
  const sorted = [...findings].sort((a, b) => compareFindings(a, b) || compareText(name(a), name(b)) || compareText(a.packageId, b.packageId));

  return {
    schemaVersion: report.schemaVersion,
    tool: report.tool,
    createdAt: report.createdAt,
    target: report.target,
    ...(report.distro ? { os: report.distro } : {}),
    ...(report.baseImage ? { baseImage: report.baseImage } : {}),
    database: report.database,
    summary: {
      ...counts, total: totalOf(counts), vulnerablePackages, packages: report.packages.length,
      suppressed: report.findings.filter((finding) => finding.suppressed).length,
    },
    packages: listed.map((pkg) => packageEntry(pkg, layerRef)),
    vulnerabilities: sorted.map((finding) => vulnerabilityEntry(finding, packages, layerRef)),
    warnings: report.warnings,
  };
}

export function renderJson(report: VulnerabilityReport, options: RenderOptions): string {
  return `${JSON.stringify(reportDocument(report, options), null, 2)}\n`;
}

/** The layer that first installed the package (its first location's when the catalog did not say). */
export function introducedLayer(pkg: Package): string | undefined {
  return pkg.introducedLayerDiffId ?? pkg.locations[0]?.layerDiffId;
}

function packageEntry(pkg: Package, layerRef: (diffId: string) => LayerRef): PackageEntry {
  const layer = introducedLayer(pkg);
  return {
    id: pkg.id, name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl,
    ...(pkg.arch ? { arch: pkg.arch } : {}),
    ...(pkg.sourceName ? { sourceName: pkg.sourceName } : {}),
    ...(pkg.sourceVersion ? { sourceVersion: pkg.sourceVersion } : {}),
    locations: pkg.locations.map((location) => ({ path: location.path, layer: layerRef(location.layerDiffId) })),
    ...(layer ? { layer: layerRef(layer) } : {}),
  };
}

function vulnerabilityEntry(finding: Finding, packages: PackageIndex, layerRef: (diffId: string) => LayerRef): VulnerabilityEntry {
  const pkg = packageOf(packages, finding);
  const rating = finding.rating;
  const layer = introducedLayer(pkg);
  return {
    id: finding.id,
    aliases: finding.aliases,
    url: advisoryUrl(finding.id),
    package: { id: pkg.id, name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl, ...(layer ? { layer: layerRef(layer) } : {}) },
    status: finding.status,
    ...(finding.statusReason ? { statusReason: finding.statusReason } : {}),
    ...(finding.status === 'fixed' && finding.fixedVersions[0] ? { fixedVersion: finding.fixedVersions[0] } : {}),
    fixedVersions: finding.fixedVersions,
    affectedRange: finding.affectedRange,
    severity: levelOf(finding),
    ...(rating?.by ? { severitySource: rating.by } : {}),
    ...(rating?.rating ? { severityRating: rating.rating } : {}),
    ...(rating?.cvss ? { cvss: { score: rating.cvss.score, vector: rating.cvss.vector, version: rating.cvss.version, source: rating.cvss.by } } : {}),
    ...(finding.epss ? { epss: finding.epss } : {}),
    ...(finding.kev ? { kev: finding.kev } : {}),
    ...(finding.matches[0] ? { source: finding.matches[0].source } : {}),
    ratings: rating?.all ?? [],
    matches: finding.matches,
    advisories: finding.sources.map((view) => ({
      source: view.source, id: view.id, aliases: view.aliases,
      ...(view.summary ? { summary: view.summary } : {}),
      ...(view.published ? { published: view.published } : {}),
      ...(view.modified ? { modified: view.modified } : {}),
      ...(view.urgency ? { urgency: view.urgency } : {}),
      references: view.references,
    })),
    ...(finding.suppressed ? { suppressed: finding.suppressed } : {}),
  };
}
