// SUSE CSAF 2.0 (https://docs.oasis-open.org/csaf/csaf/v2.0/): advisories (`csaf_security_advisory`,
// one per SUSE-SU/openSUSE-SU update) and VEX documents (`csaf_vex`, one per CVE). Product ids join a
// product and a package: `SUSE Linux Enterprise Server 11 SP2:bind-9.9.4P2-0.6.1.i586`, explained by
// `product_tree.relationships`. `product_status.recommended`/`fixed` are fixed packages,
// `known_not_affected` and `known_affected` name packages (no version) per product.
import type { ProductVerdict, SuseDocument, SuseVulnerability } from './build.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const STATUSES: [string, ProductVerdict][] = [
  ['fixed', 'fixed'],
  ['recommended', 'fixed'],
  ['known_not_affected', 'not-affected'],
  ['known_affected', 'affected'],
];

export function isCsaf(data: unknown): boolean {
  return isObject(data) && isObject(data.document) && typeof data.document.csaf_version === 'string';
}

export function readCsaf(data: unknown): SuseDocument | { problem: string } {
  if (!isObject(data) || !isObject(data.document)) return { problem: 'not a CSAF document (no document)' };
  const doc = data.document;
  const category = text(doc.category);
  if (category !== 'csaf_security_advisory' && category !== 'csaf_vex') return { problem: `CSAF category ${JSON.stringify(doc.category)} is not an advisory or VEX` };
  const tracking = isObject(doc.tracking) ? doc.tracking : {};
  const id = text(tracking.id);
  if (!id) return { problem: 'CSAF document without document.tracking.id' };
  if (!Array.isArray(data.vulnerabilities)) return { problem: `CSAF document ${id} has no vulnerabilities list` };
  const relationships = new Map<string, { product: string; reference: string }>();
  for (const relationship of list(isObject(data.product_tree) ? data.product_tree.relationships : undefined)) {
    if (!isObject(relationship) || !isObject(relationship.full_product_name)) continue;
    const productId = text(relationship.full_product_name.product_id);
    const reference = text(relationship.product_reference);
    const product = text(relationship.relates_to_product_reference);
    if (productId && reference && product) relationships.set(productId, { product, reference });
  }
  const aggregate = isObject(doc.aggregate_severity) ? text(doc.aggregate_severity.text) : undefined;
  const vulnerabilities: SuseVulnerability[] = data.vulnerabilities.filter(isObject).map((vulnerability) => {
    const threat = list(vulnerability.threats).filter(isObject).find((entry) => entry.category === 'impact');
    const cvss = list(vulnerability.scores)
      .filter(isObject)
      .flatMap((score) =>
        [score.cvss_v3, score.cvss_v2].filter(isObject).flatMap((entry) => {
          const vector = text(entry.vectorString);
          if (!vector) return [];
          const version = text(entry.version);
          return [{ vector, score: entry.baseScore, ...(version ? { version } : {}) }];
        }),
      );
    const status = isObject(vulnerability.product_status) ? vulnerability.product_status : {};
    const products = STATUSES.flatMap(([key, verdict]) => list(status[key]).flatMap((productId) => (typeof productId === 'string' ? [{ productId, verdict }] : [])));
    const description = list(vulnerability.notes)
      .filter(isObject)
      .find((note) => note.category === 'general' || note.category === 'description');
    const rating = (threat ? text(threat.details) : undefined) ?? (category === 'csaf_vex' ? aggregate : undefined);
    return {
      cve: typeof vulnerability.cve === 'string' ? vulnerability.cve : '',
      ...(description && text(description.text) ? { description: text(description.text) } : {}),
      ...(rating ? { rating } : {}),
      cvss,
      references: list(vulnerability.references).flatMap((reference) => (isObject(reference) && text(reference.url) ? [reference.url as string] : [])),
      products,
    };
  });
  const document: SuseDocument = {
    id,
    references: list(doc.references).flatMap((reference) => (isObject(reference) && text(reference.url) ? [reference.url as string] : [])),
    vulnerabilities,
    relationships,
  };
  const title = text(doc.title);
  if (title) document.title = title;
  const published = text(tracking.initial_release_date);
  const modified = text(tracking.current_release_date);
  if (published) document.published = published;
  if (modified) document.modified = modified;
  return document;
}
