// The `cves` filter flags (Docker Scout's `--only-*`, `--epss-*`), as one value and one pure function
// over findings. Every given filter must hold for a finding to stay; suppressed findings (VEX, ignore
// file) go too unless `showSuppressed`.
import { SpyglassError } from '../core/errors.ts';
import { SEVERITY_LEVELS, type Finding, type SeverityLevel } from '../core/finding.ts';
import type { Package, PackageType } from '../core/package.ts';
import { PACKAGE_TYPES, isPackageType } from '../sbom/package-type.ts';

export interface FindingFilters {
  /** `--only-severity`: the finding's rating level (no rating counts as `unspecified`). */
  severities?: SeverityLevel[];
  /** `--only-package-type`. */
  packageTypes?: PackageType[];
  /** `--only-package`: tested against the package name. */
  packageName?: RegExp;
  /** `--only-cve-id`: the finding's id or any alias, compared without case. */
  ids?: string[];
  onlyFixed?: boolean;
  onlyUnfixed?: boolean;
  onlyCisaKev?: boolean;
  /** `--only-metric`: `NAME:VALUE` pairs that must all be in the shown CVSS vector (Rating.cvss.vector). */
  metrics?: string[];
  /** `--epss-score`, `--epss-percentile`: minimums; a finding without EPSS data does not pass. */
  epssScore?: number;
  epssPercentile?: number;
  /** `--show-suppressed`: keep findings a VEX statement or an ignore entry suppressed. */
  showSuppressed?: boolean;
  /** `--only-vuln-packages`: for the renderer (list only packages with findings); filterFindings ignores it. */
  onlyVulnPackages?: boolean;
}

/** The flags as the CLI hands them over: comma-separated strings (or repeated flags), booleans. */
export interface FilterOptions {
  onlySeverity?: string | string[];
  onlyPackageType?: string | string[];
  onlyPackage?: string | string[];
  onlyCveId?: string | string[];
  onlyFixed?: boolean;
  onlyUnfixed?: boolean;
  onlyCisaKev?: boolean;
  onlyMetric?: string | string[];
  epssScore?: string | number;
  epssPercentile?: string | number;
  showSuppressed?: boolean;
  onlyVulnPackages?: boolean;
}

function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean);
  return items;
}

function nonEmpty(flag: string, items: string[]): string[] {
  if (items.length === 0) throw new SpyglassError(`${flag}: no value given`);
  return items;
}

function fraction(flag: string, value: string | number): number {
  const number = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new SpyglassError(`${flag}: ${JSON.stringify(String(value))} is not a number from 0 to 1`);
  return number;
}

/** `AV:N`, `Au:N` (v2), `AT:P` (v4): a metric abbreviation and a value. */
const METRIC = /^[A-Za-z]+:[A-Za-z0-9]+$/;

