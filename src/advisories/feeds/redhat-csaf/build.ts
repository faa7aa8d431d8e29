// Red Hat CSAF 2.0 documents (https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html) into advisories:
// one per CVE (id the CVE, aliases the RHSA ids that fix it), with one affected row per (rhel:N, package, module
// stream). Both of Red Hat's document kinds have category `csaf_vex`: the per-CVE VEX documents (fixed packages,
// and components named without a version under `known_affected`/`known_not_affected`) and the per-RHSA advisories.
//   fixed                → 'fixed', ECOSYSTEM range introduced 0 / the lowest fixed EVR of the release
//   known_affected       → 'affected', or 'will-not-fix' when its remediation is `no_fix_planned` (details such as
//                          "Will not fix" or "Out of support scope" become the status reason)
//   known_not_affected   → 'not-affected'
//   under_investigation  → 'affected', status reason "Under investigation"
// Package names are Red Hat's: binary rpm names for the fixed builds (and the source rpm's name from its `.src`
// entry), source (component) names for the versionless entries; the matcher looks up an rpm by both.
import type { Advisory, AffectedPackage, AffectedStatus, RecordSink, SeverityEntry } from '../../model.ts';
import { cvssSeverity } from '../../cvss.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { readProductTree, resolveProduct, type ProductTree } from './products.ts';

export const SOURCE = 'redhat-csaf';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const strings = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === 'string');

const CVE = /^CVE-\d{4}-\d{4,}$/;
const RHSA = /\bRH[SBE]A-\d{4}:\d+\b/g;

/** CSAF product statuses Red Hat writes, and what each means here. */
const STATUSES: Readonly<Record<string, AffectedStatus>> = {
  fixed: 'fixed',
  known_affected: 'affected',
  known_not_affected: 'not-affected',
  under_investigation: 'affected',
};

/** Which verdict wins when several products of one release name the same package: a shipped fix first. */
const RANK: Readonly<Record<string, number>> = { fixed: 3, 'will-not-fix': 2, affected: 2, 'not-affected': 1 };

interface Remediation {
  category: string;
  details?: string;
  url?: string;
}

export interface RedHatDocument {
  id: string;
  title?: string;
  published?: string;
  modified?: string;
  /** The document's `aggregate_severity` (VEX: Red Hat's impact of the CVE). */
  aggregate?: string;
  references: string[];
  tree: ProductTree;
  vulnerabilities: Record<string, unknown>[];
}

export function readRedHatCsaf(data: unknown): RedHatDocument | { problem: string } {
  if (!isObject(data) || !isObject(data.document) || typeof data.document.csaf_version !== 'string') return { problem: 'not a CSAF document (no document.csaf_version)' };
  const doc = data.document;
  if (doc.category !== 'csaf_vex' && doc.category !== 'csaf_security_advisory') return { problem: `CSAF category ${JSON.stringify(doc.category)} is not a VEX or an advisory` };
  const tracking = isObject(doc.tracking) ? doc.tracking : {};
  const id = text(tracking.id);
  if (!id) return { problem: 'CSAF document without document.tracking.id' };
  if (!Array.isArray(data.vulnerabilities)) return { problem: `CSAF document ${id} has no vulnerabilities list` };
  if (!isObject(data.product_tree)) return { problem: `CSAF document ${id} has no product_tree` };
  const document: RedHatDocument = {
    id,
    references: list(doc.references).flatMap((reference) => (isObject(reference) && text(reference.url) ? [reference.url as string] : [])),
    tree: readProductTree(data.product_tree),
    vulnerabilities: data.vulnerabilities.filter(isObject),
  };
  const title = text(doc.title);
  const published = text(tracking.initial_release_date);
  const modified = text(tracking.current_release_date);
  const aggregate = isObject(doc.aggregate_severity) ? text(doc.aggregate_severity.text) : undefined;
  if (title) document.title = title;
  if (published) document.published = published;
  if (modified) document.modified = modified;
  if (aggregate) document.aggregate = aggregate;
  return document;
}

