// SUSE CVRF 1.2 in the JSON form of aquasecurity/vuln-list (`cvrf/suse/<suse|opensuse>/<year>/SUSE-SU-….json`,
// what Trivy reads): `Tracking.ID`, `ProductTree.Relationships[]` {ProductReference,
// RelatesToProductReference}, `Vulnerabilities[]` {CVE, Description, Threats[{Type, Severity}],
// References[{URL}], ProductStatuses[{Type "Fixed", ProductID[]}], CVSSScoreSets {BaseScore, Vector}}.
import type { SuseDocument, SuseVulnerability } from './build.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function isCvrfJson(data: unknown): boolean {
  return isObject(data) && isObject(data.Tracking) && 'Vulnerabilities' in data;
}

/** The document, or a reason it cannot be read. */
export function readCvrfJson(data: unknown): SuseDocument | { problem: string } {
  if (!isObject(data) || !isObject(data.Tracking)) return { problem: 'not a SUSE CVRF document (no Tracking)' };
  const id = text(data.Tracking.ID);
  if (!id) return { problem: 'CVRF document without Tracking.ID' };
  if (!Array.isArray(data.Vulnerabilities)) return { problem: 'CVRF document without a Vulnerabilities list' };
  const relationships = new Map<string, { product: string; reference: string }>();
  for (const relationship of list(isObject(data.ProductTree) ? data.ProductTree.Relationships : undefined)) {
    if (!isObject(relationship)) continue;
    const reference = text(relationship.ProductReference);
    const product = text(relationship.RelatesToProductReference);
    if (reference && product) relationships.set(`${product}:${reference}`, { product, reference });
  }
  const notes = list(data.Notes).filter(isObject);
  const topic = notes.find((note) => note.Type === 'Summary' || note.Title === 'Topic');
  const vulnerabilities: SuseVulnerability[] = data.Vulnerabilities.filter(isObject).map((vulnerability) => {
    const threat = list(vulnerability.Threats).filter(isObject).find((entry) => entry.Type === 'Impact');
    const scoreSets = Array.isArray(vulnerability.CVSSScoreSets) ? vulnerability.CVSSScoreSets : [vulnerability.CVSSScoreSets];
    const cvss = scoreSets.filter(isObject).flatMap((set) => {
      const vector = text(set.Vector);
      return vector ? [{ vector, score: set.BaseScore }] : [];
    });
    const products = list(vulnerability.ProductStatuses)
      .filter(isObject)
      .flatMap((status) => {
        const verdict = status.Type === 'Fixed' ? 'fixed' : status.Type === 'Known Not Affected' ? 'not-affected' : status.Type === 'Known Affected' ? 'affected' : undefined;
        if (verdict === undefined) return [];
        return list(status.ProductID).flatMap((productId) => (typeof productId === 'string' ? [{ productId, verdict } as const] : []));
      });
    return {
      cve: typeof vulnerability.CVE === 'string' ? vulnerability.CVE : '',
      ...(text(vulnerability.Description) ? { description: text(vulnerability.Description) } : {}),
      ...(threat && text(threat.Severity) ? { rating: text(threat.Severity) } : {}),
      cvss,
      references: list(vulnerability.References).flatMap((reference) => (isObject(reference) && text(reference.URL) ? [reference.URL as string] : [])),
      products,
    };
  });
  const document: SuseDocument = {
    id,
    references: list(data.References).flatMap((reference) => (isObject(reference) && text(reference.URL) ? [reference.URL as string] : [])),
    vulnerabilities,
    relationships,
  };
  const title = text(data.Title) ?? (topic ? text(topic.Text) : undefined);
  if (title) document.title = title;
  const published = text(data.Tracking.InitialReleaseDate);
  const modified = text(data.Tracking.CurrentReleaseDate);
  if (published) document.published = published;
  if (modified) document.modified = modified;
  return document;
}
