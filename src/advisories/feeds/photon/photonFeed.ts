// Feed `photon`: Photon OS CVE metadata (packages.broadcom.com/photon/photon_cve_metadata/, formerly
// packages.vmware.com), one JSON array per release, `cve_data_photon4.0.json` → namespace `photon:4.0`
// (Photon's os-release VERSION_ID is "4.0"; distributions.json keeps it as written). Each element is one
// (CVE, package) verdict, as Trivy's and Grype's Photon providers read it:
//   { "cve_id": "CVE-2023-38545", "pkg": "curl", "cve_score": 9.8,
//     "aff_ver": "all versions before 7.88.1-4.ph4 are vulnerable", "res_ver": "7.88.1-4.ph4", "status": "Fixed" }
// `res_ver` "NA" (or empty): no fix yet → affected; `status` "Not Affected" → not-affected (older files
// have no status). One advisory per CVE and release. `cve_score` is a CVSS base score without its vector or
// version: it is kept as Photon's rating word on FIRST's bands, as Grype does. Black Duck ids (`BDSA-…`)
// have no public record and are skipped.
import type { Feed, FeedFile } from '../feed.ts';
import type { Advisory, AffectedPackage, RecordSink } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { levelOfScore } from '../../../severity/scale.ts';
import { parseJsonFile } from '../json-file.ts';

const FILE = /(?:^|\/)cve_data_photon(\d+\.\d+)\.json$/;
const CVE = /^CVE-\d{4}-\d{4,}$/;
const BASE = 'https://packages.broadcom.com/photon/photon_cve_metadata';
const RELEASES = ['1.0', '2.0', '3.0', '4.0', '5.0'];

type Read<T> = { value: T } | { problem: string };

interface Entry {
  cve: string;
  row: AffectedPackage;
  score?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readEntry(entry: unknown, namespace: string): Read<Entry> {
  if (!isObject(entry)) return { problem: 'not an object' };
  const { cve_id: cve, pkg, res_ver: fixed, status, cve_score: score } = entry;
  if (typeof cve !== 'string' || !CVE.test(cve)) return { problem: `cve_id ${JSON.stringify(cve)} is not a CVE id` };
  if (typeof pkg !== 'string' || !/^[\w.+-]+$/.test(pkg)) return { problem: `pkg ${JSON.stringify(pkg)} is not a package name` };
  if (score !== undefined && score !== null && (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10)) return { problem: `cve_score ${JSON.stringify(score)} is not a CVSS score` };
  if (fixed !== undefined && typeof fixed !== 'string') return { problem: `res_ver ${JSON.stringify(fixed)} is not a string` };
  const base = { namespace, packageName: pkg, fixedVersions: [] as string[] };
  const scored = typeof score === 'number' ? { score } : {};
  if (status === 'Not Affected') return { value: { cve, row: { ...base, status: 'not-affected', ranges: [] }, ...scored } };
  if (status !== undefined && status !== 'Fixed') return { problem: `unknown status ${JSON.stringify(status)}` };
  if (fixed === undefined || fixed === '' || fixed === 'NA') {
    return { value: { cve, row: { ...base, status: 'affected', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }, ...scored } };
  }
  if (!rpm.valid(fixed)) return { problem: `res_ver ${JSON.stringify(fixed)} is not an rpm version` };
  return { value: { cve, row: { ...base, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], fixedVersions: [fixed] }, ...scored } };
}

export function readPhotonFile(name: string, content: string, sink: RecordSink): void {
  const release = FILE.exec(name)?.[1];
  if (release === undefined) return;
  const namespace = `photon:${release}`;
  const parsed = parseJsonFile(name, content, sink);
  if (parsed === undefined) return;
  const data = parsed.value;
  if (!Array.isArray(data)) {
    sink.skipped({ where: name, reason: 'not a JSON array of CVE entries' });
    return;
  }
  const byCve = new Map<string, Advisory>();
  for (const [position, element] of data.entries()) {
    const id = isObject(element) && typeof element.cve_id === 'string' ? element.cve_id : `[${position}]`;
    const where = `${name} ${id}${isObject(element) && typeof element.pkg === 'string' ? ` ${element.pkg}` : ''}`;
    if (/^BDSA-/.test(id)) {
      sink.skipped({ where, reason: 'a Black Duck (BDSA) id: no public record' });
      continue;
    }
    const read = readEntry(element, namespace);
    if ('problem' in read) {
      sink.skipped({ where, reason: read.problem });
      continue;
    }
    const { cve, row, score } = read.value;
    const advisory = byCve.get(cve) ?? { source: 'photon', id: cve, aliases: [], severity: [], references: [], affected: [] };
    byCve.set(cve, advisory);
    const duplicate = advisory.affected.find((known) => known.packageName === row.packageName);
    if (duplicate !== undefined) {
      if (JSON.stringify(duplicate) !== JSON.stringify(row)) sink.skipped({ where, reason: `a second, different verdict for ${row.packageName}` });
      continue;
    }
    advisory.affected.push(row);
    const level = score === undefined ? undefined : levelOfScore(score);
    if (advisory.severity.length === 0 && level !== undefined && level !== 'unspecified') advisory.severity.push({ by: 'photon', rating: level });
  }
  for (const advisory of byCve.values()) sink.advisory(advisory);
}

export const photonFeed: Feed = {
  name: 'photon',
  defaultLocations: RELEASES.map((release) => `${BASE}/cve_data_photon${release}.json`),
  wants: (file) => FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (FILE.test(file.name)) readPhotonFile(file.name, (await file.read()).toString('utf8'), sink);
    }
  },
};