function severities(vulnerability: Record<string, unknown>, document: RedHatDocument, at: string, sink: RecordSink): SeverityEntry[] {
  const entries: SeverityEntry[] = [];
  const impact = list(vulnerability.threats).filter(isObject).find((threat) => threat.category === 'impact');
  // Red Hat's own rating of the CVE (Low, Moderate, Important, Critical); a VEX document repeats it as its aggregate severity.
  const rating = (impact ? text(impact.details) : undefined) ?? (document.id === vulnerability.cve ? document.aggregate : undefined);
  if (rating) entries.push({ by: 'redhat', rating });
  const seen = new Set<string>();
  for (const score of list(vulnerability.scores).filter(isObject)) {
    for (const cvss of [score.cvss_v3, score.cvss_v2].filter(isObject)) {
      const vector = text(cvss.vectorString);
      if (!vector || seen.has(vector)) continue;
      seen.add(vector);
      const version = text(cvss.version);
      try {
        entries.push(cvssSeverity('redhat', vector, { score: cvss.baseScore, ...(version === undefined ? {} : { version }) }));
      } catch (error) {
        sink.skipped({ where: at, reason: `invalid CVSS vector ${JSON.stringify(vector)}: ${(error as Error).message}` });
      }
    }
  }
  return entries;
}

function remediationsByProduct(vulnerability: Record<string, unknown>): Map<string, Remediation[]> {
  const byProduct = new Map<string, Remediation[]>();
  for (const remediation of list(vulnerability.remediations).filter(isObject)) {
    const category = text(remediation.category);
    if (!category) continue;
    const entry: Remediation = { category };
    const details = text(remediation.details);
    const url = text(remediation.url);
    if (details) entry.details = details;
    if (url) entry.url = url;
    for (const productId of strings(remediation.product_ids)) byProduct.set(productId, [...(byProduct.get(productId) ?? []), entry]);
  }
  return byProduct;
}

/** An unfixed product's verdict and reason, from its remediations. */
function unfixedVerdict(remediations: Remediation[]): { status: AffectedStatus; statusReason?: string } {
  const noFix = remediations.find((remediation) => remediation.category === 'no_fix_planned');
  if (noFix) return { status: 'will-not-fix', ...(noFix.details ? { statusReason: noFix.details } : {}) };
  // `none_available` says "Affected" (nothing to add) or why not yet: "Fix deferred", "Under investigation".
  const none = remediations.find((remediation) => remediation.category === 'none_available');
  if (none?.details && none.details !== 'Affected') return { status: 'affected', statusReason: none.details };
  return { status: 'affected' };
}

export function redHatAdvisories(document: RedHatDocument, where: string, sink: RecordSink): Advisory[] {
  const advisories: Advisory[] = [];
  for (const vulnerability of document.vulnerabilities) {
    const cve = typeof vulnerability.cve === 'string' ? vulnerability.cve : '';
    const at = `${where} ${cve || '(no CVE)'}`;
    if (!CVE.test(cve)) {
      sink.skipped({ where: at, reason: `vulnerability without a CVE id (${JSON.stringify(vulnerability.cve)})` });
      continue;
    }
    const remediations = remediationsByProduct(vulnerability);
    const fixes = [...remediations.values()].flat().filter((remediation) => remediation.category === 'vendor_fix');
    const bundles = new Set<string>(/^RH[SBE]A-/.test(document.id) ? [document.id] : []);
    for (const fix of fixes) for (const id of `${fix.url ?? ''}`.match(RHSA) ?? []) bundles.add(id);
    const references = list(vulnerability.references).flatMap((reference) => (isObject(reference) && text(reference.url) ? [reference.url as string] : []));
    const description = list(vulnerability.notes).filter(isObject).find((note) => note.category === 'description');
    const advisory: Advisory = {
      source: SOURCE,
      id: cve,
      aliases: [...bundles].sort(),
      severity: severities(vulnerability, document, at, sink),
      references: [...new Set([...references, ...document.references, ...fixes.flatMap((fix) => (fix.url ? [fix.url] : []))])],
      affected: affectedRows(document.tree, vulnerability, remediations, at, sink),
    };
    const summary = text(vulnerability.title) ?? document.title;
    const details = description ? text(description.text) : undefined;
    const published = text(vulnerability.release_date) ?? document.published;
    if (summary) advisory.summary = summary;
    if (details) advisory.details = details;
    if (published) advisory.published = published;
    if (document.modified) advisory.modified = document.modified;
    advisories.push(advisory);
  }
  return advisories;
}

