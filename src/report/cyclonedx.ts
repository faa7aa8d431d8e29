// VulnerabilityReport → CycloneDX 1.6 JSON: the image's SBOM as sbom/cyclonedx/ encodes it, plus
// `vulnerabilities` (https://cyclonedx.org/docs/1.6/json/#vulnerabilities), one per finding, whose
// `affects` names the package's component by its bom-ref (the package id). A suppressed finding carries
// an `analysis` (CycloneDX's VEX): not_affected or resolved from a VEX statement, with its justification
// mapped to CycloneDX's, or `will_not_fix` for an ignore rule.
import type { Finding, Rating, SeverityLevel, Suppression, VulnerabilityReport } from '../core/finding.ts';
import type { CvssVersion } from '../advisories/model.ts';
import { encodeCycloneDx } from '../sbom/cyclonedx/encode.ts';
import type { CdxBom, CdxProperty } from '../sbom/cyclonedx/document.ts';
import { advisoryUrl, idSource } from './advisory-links.ts';
import { packageIndex, packageOf, referencesOf, summaryOf, suppressionText, type PackageIndex } from './finding-facts.ts';
import type { RenderOptions } from './options.ts';
import { sortFindings } from './order.ts';
import { reportSbom } from './report-sbom.ts';

type CdxSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'none' | 'unknown';

interface CdxRating {
  source?: { name: string };
  score?: number;
  severity: CdxSeverity;
  method: 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';
  vector?: string;
}

interface CdxAnalysis {
  state?: 'not_affected' | 'resolved';
  justification?: string;
  response?: string[];
  detail: string;
}

interface CdxVulnerability {
  'bom-ref': string;
  id: string;
  source: { name: string; url: string };
  references?: { id: string; source: { name: string; url: string } }[];
  ratings?: CdxRating[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  updated?: string;
  affects: { ref: string; versions: { version: string; status: 'affected' }[] }[];
  analysis?: CdxAnalysis;
  properties?: CdxProperty[];
}

const SEVERITIES: Record<SeverityLevel, CdxSeverity> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', unspecified: 'unknown' };

const METHODS: Record<CvssVersion, CdxRating['method']> = { '2.0': 'CVSSv2', '3.0': 'CVSSv3', '3.1': 'CVSSv31', '4.0': 'CVSSv4' };

/**
 * OpenVEX (and CSAF) justifications → CycloneDX's impactAnalysisJustification, as CycloneDX's own
 * VEX mapping pairs them; CycloneDX's own values pass through.
 */
const JUSTIFICATIONS: Record<string, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};
const CDX_JUSTIFICATIONS = new Set([
  'code_not_present', 'code_not_reachable', 'requires_configuration', 'requires_dependency', 'requires_environment',
  'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control',
]);

function ratings(rating: Rating | undefined): CdxRating[] {
  if (!rating) return [];
  const entries: Pick<Rating['all'][number], 'by' | 'level' | 'rating' | 'cvss'>[] = rating.all.length > 0
    ? rating.all
    : [{ by: rating.by ?? 'spyglass', level: rating.level, rating: rating.rating, cvss: rating.cvss }];
  const seen = new Set<string>();
  const out: CdxRating[] = [];
  for (const entry of entries) {
    // A source that gave neither a score nor a rating rated nothing.
    if (entry.level === 'unspecified' && !entry.cvss && !entry.rating) continue;
    const one: CdxRating = {
      source: { name: entry.by },
      ...(entry.cvss ? { score: entry.cvss.score } : {}),
      severity: SEVERITIES[entry.level],
      method: entry.cvss ? METHODS[entry.cvss.version] : 'other',
      ...(entry.cvss ? { vector: entry.cvss.vector } : {}),
    };
    const key = JSON.stringify(one);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(one);
  }
  return out;
}

function analysis(suppression: Suppression): CdxAnalysis {
  const detail = suppressionText(suppression);
  if (suppression.kind === 'ignore') return { response: ['will_not_fix'], detail };
  const state = suppression.status === 'fixed' ? 'resolved' : 'not_affected';
  const reason = suppression.reason?.trim();
  const justification = reason ? (JUSTIFICATIONS[reason] ?? (CDX_JUSTIFICATIONS.has(reason) ? reason : undefined)) : undefined;
  return { state, ...(state === 'not_affected' && justification ? { justification } : {}), detail };
}

/** A source's date as RFC 3339 date-time (sources write `2021-05-06`, or a time without a zone meaning UTC). */
function dateTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const iso = /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00Z` : /(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function properties(finding: Finding, options: RenderOptions): CdxProperty[] {
  const out: CdxProperty[] = [{ name: 'spyglass:status', value: finding.status }];
  if (finding.statusReason) out.push({ name: 'spyglass:statusReason', value: finding.statusReason });
  if (finding.affectedRange) out.push({ name: 'spyglass:affectedRange', value: finding.affectedRange });
  if (finding.kev) out.push({ name: 'spyglass:kev:dateAdded', value: finding.kev.dateAdded });
  if (options.epss && finding.epss) {
    out.push({ name: 'spyglass:epss:score', value: String(finding.epss.score) }, { name: 'spyglass:epss:percentile', value: String(finding.epss.percentile) });
  }
  if (options.details) for (const match of finding.matches) out.push({ name: 'spyglass:match', value: `${match.source} ${match.advisoryId}: ${match.namespace} ${match.packageName} (${match.rule}) ${match.comparison}` });
  return out;
}

function vulnerability(finding: Finding, packages: PackageIndex, options: RenderOptions): CdxVulnerability {
  const pkg = packageOf(packages, finding);
  const preferred = finding.sources.find((source) => source.id === finding.matches[0]?.advisoryId) ?? finding.sources[0];
  const summary = summaryOf(finding);
  const advisories = referencesOf(finding).map((url) => ({ url }));
  const published = dateTime(preferred?.published);
  const updated = dateTime(preferred?.modified);
  const found = ratings(finding.rating);
  return {
    'bom-ref': `${finding.id}:${pkg.id}`,
    id: finding.id,
    source: { name: idSource(finding.id), url: advisoryUrl(finding.id) },
    ...(finding.aliases.length > 0 ? { references: finding.aliases.map((alias) => ({ id: alias, source: { name: idSource(alias), url: advisoryUrl(alias) } })) } : {}),
    ...(found.length > 0 ? { ratings: found } : {}),
    ...(summary ? { description: summary } : {}),
    ...(finding.fixedVersions.length > 0 ? { recommendation: `Upgrade ${pkg.name} to ${finding.fixedVersions[0]} or later.` } : {}),
    ...(advisories.length > 0 ? { advisories } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
    affects: [{ ref: pkg.id, versions: [{ version: pkg.version, status: 'affected' }] }],
    ...(finding.suppressed ? { analysis: analysis(finding.suppressed) } : {}),
    properties: properties(finding, options),
  };
}

export function renderCyclonedx(report: VulnerabilityReport, options: RenderOptions): string {
  const packages = packageIndex(report);
  const bom: CdxBom & { vulnerabilities: CdxVulnerability[] } = {
    ...encodeCycloneDx(reportSbom(report)),
    vulnerabilities: sortFindings(report.findings).map((finding) => vulnerability(finding, packages, options)),
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
