// Feed `rocky-errata`: Rocky Linux's errata as its Apollo API serves them (`/api/v3/advisories/?size=N&page=P`: a page
// `{ advisories: [...], total, page, size, links }`). One advisory per RLSA/RXSA (id the errata name, aliases its
// CVEs, as the AlmaLinux and Rocky OSV records are), rating by `rocky`, and one fixed row per (rocky:MAJOR, binary
// package, module stream) from the packages' NEVRAs; the lowest fixed EVR of a release bounds the range. Source rpms
// (`.src`) are left out: every binary built from them is listed, and the binaries are what an image installs. Bug
// fix and enhancement errata (RLBA, RLEA) name no vulnerability and are not ingested.
import type { Feed, FeedFile } from '../feed.ts';
import type { Advisory, AffectedPackage, RecordSink } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { parseJsonFile } from '../json-file.ts';

export const SOURCE = 'rocky-errata';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `delve-0:1.25.2-1.el10_1.aarch64.rpm` → name, `[epoch:]version-release` (epoch only when not zero), arch. */
export function readNevra(nevra: string): { name: string; evr: string; arch: string } | undefined {
  const match = /^(.+)-(?:(\d+):)?([^-:]+)-([^-:]+)\.(\w+)$/.exec(nevra.replace(/\.rpm$/, ''));
  if (!match) return undefined;
  const epoch = match[2];
  const evr = `${epoch === undefined || epoch === '0' ? '' : `${epoch}:`}${match[3]}-${match[4]}`;
  return rpm.valid(evr) ? { name: match[1] as string, evr, arch: match[5] as string } : undefined;
}

/**
 * The release a package was published for: `Rocky Linux 8 x86_64`, `Rocky Linux 8.4 aarch64 (Legacy)` → `rocky:8`.
 * Other products (the SIGs' own kernels and builds) are not what a Rocky image installs: undefined.
 */
export function rockyNamespace(productName: string): string | undefined {
  const match = /^Rocky Linux (\d+)(?:\.\d+)? [\w]+(?: \(Legacy\))?$/.exec(productName);
  return match ? `rocky:${match[1]}` : undefined;
}

/** One Apollo advisory into an Advisory, or why it is not one. */
export function rockyAdvisory(record: Record<string, unknown>, at: string, sink: RecordSink): Advisory | undefined {
  const id = text(record.name);
  if (!id || !/^R[LX][SBE]A-\d{4}:\d+$/.test(id)) {
    sink.skipped({ where: at, reason: `advisory without an errata name (${JSON.stringify(record.name)})` });
    return undefined;
  }
  if (record.kind !== 'Security') return undefined;
  const cves = list(record.cves).flatMap((cve) => (isObject(cve) && typeof cve.cve === 'string' && /^CVE-\d{4}-\d{4,}$/.test(cve.cve) ? [cve.cve] : []));
  const rows = new Map<string, AffectedPackage>();
  const unreadable: string[] = [];
  for (const entry of list(record.packages)) {
    if (!isObject(entry)) continue;
    const nevra = text(entry.nevra) ?? '';
    const pkg = readNevra(nevra);
    if (!pkg) {
      unreadable.push(nevra);
      continue;
    }
    if (pkg.arch === 'src' || pkg.arch === 'nosrc') continue;
    const namespace = rockyNamespace(text(entry.product_name) ?? '');
    if (namespace === undefined) continue;
    const moduleName = text(entry.module_name);
    const moduleStream = text(entry.module_stream);
    // A module build (`.module+el8…`) without its stream named cannot say which stream it fixes: the row applies to any.
    const module = moduleName && moduleStream ? `${moduleName}:${moduleStream}` : /\.module[+_]/.test(pkg.evr) ? undefined : '';
    const key = `${namespace}\u0000${pkg.name}\u0000${module ?? '*'}`;
    const row = rows.get(key) ?? { namespace, packageName: pkg.name, status: 'fixed' as const, ranges: [], fixedVersions: [], ...(module === undefined ? {} : { module }) };
    rows.set(key, row);
    if (!row.fixedVersions.includes(pkg.evr)) row.fixedVersions.push(pkg.evr);
  }
  if (unreadable.length > 0) sink.skipped({ where: `${at} ${id}`, reason: `${unreadable.length} package(s) without a readable NEVRA, e.g. ${JSON.stringify(unreadable[0])}` });
  for (const row of rows.values()) {
    row.fixedVersions.sort((a, b) => rpm.compare(a, b));
    row.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixedVersions[0] as string }] }];
  }
  const severity = text(record.severity);
  const advisory: Advisory = {
    source: SOURCE,
    id,
    aliases: cves,
    severity: severity && severity !== 'None' ? [{ by: 'rocky', rating: severity }] : [],
    references: [
      `https://errata.rockylinux.org/${id}`,
      ...list(record.fixes).flatMap((fix) => (isObject(fix) && text(fix.source) ? [fix.source as string] : [])),
    ],
    affected: [...rows.values()],
  };
  const summary = text(record.synopsis);
  const details = text(record.description);
  const published = text(record.published_at);
  const modified = text(record.updated_at);
  if (summary) advisory.summary = summary;
  if (details) advisory.details = details;
  if (published) advisory.published = published;
  if (modified) advisory.modified = modified;
  return advisory;
}

export function readRockyFile(name: string, content: string, sink: RecordSink): void {
  const parsed = parseJsonFile(name, content, sink);
  if (parsed === undefined) return;
  const data = parsed.value;
  const records = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.advisories) ? data.advisories : undefined;
  if (records === undefined) {
    sink.skipped({ where: name, reason: 'not an Apollo advisories page (no advisories list)' });
    return;
  }
  records.forEach((record, index) => {
    const at = `${name} #${index}`;
    if (!isObject(record)) {
      sink.skipped({ where: at, reason: 'advisory is not an object' });
      return;
    }
    const advisory = rockyAdvisory(record, at, sink);
    if (advisory) sink.advisory(advisory);
  });
}

export const rockyErrataFeed: Feed = {
  name: 'rocky-errata',
  // None by default: the Apollo API (https://apollo.build.resf.org/api/v3/advisories/?size=100&page=N, behind
  // errata.rockylinux.org) is paged, and one download is one page. Save its pages into a folder and pass it with
  // `--source rocky-errata=DIR`; Rocky's OSV records (the `osv` source) cover the same errata.
  defaultLocations: [],
  wants: (file) => /\.json$/i.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!rockyErrataFeed.wants(file)) continue;
      readRockyFile(file.name, (await file.read()).toString('utf8'), sink);
    }
  },
};
