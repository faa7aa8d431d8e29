// An image's analysis result as the server keeps it: the SBOM (enough to re-match without pulling),
// the rated report, severity counts, and the lookup keys and vulnerability ids that re-evaluation
// selects images by. One place writes it, for the first analysis and for every re-evaluation.
import type { AdvisoryStore, AffectedRow } from '../advisories/store/store.ts';
import type { Finding, VulnerabilityReport } from '../core/finding.ts';
import type { Sbom } from '../core/sbom.ts';
import { scanSbom } from '../match/scan.ts';
import { countFindings, type SeverityCounts } from '../report/counts.ts';
import { levelOf } from '../report/order.ts';
import type { Sql } from './db/sql.ts';

export interface AnalysisResult {
  report: VulnerabilityReport;
  counts: SeverityCounts;
  /** `namespace\0package` of every lookup the match made. */
  keys: Set<string>;
  /** Every finding's id and aliases. */
  vulnerabilities: Set<string>;
}

/** The store as the matcher sees it, noting every (namespace, package) it asks for. */
function recording(store: AdvisoryStore, keys: Set<string>): AdvisoryStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'affected') {
        return (namespace: string, packageName: string): Promise<AffectedRow[]> => {
          keys.add(`${namespace}\u0000${packageName}`);
          return target.affected(namespace, packageName);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function analyseSbom(sbom: Sbom, store: AdvisoryStore, now = new Date()): Promise<AnalysisResult> {
  const keys = new Set<string>();
  const report = await scanSbom(sbom, recording(store, keys), { now });
  const vulnerabilities = new Set<string>();
  for (const finding of report.findings) {
    vulnerabilities.add(finding.id);
    for (const alias of finding.aliases) vulnerabilities.add(alias);
  }
  return { report, counts: countFindings(report.findings), keys, vulnerabilities };
}

/**
 * What the stored report keeps: the report without the packages (the SBOM holds them), and each source
 * record without its reference links and dates (about half of a report's size; the vulnerability
 * database has them, by the source and id kept here). Everything a finding is rated, diffed and shown by stays.
 */
export function storedReport(report: VulnerabilityReport): Omit<VulnerabilityReport, 'packages'> {
  const { packages: _packages, ...rest } = report;
  return {
    ...rest,
    findings: report.findings.map((finding) => ({
      ...finding,
      sources: finding.sources.map(({ references: _references, published: _published, modified: _modified, ...source }) => ({ ...source, references: [] })),
    })),
  };
}

/** Writes an image's result (in `tx`): report, counts, time, database generation, keys and ids. */
/** `sbom: null` keeps the stored SBOM (a re-evaluation matched it again; it did not change). */
export async function saveResult(tx: Sql, imageId: string, sbom: Sbom | null, result: AnalysisResult, generation: number | null): Promise<void> {
  const report = JSON.stringify(storedReport(result.report));
  const values = [report, JSON.stringify(result.counts), Date.now(), generation, imageId];
  if (sbom === null) await tx.run('UPDATE images SET report = ?, counts = ?, analysed_at = ?, generation = ? WHERE id = ?', values);
  else await tx.run('UPDATE images SET sbom = ?, report = ?, counts = ?, analysed_at = ?, generation = ? WHERE id = ?', [JSON.stringify(sbom), ...values]);
  await tx.run('DELETE FROM image_keys WHERE image_id = ?', [imageId]);
  await tx.run('DELETE FROM image_vulnerabilities WHERE image_id = ?', [imageId]);
  await insertRows(tx, 'image_keys (image_id, namespace, package)', [...result.keys].map((key) => [imageId, ...(key.split('\u0000') as [string, string])]));
  await insertRows(tx, 'image_vulnerabilities (image_id, vulnerability)', [...result.vulnerabilities].map((id) => [imageId, id]));
}

/** Many rows in a few multi-row INSERTs (one round trip per 250 rows on PostgreSQL, not one per row). */
async function insertRows(tx: Sql, into: string, rows: readonly (readonly string[])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 250) {
    const chunk = rows.slice(start, start + 250);
    const placeholders = chunk.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
    await tx.run(`INSERT INTO ${into} VALUES ${placeholders} ON CONFLICT DO NOTHING`, chunk.flat());
  }
}

export interface FindingChange {
  id: string;
  package: string;
  severity?: string;
  fixedVersion?: string;
  before?: { severity: string; fixedVersion?: string };
}

export interface FindingsDiff {
  added: FindingChange[];
  removed: FindingChange[];
  changed: FindingChange[];
}

function keyOf(finding: Finding): string {
  return `${finding.id}\u0000${finding.packageId}`;
}

function describe(finding: Finding, packageName: (id: string) => string): FindingChange {
  const fixed = finding.fixedVersions[0];
  return { id: finding.id, package: packageName(finding.packageId), severity: levelOf(finding), ...(fixed !== undefined ? { fixedVersion: fixed } : {}) };
}

/** Vulnerabilities added, removed, and changed (severity, fix available) between two reports of one image. */
export function diffFindings(before: readonly Finding[], after: readonly Finding[], packageName: (id: string) => string): FindingsDiff {
  const old = new Map(before.filter((f) => !f.suppressed).map((f) => [keyOf(f), f]));
  const now = new Map(after.filter((f) => !f.suppressed).map((f) => [keyOf(f), f]));
  const diff: FindingsDiff = { added: [], removed: [], changed: [] };
  for (const [key, finding] of now) {
    const previous = old.get(key);
    if (previous === undefined) {
      diff.added.push(describe(finding, packageName));
      continue;
    }
    const wasFixed = previous.fixedVersions[0];
    if (levelOf(previous) !== levelOf(finding) || wasFixed !== finding.fixedVersions[0]) {
      diff.changed.push({ ...describe(finding, packageName), before: { severity: levelOf(previous), ...(wasFixed !== undefined ? { fixedVersion: wasFixed } : {}) } });
    }
  }
  for (const [key, finding] of old) if (!now.has(key)) diff.removed.push(describe(finding, packageName));
  return diff;
}
