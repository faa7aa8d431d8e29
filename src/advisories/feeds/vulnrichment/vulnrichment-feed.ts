// CISA vulnrichment (https://github.com/cisagov/vulnrichment): CVE JSON 5 records, one per file,
// `<year>/<Nxxx>/CVE-<year>-<n>.json`, enriched by CISA's ADP with SSVC and, for some, CVSS.
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { NotACveJson5RecordError, cveJson5Advisory } from './cve-json5.ts';

export const vulnrichmentFeed: Feed = {
  name: 'vulnrichment',
  defaultLocations: ['https://github.com/cisagov/vulnrichment/archive/refs/heads/develop.tar.gz'],
  wants: (file) => /(^|\/)CVE-\d{4}-\d+\.json$/.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      let record: unknown;
      try {
        record = JSON.parse((await file.read()).toString('utf8'));
      } catch (error) {
        sink.skipped({ where: file.name, reason: `unreadable JSON: ${(error as Error).message}` });
        continue;
      }
      try {
        sink.advisory(cveJson5Advisory(record, (where, reason) => sink.skipped({ where: `${file.name} ${where}`, reason })));
      } catch (error) {
        if (!(error instanceof NotACveJson5RecordError)) throw error;
        sink.skipped({ where: file.name, reason: error.message });
      }
    }
  },
};
