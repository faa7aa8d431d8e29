// VulnerabilityReport → GitLab's container-scanning report (security-report-schemas 15.2.1, the copy in
// ../shared/data/specs/gitlab/), which a GitLab CI job hands over as `artifacts:reports:container_scanning`.
// One vulnerability per finding: its id is a name-based UUID (RFC 9562 v5) of the finding's vulnerability,
// package and place, so the same finding has the same id in every pipeline; identifiers are the finding's
// id first (GitLab's primary identifier) and then its aliases. The format has no suppression: a suppressed
// finding (present only with --show-suppressed) says so in its description and details.
import { createHash } from 'node:crypto';
import type { Finding, SeverityLevel, VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { imageName } from '../sbom/image-source.ts';
import { advisoryUrl, idKind } from './advisory-links.ts';
import { packageIndex, packageOf, referencesOf, summaryOf, suppressionText, type PackageIndex } from './finding-facts.ts';
import type { RenderOptions } from './options.ts';
import { levelOf, sortFindings } from './order.ts';

/** The schema version this report follows (`self.version` of the schema file). */
export const GITLAB_SCHEMA_VERSION = '15.2.1';

const SEVERITIES: Record<SeverityLevel, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unspecified: 'Unknown' };

/** Spyglass's namespace for name-based UUIDs (a fixed random UUID). */
const UUID_NAMESPACE = Buffer.from('4f7d6c0e2b3a4d5e8f9a0b1c2d3e4f50', 'hex');

/** GitLab's limits (schema `maxLength`, `maxItems`). */
const MAX_NAME = 255;
const MAX_SOLUTION = 7000;
const MAX_CVSS_VECTORS = 10;

/** The CVSS vectors the schema accepts: v2 without a prefix, v3.0 and v3.1 (v4.0 has no place in 15.x). */
const GITLAB_CVSS = /^(CVSS:3\.[01]\/|AV:[NAL]\/AC:[LMH]\/Au:)/;

/** RFC 9562 §5.5: SHA-1 of namespace and name, with version 5 and the RFC 4122 variant. */
function uuidV5(name: string): string {
  const hash = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `yyyy-mm-ddThh:mm:ss` in UTC, the only form the schema's scan times take. */
function scanTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function identifier(id: string) {
  return { type: idKind(id), name: id, value: id, url: advisoryUrl(id) };
}

function cvssVectors(finding: Finding): { vendor: string; vector: string }[] {
  const rating = finding.rating;
  if (!rating) return [];
  const candidates = [
    ...(rating.cvss ? [{ vendor: rating.cvss.by, vector: rating.cvss.vector }] : []),
    ...rating.all.flatMap((entry) => (entry.cvss ? [{ vendor: entry.by, vector: entry.cvss.vector }] : [])),
  ];
  const seen = new Set<string>();
  const vectors: { vendor: string; vector: string }[] = [];
  for (const candidate of candidates) {
    const vector = candidate.vector.replace(/^\((.*)\)$/, '$1');
    const key = `${candidate.vendor} ${vector}`;
    if (!GITLAB_CVSS.test(vector) || seen.has(key)) continue;
    seen.add(key);
    vectors.push({ vendor: candidate.vendor || 'unknown', vector });
  }
  return vectors.slice(0, MAX_CVSS_VECTORS);
}

type DetailText = { name: string; type: 'text'; value: string };

function details(finding: Finding, options: RenderOptions): Record<string, DetailText> {
  const fields: Record<string, DetailText> = {};
  if (finding.suppressed) fields.suppressed = { name: 'Suppressed', type: 'text', value: suppressionText(finding.suppressed) };
  if (finding.kev) fields.kev = { name: 'Known exploited (CISA KEV)', type: 'text', value: `added ${finding.kev.dateAdded}${finding.kev.dueDate ? `, due ${finding.kev.dueDate}` : ''}` };
  if (options.epss && finding.epss) {
    fields.epss = { name: 'EPSS', type: 'text', value: `${finding.epss.score} (percentile ${finding.epss.percentile}, ${finding.epss.date})` };
  }
  if (options.details) {
    finding.matches.forEach((match, n) => {
      fields[`match_${n + 1}`] = { name: `Match: ${match.source} ${match.advisoryId}`, type: 'text', value: `${match.namespace} ${match.packageName} (${match.rule}): ${match.comparison}` };
    });
  }
  return fields;
}

function solution(finding: Finding, pkg: Package): string {
  if (finding.fixedVersions.length > 0) return `Upgrade ${pkg.name} to ${finding.fixedVersions[0]} or later.`;
  return `No fixed version of ${pkg.name} is available${finding.statusReason ? ` (${finding.statusReason})` : ''}.`;
}

function operatingSystem(report: VulnerabilityReport): string {
  const distro = report.distro;
  if (!distro) return 'Unknown';
  return distro.versionId ? `${distro.id} ${distro.versionId}` : distro.id;
}

function vulnerability(finding: Finding, pkg: Package, report: VulnerabilityReport, options: RenderOptions) {
  const summary = summaryOf(finding);
  const description = [
    summary ?? `${finding.id} affects ${pkg.name} ${pkg.version}.`,
    ...(finding.suppressed ? [`This finding is ${suppressionText(finding.suppressed)}.`] : []),
  ].join('\n\n');
  const links = referencesOf(finding).filter((url) => /^(https?|ftp):\/\/.+/.test(url)).map((url) => ({ url }));
  const vectors = cvssVectors(finding);
  const detailFields = details(finding, options);
  return {
    id: uuidV5([finding.id, pkg.purl, pkg.locations[0]?.path ?? ''].join('\n')),
    name: truncate(summary ?? finding.id, MAX_NAME),
    description,
    severity: SEVERITIES[levelOf(finding)],
    solution: truncate(solution(finding, pkg), MAX_SOLUTION),
    location: {
      dependency: { package: { name: pkg.name }, version: pkg.version },
      operating_system: operatingSystem(report),
      image: imageName(report.target),
    },
    identifiers: [finding.id, ...finding.aliases.filter((alias) => alias !== finding.id)].map(identifier),
    ...(vectors.length > 0 ? { cvss_vectors: vectors } : {}),
    links,
    ...(Object.keys(detailFields).length > 0 ? { details: detailFields } : {}),
  };
}

export function renderGitlab(report: VulnerabilityReport, options: RenderOptions): string {
  const packages: PackageIndex = packageIndex(report);
  const time = scanTime(report.createdAt);
  const tool = { id: report.tool.name, name: report.tool.name, version: report.tool.version, vendor: { name: 'Spyglass' } };
  const document = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'container_scanning',
      start_time: time,
      end_time: time,
      status: 'success',
      ...(report.warnings.length > 0 ? { messages: report.warnings.map((warning) => ({ level: 'warn', value: warning })) } : {}),
    },
    vulnerabilities: sortFindings(report.findings).map((finding) => vulnerability(finding, packageOf(packages, finding), report, options)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
