// What SUSE's CVRF and CSAF documents have in common once read: per CVE, a list of ProductIDs with a
// verdict, turned into one Advisory per CVE (id the CVE, alias the SUSE-SU id) with one affected row
// per (release namespace, binary package).
import type { Advisory, AffectedPackage, RecordSink, SeverityEntry } from '../../model.ts';
import { cvssSeverity } from '../../cvss.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { splitPackageReference, splitProductId, suseNamespace } from './products.ts';

export const SOURCE = 'suse';

export type ProductVerdict = 'fixed' | 'not-affected' | 'affected';

/** One vulnerability of a document, in neutral terms. */
export interface SuseVulnerability {
  cve: string;
  description?: string;
  /** SUSE's own rating (`important`, `moderate`…). */
  rating?: string;
  cvss: { vector: string; score?: unknown; version?: string }[];
  references: string[];
  products: { productId: string; verdict: ProductVerdict }[];
}

export interface SuseDocument {
  /** `SUSE-SU-2022:1061-1`, or the CVE itself for a CSAF VEX document. */
  id: string;
  title?: string;
  published?: string;
  modified?: string;
  references: string[];
  vulnerabilities: SuseVulnerability[];
  /** ProductID → (product, package reference), from the document's relationships; else the id is split at its last colon. */
  relationships: Map<string, { product: string; reference: string }>;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

export function suseAdvisories(document: SuseDocument, where: string, sink: RecordSink): Advisory[] {
  const advisories: Advisory[] = [];
  for (const vulnerability of document.vulnerabilities) {
    const at = `${where} ${vulnerability.cve || '(no CVE)'}`;
    if (!CVE.test(vulnerability.cve)) {
      sink.skipped({ where: at, reason: `vulnerability without a CVE id (${JSON.stringify(vulnerability.cve)})` });
      continue;
    }
    const affected = affectedRows(document, vulnerability, at, sink);
    const advisory: Advisory = {
      source: SOURCE,
      id: vulnerability.cve,
      aliases: document.id !== vulnerability.cve ? [document.id] : [],
      severity: severities(vulnerability, at, sink),
      references: [...new Set([...vulnerability.references, ...document.references])],
      affected,
    };
    if (vulnerability.description) advisory.details = vulnerability.description;
    if (document.title) advisory.summary = document.title;
    if (document.published) advisory.published = document.published;
    if (document.modified) advisory.modified = document.modified;
    advisories.push(advisory);
  }
  return advisories;
}

function severities(vulnerability: SuseVulnerability, at: string, sink: RecordSink): SeverityEntry[] {
  const entries: SeverityEntry[] = [];
  const seen = new Set<string>();
  for (const cvss of vulnerability.cvss) {
    if (seen.has(cvss.vector)) continue;
    seen.add(cvss.vector);
    try {
      const score = typeof cvss.score === 'string' && cvss.score !== '' ? Number(cvss.score) : cvss.score;
      entries.push(cvssSeverity(SOURCE, cvss.vector, { score, ...(cvss.version === undefined ? {} : { version: cvss.version }) }));
    } catch (error) {
      sink.skipped({ where: at, reason: `invalid CVSS vector ${JSON.stringify(cvss.vector)}: ${(error as Error).message}` });
    }
  }
  if (vulnerability.rating) entries.push({ by: SOURCE, rating: vulnerability.rating });
  return entries;
}

function affectedRows(document: SuseDocument, vulnerability: SuseVulnerability, at: string, sink: RecordSink): AffectedPackage[] {
  const rows = new Map<string, AffectedPackage>();
  const badIds: string[] = [];
  for (const { productId, verdict } of vulnerability.products) {
    const split = document.relationships.get(productId) ?? splitProductId(productId);
    if (!split) {
      badIds.push(productId);
      continue;
    }
    const namespace = suseNamespace(split.product);
    if (namespace === undefined) continue; // a product no scan detects (Package Hub, containers, Micro…)
    if (verdict === 'fixed') {
      const pkg = splitPackageReference(split.reference);
      if (!pkg) {
        badIds.push(productId);
        continue;
      }
      const key = `${namespace}\u0000${pkg.name}`;
      const row = rows.get(key) ?? { namespace, packageName: pkg.name, status: 'fixed', ranges: [], fixedVersions: [] };
      rows.set(key, row);
      if (row.status === 'fixed' && !row.fixedVersions.includes(pkg.evr)) row.fixedVersions.push(pkg.evr);
    } else {
      // VEX lists not-affected and affected packages by name only.
      const name = split.reference;
      const key = `${namespace}\u0000${name}`;
      if (rows.has(key)) continue;
      rows.set(key, { namespace, packageName: name, status: verdict, ranges: verdict === 'affected' ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] : [], fixedVersions: [] });
    }
  }
  if (badIds.length > 0) sink.skipped({ where: at, reason: `${badIds.length} product id(s) without a readable package-version-release, e.g. ${JSON.stringify(badIds[0])}` });
  for (const row of rows.values()) {
    if (row.status !== 'fixed') continue;
    // Several products of one release (a module and its LTSS) may name different fixes: the lowest
    // one bounds the range, every one is shown.
    row.fixedVersions.sort((a, b) => rpm.compare(a, b));
    row.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixedVersions[0] as string }] }];
  }
  return [...rows.values()];
}
