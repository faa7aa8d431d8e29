// VulnerabilityReport → SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) as
// GitHub code scanning reads it (docs.github.com: "SARIF support for code scanning"): one rule
// (reportingDescriptor) per vulnerability id, one result per finding. GitHub sorts alerts by the rule's
// `properties.security-severity` (a CVSS-like score as a string: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium,
// else low) and shows it only for rules tagged `security`; each result needs a location, which is the
// package's metadata file inside the image, relative (no leading slash), with line 1 as its region as
// Trivy and Grype do, since a package has no line. Suppressed findings (present only with
// --show-suppressed) carry SARIF `suppressions`; GitHub itself does not act on them (docs/report-formats.md).
import type { Finding, SeverityLevel, VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { imageName } from '../sbom/image-source.ts';
import { advisoryUrl } from './advisory-links.ts';
import { fixText, metadataPath, packageIndex, packageOf, referencesOf, summaryOf, suppressionText, type PackageIndex } from './finding-facts.ts';
import type { RenderOptions } from './options.ts';
import { levelOf, sortFindings } from './order.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<SeverityLevel, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', unspecified: 'note' };

/**
 * The score GitHub buckets a rule by when no source gives a CVSS score: one inside the level's band, as
 * Trivy does. An unspecified severity gets none, so GitHub does not invent one.
 */
const BAND_SCORES: Record<SeverityLevel, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', unspecified: undefined };

/** GitHub shows at most 10 locations of a result. */
const MAX_LOCATIONS = 10;

interface Message { text: string; markdown?: string }

interface SarifRule {
  id: string;
  name: string;
  shortDescription: Message;
  fullDescription: Message;
  helpUri: string;
  help: Message;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
  message: { text: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string }[];
  properties: Record<string, unknown>;
}