/** The CLI's strings turned into filters; a bad value is a one-line error naming the flag. */
export function parseFilters(options: FilterOptions): FindingFilters {
  const filters: FindingFilters = {};
  const severities = listOf(options.onlySeverity);
  if (severities) {
    filters.severities = nonEmpty('--only-severity', severities).map((text) => {
      const level = text.toLowerCase();
      if (!(SEVERITY_LEVELS as readonly string[]).includes(level)) throw new SpyglassError(`--only-severity: unknown severity "${text}" (known: ${SEVERITY_LEVELS.join(', ')})`);
      return level as SeverityLevel;
    });
  }
  const types = listOf(options.onlyPackageType);
  if (types) {
    filters.packageTypes = nonEmpty('--only-package-type', types).map((text) => {
      const type = text.toLowerCase();
      if (!isPackageType(type)) throw new SpyglassError(`--only-package-type: unknown package type "${text}" (known: ${PACKAGE_TYPES.join(', ')})`);
      return type;
    });
  }
  if (options.onlyPackage !== undefined) {
    // Repeated --only-package flags are alternatives; one flag is one expression, commas and all.
    const expressions = (Array.isArray(options.onlyPackage) ? options.onlyPackage : [options.onlyPackage]).filter((text) => text !== '');
    if (expressions.length === 0) throw new SpyglassError('--only-package: no value given');
    for (const text of expressions) {
      try {
        new RegExp(text);
      } catch (error) {
        throw new SpyglassError(`--only-package: invalid regular expression ${JSON.stringify(text)} (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`);
      }
    }
    filters.packageName = new RegExp(expressions.map((text) => `(?:${text})`).join('|'));
  }
  const ids = listOf(options.onlyCveId);
  if (ids) filters.ids = nonEmpty('--only-cve-id', ids);
  if (options.onlyFixed && options.onlyUnfixed) throw new SpyglassError('--only-fixed and --only-unfixed together would leave nothing: give one of them');
  if (options.onlyFixed) filters.onlyFixed = true;
  if (options.onlyUnfixed) filters.onlyUnfixed = true;
  if (options.onlyCisaKev) filters.onlyCisaKev = true;
  const metrics = listOf(options.onlyMetric);
  if (metrics) {
    filters.metrics = nonEmpty('--only-metric', metrics).map((text) => {
      if (!METRIC.test(text)) throw new SpyglassError(`--only-metric: "${text}" is not a CVSS metric such as AV:N`);
      return text;
    });
  }
  if (options.epssScore !== undefined) filters.epssScore = fraction('--epss-score', options.epssScore);
  if (options.epssPercentile !== undefined) filters.epssPercentile = fraction('--epss-percentile', options.epssPercentile);
  if (options.showSuppressed) filters.showSuppressed = true;
  if (options.onlyVulnPackages) filters.onlyVulnPackages = true;
  return filters;
}

/** The metrics of a CVSS vector (`CVSS:3.1/AV:N/…`, or a v2 vector without prefix), upper-cased. */
function vectorMetrics(vector: string): Set<string> {
  return new Set(vector.split('/').filter((part) => !part.startsWith('CVSS:')).map((part) => part.toUpperCase()));
}

/** The findings every filter lets through, in their order. */
export function filterFindings(findings: Finding[], packagesById: ReadonlyMap<string, Package>, filters: FindingFilters): Finding[] {
  const severities = filters.severities ? new Set(filters.severities) : undefined;
  const types = filters.packageTypes ? new Set<string>(filters.packageTypes) : undefined;
  const ids = filters.ids ? new Set(filters.ids.map((id) => id.toUpperCase())) : undefined;
  const metrics = filters.metrics?.map((metric) => metric.toUpperCase());
  return findings.filter((finding) => {
    if (finding.suppressed && !filters.showSuppressed) return false;
    if (severities && !severities.has(finding.rating?.level ?? 'unspecified')) return false;
    if (types || filters.packageName) {
      const pkg = packagesById.get(finding.packageId);
      if (!pkg) return false;
      if (types && !types.has(pkg.type)) return false;
      if (filters.packageName && !filters.packageName.test(pkg.name)) return false;
    }
    if (ids && !ids.has(finding.id.toUpperCase()) && !finding.aliases.some((alias) => ids.has(alias.toUpperCase()))) return false;
    if (filters.onlyFixed && finding.status !== 'fixed') return false;
    if (filters.onlyUnfixed && finding.status === 'fixed') return false;
    if (filters.onlyCisaKev && !finding.kev) return false;
    if (metrics) {
      const vector = finding.rating?.cvss?.vector;
      if (!vector) return false;
      const present = vectorMetrics(vector);
      if (!metrics.every((metric) => present.has(metric))) return false;
    }
    if (filters.epssScore !== undefined && !(finding.epss && finding.epss.score >= filters.epssScore)) return false;
    if (filters.epssPercentile !== undefined && !(finding.epss && finding.epss.percentile >= filters.epssPercentile)) return false;
    return true;
  });
}