function affectedRows(tree: ProductTree, vulnerability: Record<string, unknown>, remediations: Map<string, Remediation[]>, at: string, sink: RecordSink): AffectedPackage[] {
  const rows = new Map<string, AffectedPackage>();
  const unreadable: string[] = [];
  const statuses = isObject(vulnerability.product_status) ? vulnerability.product_status : {};
  for (const [key, value] of Object.entries(statuses)) {
    const verdict = STATUSES[key];
    if (verdict === undefined) {
      if (list(value).length > 0) sink.skipped({ where: at, reason: `product status ${JSON.stringify(key)} is not read (${list(value).length} product(s))` });
      continue;
    }
    for (const productId of strings(value)) {
      const resolved = resolveProduct(tree, productId);
      if (resolved === undefined) {
        unreadable.push(productId);
        continue;
      }
      if ('skip' in resolved) continue; // an EUS/AUS/E4S/TUS stream, a layered product or a container image
      const { namespace, pkg } = resolved;
      // A modular build whose purl lacks `rpmmod` cannot say its stream: the row then applies to any.
      const module = pkg.module ?? (pkg.evr !== undefined && /\.module[+_]/.test(pkg.evr) ? undefined : '');
      const rowKey = `${namespace}\u0000${pkg.name}\u0000${module ?? '*'}`;
      let row: AffectedPackage;
      if (verdict === 'fixed') {
        if (pkg.evr === undefined || !rpm.valid(pkg.evr)) {
          unreadable.push(productId);
          continue;
        }
        row = { namespace, packageName: pkg.name, status: 'fixed', ranges: [], fixedVersions: [pkg.evr] };
      } else if (verdict === 'not-affected') {
        row = { namespace, packageName: pkg.name, status: 'not-affected', ranges: [], fixedVersions: [] };
      } else {
        const unfixed = key === 'under_investigation' ? { status: 'affected' as const, statusReason: 'Under investigation' } : unfixedVerdict(remediations.get(productId) ?? []);
        row = { namespace, packageName: pkg.name, ...unfixed, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], fixedVersions: [] };
      }
      if (module !== undefined) row.module = module;
      const known = rows.get(rowKey);
      if (known === undefined || (RANK[row.status] ?? 0) > (RANK[known.status] ?? 0)) rows.set(rowKey, row);
      else if (known.status === 'fixed' && row.status === 'fixed' && !known.fixedVersions.includes(row.fixedVersions[0] as string)) known.fixedVersions.push(row.fixedVersions[0] as string);
    }
  }
  if (unreadable.length > 0) sink.skipped({ where: at, reason: `${unreadable.length} product id(s) without a known platform or a readable package version, e.g. ${JSON.stringify(unreadable[0])}` });
  for (const row of rows.values()) {
    if (row.status !== 'fixed') continue;
    // Several platforms of one release (BaseOS and AppStream, 9.3 and 9.4 main) may name different builds: the
    // lowest fix bounds the range, every one is shown.
    row.fixedVersions.sort((a, b) => rpm.compare(a, b));
    row.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixedVersions[0] as string }] }];
  }
  return [...rows.values()];
}
