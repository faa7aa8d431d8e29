// VulnerabilityReport → SPDX 2.3 JSON: the image's SBOM as sbom/spdx/ encodes it, with each finding on
// its package. SPDX 2.3 has no vulnerability section (SPDX 3.0's security profile has one), so a finding
// is what 2.3 allows: an external reference of category SECURITY, type `advisory` (SPDX 2.3 Annex F: "a
// reference to the published security advisory"), whose locator is the vulnerability's page and whose
// comment says severity and fix; and an annotation `spyglass:vulnerability=<JSON>` that lists the finding
// for tools, in the `name=value` form the SBOM encoder uses for the fields SPDX has no place for.
import type { Finding, VulnerabilityReport } from '../core/finding.ts';
import { encodeSpdx, spdxId } from '../sbom/spdx/encode.ts';
import type { SpdxAnnotation, SpdxPackage } from '../sbom/spdx/document.ts';
import { advisoryUrl } from './advisory-links.ts';
import { fixText, packageIndex, packageOf, suppressionText } from './finding-facts.ts';
import type { RenderOptions } from './options.ts';
import { levelOf, sortFindings } from './order.ts';
import { reportSbom } from './report-sbom.ts';

type SpdxExternalRef = { referenceCategory: string; referenceType: string; referenceLocator: string; comment?: string };

function referenceComment(finding: Finding): string {
  const cvss = finding.rating?.cvss;
  return [
    `${finding.id}${finding.aliases.length > 0 ? ` (${finding.aliases.join(', ')})` : ''}`,
    `severity ${levelOf(finding)}${cvss ? `, CVSS ${cvss.version} ${cvss.score.toFixed(1)}` : ''}`,
    fixText(finding),
    ...(finding.suppressed ? [suppressionText(finding.suppressed)] : []),
  ].join('; ');
}

/** What the annotation says of a finding: enough to act on it without the Spyglass report. */
function annotationValue(finding: Finding, installedVersion: string, options: RenderOptions): string {
  const cvss = finding.rating?.cvss;
  return JSON.stringify({
    id: finding.id,
    aliases: finding.aliases,
    severity: levelOf(finding),
    ...(finding.rating?.by ? { ratedBy: finding.rating.by } : {}),
    ...(cvss ? { cvss: { version: cvss.version, score: cvss.score, vector: cvss.vector, by: cvss.by } } : {}),
    installedVersion,
    status: finding.status,
    ...(finding.statusReason ? { statusReason: finding.statusReason } : {}),
    fixedVersions: finding.fixedVersions,
    ...(finding.kev ? { kev: { dateAdded: finding.kev.dateAdded } } : {}),
    ...(options.epss && finding.epss ? { epss: { score: finding.epss.score, percentile: finding.epss.percentile, date: finding.epss.date } } : {}),
    ...(finding.suppressed ? { suppressed: finding.suppressed } : {}),
  });
}

export function renderSpdx(report: VulnerabilityReport, options: RenderOptions): string {
  const packages = packageIndex(report);
  const document = encodeSpdx(reportSbom(report));
  const bySpdxId = new Map<string, SpdxPackage>((document.packages ?? []).map((pkg) => [pkg.SPDXID, pkg]));
  const created = document.creationInfo.created;
  const annotator = document.creationInfo.creators[0]!;

  for (const finding of sortFindings(report.findings)) {
    const pkg = packageOf(packages, finding);
    const target = bySpdxId.get(spdxId(pkg));
    if (!target) throw new Error(`the SPDX document has no package for ${pkg.id}`);
    const reference: SpdxExternalRef = { referenceCategory: 'SECURITY', referenceType: 'advisory', referenceLocator: advisoryUrl(finding.id), comment: referenceComment(finding) };
    target.externalRefs = [...(target.externalRefs ?? []), reference];
    const annotation: SpdxAnnotation = { annotationDate: created, annotationType: 'OTHER', annotator, comment: `spyglass:vulnerability=${annotationValue(finding, pkg.version, options)}` };
    target.annotations = [...(target.annotations ?? []), annotation];
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
