// `spyglass compare IMAGE --to OTHER` (Docker Scout's `compare`): what changed between two scanned
// images. IMAGE is the one analysed (the new build), OTHER the one it is compared with (what runs
// now): a package only in IMAGE is "added", a vulnerability only in IMAGE is "introduced", one only in
// OTHER is "fixed". Pure: two VulnerabilityReports in, one Comparison out (docs/compare.md).
import { SEVERITY_LEVELS, type Finding, type SeverityLevel, type VulnerabilityReport } from '../core/finding.ts';
import type { Package, PackageType } from '../core/package.ts';
import { countFindings, emptyCounts, type SeverityCounts } from '../report/counts.ts';
import { levelOf } from '../report/order.ts';
import { ascending, changeKind, compareText, entriesOf, packageKey, pairVersions, PACKAGE_CHANGE_KINDS, type PackageChangeKind } from './package-changes.ts';

export { PACKAGE_CHANGE_KINDS, type PackageChangeKind } from './package-changes.ts';

export interface PackageChange {
  change: PackageChangeKind;
  type: PackageType;
  name: string;
  /** OS packages only: part of the package's identity (`amd64`, `all`). */
  arch?: string;
  /** IMAGE's version; absent when the package was removed. */
  version?: string;
  /** OTHER's version; absent when the package was added. */
  otherVersion?: string;
  /** IMAGE's purl, else OTHER's. */
  purl: string;
  /** Per severity, the vulnerabilities this entry brings (IMAGE's version has them, OTHER does not) and drops. */
  introduced: SeverityCounts;
  fixed: SeverityCounts;
}

/** One vulnerability of one package (type + name) that only one of the two images has. */
export interface VulnerabilityChange {
  id: string;
  aliases: string[];
  severity: SeverityLevel;
  cvss?: number;
  package: { type: PackageType; name: string; purl: string; versions: string[] };
  status: Finding['status'];
  /** The version to upgrade to when every finding has a fix: the highest of the findings' lowest fixing versions. */
  fixedVersion?: string;
}

export interface ComparedImage {
  /** The name shown: the image's first name, else the input as typed. */
  name: string;
  input: string;
  manifestDigest?: string;
  configDigest?: string;
  indexDigest?: string;
  platform?: string;
  os?: { id: string; versionId?: string; prettyName?: string };
  baseImage?: { name: string; digest?: string };
  /** Sum of the layer sizes (compressed, as stored); absent when the input has no layers (an SBOM without them). */
  size?: number;
  layers: number;
  /** Distinct (package identity, version) entries, the unit the package changes count in. */
  packages: number;
  /** Findings per severity (one per package and vulnerability, as `cves` counts), suppressed ones left out. */
  vulnerabilities: SeverityCounts;
  /** Findings a VEX statement or an ignore entry suppressed: left out of every count and change. */
  suppressed: number;
  warnings: string[];
}

export interface Comparison {
  schemaVersion: 1;
  tool: VulnerabilityReport['tool'];
  /** IMAGE's report's time: when the comparison's data was made. */
  createdAt: string;
  image: ComparedImage;
  other: ComparedImage;
  /** IMAGE's database (both sides are scanned against the same one). */
  database: VulnerabilityReport['database'];
  baseImage: { changed: boolean; image?: { name: string; digest?: string }; other?: { name: string; digest?: string } };
  /** IMAGE's size minus OTHER's, when both are known. */
  sizeDelta?: number;
  summary: {
    packages: Record<PackageChangeKind, number>;
    vulnerabilities: {
      introduced: SeverityCounts;
      fixed: SeverityCounts;
      /** (vulnerability, package) pairs both images have. */
      unchanged: number;
      /** IMAGE's counts minus OTHER's, per severity. */
      delta: SeverityCounts;
    };
  };
  /** Every package entry, ordered by type, name, arch, version. */
  packages: PackageChange[];
  vulnerabilities: { introduced: VulnerabilityChange[]; fixed: VulnerabilityChange[] };
  /** The filters both sides went through. */
  filters: CompareFilters;
}

/** `--only-severity` (findings) and `--only-package-type` (packages and their findings), applied to both sides. */
export interface CompareFilters {
  severities?: SeverityLevel[];
  packageTypes?: PackageType[];
}

/** The report's packages and live findings after the filters, and how many findings were suppressed. */
function restrict(report: VulnerabilityReport, filters: CompareFilters) {
  const types = filters.packageTypes ? new Set<PackageType>(filters.packageTypes) : undefined;
  const severities = filters.severities ? new Set<SeverityLevel>(filters.severities) : undefined;
  const packages = types ? report.packages.filter((pkg) => types.has(pkg.type)) : report.packages;
  const packagesById = new Map(packages.map((pkg) => [pkg.id, pkg]));
  const kept = report.findings.filter((finding) => packagesById.has(finding.packageId) && (!severities || severities.has(levelOf(finding))));
  const findings = kept.filter((finding) => finding.suppressed === undefined);
  return { packages, packagesById, findings, suppressed: kept.length - findings.length };
}

