// NVD: CVSS from the CVE API 2.0 (response pages, or per-CVE `cve` objects as fkie-cad's mirror keeps
// them) and from the legacy JSON 1.1 feeds (`nvdcve-1.1-*.json.gz`; their `.meta` files only carry
// checksums and are ignored). Each file's JSON decides which of the three it is.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { NotACveRecordError, nvdCveAdvisory, type SkipMetric } from './cve-record.ts';
import { nvdLegacyAdvisory } from './legacy-item.ts';

const gunzipAsync = promisify(gunzip);

export const nvdFeed: Feed = {
  name: 'nvd',
  defaultLocations: ['https://services.nvd.nist.gov/rest/json/cves/2.0'],
  wants: (file) => /\.json(\.gz)?$/.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    // The 1.1 `modified` and `recent` feeds repeat CVEs of the yearly feeds with newer data, and the
    // store keeps the first record of an id: they are read first, and later copies of an id dropped.
    const all: FeedFile[] = [];
    for await (const file of files) all.push(file);
    const rank = (name: string) => (/nvdcve-1\.1-modified/.test(name) ? 0 : /nvdcve-1\.1-recent/.test(name) ? 1 : 2);
    all.sort((a, b) => rank(a.name) - rank(b.name));
    const emitted = new Set<string>();
    const once: RecordSink = {
      ...sink,
      advisory: (advisory) => {
        if (emitted.has(advisory.id)) return;
        emitted.add(advisory.id);
        sink.advisory(advisory);
      },
    };
    for (const file of all) {
      let document: unknown;
      try {
        const bytes = await file.read();
        const raw = file.name.endsWith('.gz') ? await gunzipAsync(bytes) : bytes;
        document = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        sink.skipped({ where: file.name, reason: `unreadable JSON: ${(error as Error).message}` });
        continue;
      }
      ingestDocument(file.name, document, once);
    }
  },
};

function ingestDocument(name: string, document: unknown, sink: RecordSink): void {
  const skip: SkipMetric = (where, reason) => sink.skipped({ where: `${name} ${where}`, reason });
  const record = document !== null && typeof document === 'object' ? (document as Record<string, unknown>) : {};
  const each = (items: unknown[], read: (item: unknown) => void, label: string) => {
    items.forEach((item, index) => {
      try {
        read(item);
      } catch (error) {
        if (!(error instanceof NotACveRecordError)) throw error;
        sink.skipped({ where: `${name} ${label}[${index}]`, reason: error.message });
      }
    });
  };
  if (Array.isArray(record.vulnerabilities)) {
    // API 2.0 page: `vulnerabilities[].cve`.
    each(
      record.vulnerabilities as unknown[],
      (item) => sink.advisory(nvdCveAdvisory(item !== null && typeof item === 'object' ? (item as { cve?: unknown }).cve : undefined, skip)),
      'vulnerabilities',
    );
  } else if (Array.isArray(record.CVE_Items)) {
    each(record.CVE_Items as unknown[], (item) => sink.advisory(nvdLegacyAdvisory(item, skip)), 'CVE_Items');
  } else if (typeof record.id === 'string' && ('metrics' in record || 'descriptions' in record)) {
    each([record], (item) => sink.advisory(nvdCveAdvisory(item, skip)), 'cve');
  } else {
    sink.skipped({ where: name, reason: 'neither an NVD API 2.0 page, a JSON 1.1 feed nor a CVE API 2.0 record' });
  }
}