/** The relative URI of a path inside the image (GitHub resolves it against the repository root). */
function pathUri(path: string): string {
  return encodeURI(path.replace(/^\/+/, '')).replace(/[?#]/g, (character) => encodeURIComponent(character));
}

function securitySeverity(finding: Finding): string | undefined {
  const score = finding.rating?.cvss?.score;
  return score !== undefined ? score.toFixed(1) : BAND_SCORES[levelOf(finding)];
}

function ruleName(pkg: Package): string {
  return ['deb', 'apk', 'rpm'].includes(pkg.type) ? 'OsPackageVulnerability' : 'LanguageSpecificPackageVulnerability';
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One rule for all findings of one id; they share the vulnerability, so the most severe one speaks for it. */
function rule(findings: Finding[], packages: PackageIndex, options: RenderOptions): SarifRule {
  const [first] = findings as [Finding, ...Finding[]];
  const id = first.id;
  const level = levelOf(first);
  const url = advisoryUrl(id);
  const summary = summaryOf(first);
  const cvss = first.rating?.cvss;
  const severityWords = `${level}${cvss ? ` (CVSS ${cvss.version} ${cvss.score.toFixed(1)}, ${cvss.vector})` : ''}`;
  const rows = findings.map((finding) => {
    const pkg = packageOf(packages, finding);
    return { name: pkg.name, version: pkg.version, fix: finding.fixedVersions.join(', ') || 'none' };
  });
  const aliases = first.aliases.length > 0 ? first.aliases.join(', ') : undefined;
  const references = referencesOf(first);
  const text = [
    `Vulnerability ${id}${summary ? `: ${summary}` : ''}`,
    `Severity: ${severityWords}`,
    ...(aliases ? [`Also known as: ${aliases}`] : []),
    ...rows.map((row) => `Package: ${row.name} ${row.version}, fixed version: ${row.fix}`),
    `Link: ${url}`,
  ].join('\n');
  const markdown = [
    `**Vulnerability ${id}**${summary ? ` ${markdownCell(summary)}` : ''}`,
    '',
    `Severity: ${severityWords}${aliases ? `  \nAlso known as: ${aliases}` : ''}`,
    '',
    '| Package | Installed version | Fixed version |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${markdownCell(row.name)} | ${markdownCell(row.version)} | ${markdownCell(row.fix)} |`),
    '',
    `[${id}](${url})`,
    ...(references.length > 0 ? ['', 'References:', ...references.map((reference) => `- ${reference}`)] : []),
  ].join('\n');

  const score = securitySeverity(first);
  const properties: Record<string, unknown> = {
    tags: ['vulnerability', 'security', level, ...(first.kev ? ['known-exploited'] : [])],
    precision: 'very-high',
    ...(score !== undefined ? { 'security-severity': score } : {}),
  };
  if (cvss) Object.assign(properties, { cvssVersion: cvss.version, cvssVector: cvss.vector, cvssScore: cvss.score, cvssBy: cvss.by });
  if (first.rating?.by) properties.ratedBy = first.rating.by;
  if (first.kev) properties.kev = { dateAdded: first.kev.dateAdded, ...(first.kev.dueDate ? { dueDate: first.kev.dueDate } : {}) };
  if (options.epss && first.epss) properties.epss = { score: first.epss.score, percentile: first.epss.percentile, date: first.epss.date };

  return {
    id,
    name: ruleName(packageOf(packages, first)),
    shortDescription: { text: summary ?? `${id} (${level})` },
    fullDescription: { text: summary ? `${id}: ${summary}` : `${id}, rated ${level}` },
    helpUri: url,
    help: { text, markdown },
    defaultConfiguration: { level: LEVELS[level] },
    properties,
  };
}

function locations(pkg: Package, options: RenderOptions): SarifLocation[] {
  const found = options.locations ? pkg.locations.slice(0, MAX_LOCATIONS) : pkg.locations.slice(0, 1);
  const places = found.length > 0
    ? found.map((location) => ({ path: location.path, layer: location.layerDiffId as string | undefined }))
    // A package known only from an SBOM document: the purl is the one name it has.
    : [{ path: pkg.purl, layer: undefined }];
  return places.map(({ path, layer }) => ({
    physicalLocation: {
      artifactLocation: { uri: pathUri(path) },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
    },
    message: { text: `${path}: ${pkg.name}@${pkg.version}${options.locations && layer ? ` (layer ${layer})` : ''}` },
  }));
}

function result(finding: Finding, ruleIndex: number, packages: PackageIndex, options: RenderOptions): SarifResult {
  const pkg = packageOf(packages, finding);
  const level = levelOf(finding);
  const properties: Record<string, unknown> = {
    packageName: pkg.name,
    packageType: pkg.type,
    installedVersion: pkg.version,
    fixedVersions: finding.fixedVersions,
    status: finding.status,
    purl: pkg.purl,
    ...(finding.statusReason ? { statusReason: finding.statusReason } : {}),
  };
  if (options.details) {
    properties.matches = finding.matches.map((match) => ({
      source: match.source, advisoryId: match.advisoryId, namespace: match.namespace, packageName: match.packageName,
      rule: match.rule, comparison: match.comparison, affectedRange: match.affectedRange,
    }));
  }
  const path = metadataPath(pkg);
  return {
    ruleId: finding.id,
    ruleIndex,
    level: LEVELS[level],
    message: { text: `${pkg.name} ${pkg.version} is affected by ${finding.id} (${level}): ${fixText(finding)}${path ? `, found in ${path}` : ''}` },
    locations: locations(pkg, options),
    ...(finding.suppressed ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: suppressionText(finding.suppressed) }] } : {}),
    properties,
  };
}

export function renderSarif(report: VulnerabilityReport, options: RenderOptions): string {
  const packages = packageIndex(report);
  const findings = sortFindings(report.findings);
  const byId = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byId.get(finding.id) ?? [];
    list.push(finding);
    byId.set(finding.id, list);
  }
  const ruleIds = [...byId.keys()];
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]));
  const rules = ruleIds.map((id) => rule(byId.get(id)!, packages, options));
  const results = findings.map((finding) => result(finding, ruleIndex.get(finding.id)!, packages, options));

  const target = report.target;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: report.tool.name, version: report.tool.version, rules } },
      ...(report.warnings.length > 0
        ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: report.warnings.map((warning) => ({ level: 'warning', message: { text: warning } })) }] }
        : {}),
      results,
      properties: {
        imageName: imageName(target),
        ...(target.configDigest ? { configDigest: target.configDigest } : {}),
        ...(target.manifestDigest ? { manifestDigest: target.manifestDigest } : {}),
        ...(target.platform ? { platform: target.platform } : {}),
        ...(report.distro ? { distro: `${report.distro.id}${report.distro.versionId ? ` ${report.distro.versionId}` : ''}` } : {}),
        databaseBuiltAt: report.database.builtAt,
      },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