type Restricted = ReturnType<typeof restrict>;

/** One (vulnerability, package) pair of a side: every finding of that vulnerability in packages of that type and name. */
interface VulnerabilityGroup {
  findings: Finding[];
  packages: Package[];
  /** The finding's id and aliases, for matching against the other side. */
  ids: Set<string>;
  /** Package type and name. */
  identity: string;
}

function vulnerabilityGroups(side: Restricted): Map<string, VulnerabilityGroup> {
  const groups = new Map<string, VulnerabilityGroup>();
  for (const finding of side.findings) {
    const pkg = side.packagesById.get(finding.packageId)!;
    const identity = `${pkg.type}\u0000${pkg.name}`;
    const key = `${identity}\u0000${finding.id}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { findings: [], packages: [], ids: new Set(), identity };
      groups.set(key, group);
    }
    group.findings.push(finding);
    if (!group.packages.includes(pkg)) group.packages.push(pkg);
    for (const id of [finding.id, ...finding.aliases]) group.ids.add(id.toUpperCase());
  }
  return groups;
}

/**
 * The groups of `side` that `against` does not have. A vulnerability is the same on both sides when it is
 * in a package of the same type and name and shares an id or an alias, so that an upgraded package's
 * remaining CVE is neither introduced nor fixed, and a CVE one side names by its GHSA still matches.
 */
function missingFrom(side: Map<string, VulnerabilityGroup>, against: Map<string, VulnerabilityGroup>): VulnerabilityGroup[] {
  const known = new Set<string>();
  for (const group of against.values()) for (const id of group.ids) known.add(`${group.identity}\u0000${id}`);
  return [...side.values()].filter((group) => ![...group.ids].some((id) => known.has(`${group.identity}\u0000${id}`)));
}

function worstLevel(findings: readonly Finding[]): SeverityLevel {
  return findings.map(levelOf).sort((a, b) => SEVERITY_LEVELS.indexOf(a) - SEVERITY_LEVELS.indexOf(b))[0] ?? 'unspecified';
}

function vulnerabilityChange(group: VulnerabilityGroup): VulnerabilityChange {
  const first = group.findings[0]!;
  const pkg = group.packages[0]!;
  const severity = worstLevel(group.findings);
  const rated = group.findings.find((finding) => levelOf(finding) === severity) ?? first;
  const aliases = [...new Set(group.findings.flatMap((finding) => finding.aliases))].filter((alias) => alias !== first.id).sort(compareText);
  const fixed = group.findings.every((finding) => finding.status === 'fixed');
  const versions = [...new Set(group.packages.map((p) => p.version))].sort(ascending(pkg.type));
  const fixedVersion = fixed ? group.findings.map((finding) => finding.fixedVersions[0]).filter((v): v is string => v !== undefined).sort(ascending(pkg.type)).at(-1) : undefined;
  return {
    id: first.id,
    aliases,
    severity,
    ...(rated.rating?.cvss ? { cvss: rated.rating.cvss.score } : {}),
    package: { type: pkg.type, name: pkg.name, purl: pkg.purl, versions },
    status: fixed ? 'fixed' : 'not-fixed',
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
  };
}

function compareVulnerabilityChanges(a: VulnerabilityChange, b: VulnerabilityChange): number {
  return SEVERITY_LEVELS.indexOf(a.severity) - SEVERITY_LEVELS.indexOf(b.severity)
    || (b.cvss ?? -1) - (a.cvss ?? -1)
    || compareText(a.id, b.id)
    || compareText(a.package.type, b.package.type)
    || compareText(a.package.name, b.package.name);
}

function sizeOf(report: VulnerabilityReport): number | undefined {
  const layers = report.target.layers;
  return layers.length === 0 ? undefined : layers.reduce((sum, layer) => sum + layer.size, 0);
}

function describeImage(report: VulnerabilityReport, side: Restricted, packages: number): ComparedImage {
  const { target } = report;
  const size = sizeOf(report);
  return {
    name: target.names[0] ?? target.input,
    input: target.input,
    ...(target.manifestDigest ? { manifestDigest: target.manifestDigest } : {}),
    ...(target.configDigest ? { configDigest: target.configDigest } : {}),
    ...(target.indexDigest ? { indexDigest: target.indexDigest } : {}),
    ...(target.platform ? { platform: target.platform } : {}),
    ...(report.distro ? { os: { id: report.distro.id, ...(report.distro.versionId ? { versionId: report.distro.versionId } : {}), ...(report.distro.prettyName ? { prettyName: report.distro.prettyName } : {}) } } : {}),
    ...(report.baseImage ? { baseImage: report.baseImage } : {}),
    ...(size !== undefined ? { size } : {}),
    layers: target.layers.length,
    packages,
    vulnerabilities: countFindings(side.findings),
    suppressed: side.suppressed,
    warnings: report.warnings,
  };
}

export function compareReports(image: VulnerabilityReport, other: VulnerabilityReport, filters: CompareFilters = {}): Comparison {
  const imageSide = restrict(image, filters);
  const otherSide = restrict(other, filters);
  const imageEntries = entriesOf(imageSide.packages);
  const otherEntries = entriesOf(otherSide.packages);

  const imageGroups = vulnerabilityGroups(imageSide);
  const otherGroups = vulnerabilityGroups(otherSide);
  const introducedGroups = missingFrom(imageGroups, otherGroups);
  const fixedGroups = missingFrom(otherGroups, imageGroups);

  // Which package entry (identity + version) each introduced / fixed vulnerability belongs to.
  const byEntry = (groups: VulnerabilityGroup[]) => {
    const counts = new Map<string, SeverityCounts>();
    for (const group of groups) {
      const level = worstLevel(group.findings);
      for (const key of new Set(group.packages.map((pkg) => `${packageKey(pkg)}\u0000${pkg.version}`))) {
        const entry = counts.get(key) ?? emptyCounts();
        entry[level] += 1;
        counts.set(key, entry);
      }
    }
    return counts;
  };
  const introducedByEntry = byEntry(introducedGroups);
  const fixedByEntry = byEntry(fixedGroups);

  const packages: PackageChange[] = [];
  for (const key of new Set([...imageEntries.keys(), ...otherEntries.keys()])) {
    const imageEntry = imageEntries.get(key);
    const otherEntry = otherEntries.get(key);
    const entry = (imageEntry ?? otherEntry)!;
    for (const { version, otherVersion } of pairVersions(entry, [...(imageEntry?.versions.keys() ?? [])], [...(otherEntry?.versions.keys() ?? [])])) {
      const pkg = (version !== undefined ? imageEntry!.versions.get(version)![0] : otherEntry!.versions.get(otherVersion!)![0])!;
      packages.push({
        change: changeKind(entry.type, version, otherVersion),
        type: entry.type,
        name: entry.name,
        ...(entry.arch ? { arch: entry.arch } : {}),
        ...(version !== undefined ? { version } : {}),
        ...(otherVersion !== undefined ? { otherVersion } : {}),
        purl: pkg.purl,
        introduced: version !== undefined ? introducedByEntry.get(`${key}\u0000${version}`) ?? emptyCounts() : emptyCounts(),
        fixed: otherVersion !== undefined ? fixedByEntry.get(`${key}\u0000${otherVersion}`) ?? emptyCounts() : emptyCounts(),
      });
    }
  }
  packages.sort((a, b) => compareText(a.type, b.type) || compareText(a.name, b.name) || compareText(a.arch ?? '', b.arch ?? '')
    || ascending(a.type)(a.version ?? a.otherVersion ?? '', b.version ?? b.otherVersion ?? ''));

  const packageSummary = Object.fromEntries(PACKAGE_CHANGE_KINDS.map((kind) => [kind, 0])) as Record<PackageChangeKind, number>;
  for (const change of packages) packageSummary[change.change] += 1;
  const introduced = introducedGroups.map(vulnerabilityChange).sort(compareVulnerabilityChanges);
  const fixed = fixedGroups.map(vulnerabilityChange).sort(compareVulnerabilityChanges);

  const imageDescription = describeImage(image, imageSide, packages.filter((change) => change.version !== undefined).length);
  const otherDescription = describeImage(other, otherSide, packages.filter((change) => change.otherVersion !== undefined).length);
  const delta = emptyCounts();
  for (const level of SEVERITY_LEVELS) delta[level] = imageDescription.vulnerabilities[level] - otherDescription.vulnerabilities[level];

  return {
    schemaVersion: 1,
    tool: image.tool,
    createdAt: image.createdAt,
    image: imageDescription,
    other: otherDescription,
    database: image.database,
    baseImage: {
      changed: image.baseImage?.name !== other.baseImage?.name || image.baseImage?.digest !== other.baseImage?.digest,
      ...(image.baseImage ? { image: image.baseImage } : {}),
      ...(other.baseImage ? { other: other.baseImage } : {}),
    },
    ...(imageDescription.size !== undefined && otherDescription.size !== undefined ? { sizeDelta: imageDescription.size - otherDescription.size } : {}),
    summary: {
      packages: packageSummary,
      vulnerabilities: {
        introduced: countChanges(introduced),
        fixed: countChanges(fixed),
        unchanged: imageGroups.size - introducedGroups.length,
        delta,
      },
    },
    packages,
    vulnerabilities: { introduced, fixed },
    filters,
  };
}

function countChanges(changes: readonly VulnerabilityChange[]): SeverityCounts {
  const counts = emptyCounts();
  for (const change of changes) counts[change.severity] += 1;
  return counts;
}
