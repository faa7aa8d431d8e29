// FIRST's EPSS scores (https://www.first.org/epss/data_stats): a CSV, plain or gzip
// (`epss_scores-YYYY-MM-DD.csv.gz`), whose first line is a comment naming the model and the score
// date — `#model_version:v2025.03.14,score_date:2025-03-15T00:00:00Z` — then `cve,epss,percentile`.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';

const gunzipAsync = promisify(gunzip);
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const PROBABILITY = /^(0(\.\d+)?|1(\.0+)?|\.\d+)(e-?\d+)?$/i;

export const epssFeed: Feed = {
  name: 'epss',
  defaultLocations: ['https://epss.empiricalsecurity.com/epss_scores-current.csv.gz'],
  wants: (file) => /(^|\/)epss[^/]*\.csv(\.gz)?$/.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      let content: string;
      try {
        const bytes = await file.read();
        content = (file.name.endsWith('.gz') ? await gunzipAsync(bytes) : bytes).toString('utf8');
      } catch (error) {
        sink.skipped({ where: file.name, reason: `unreadable: ${(error as Error).message}` });
        continue;
      }
      ingestCsv(file.name, content, sink);
    }
  },
};

function ingestCsv(name: string, content: string, sink: RecordSink): void {
  const lines = content.split(/\r?\n/);
  let lineNo = 0;
  const header: Record<string, string> = {};
  // The comment line: `#key:value,key:value`. Files from before 2022 have none.
  while (lineNo < lines.length && lines[lineNo].startsWith('#')) {
    for (const pair of lines[lineNo].slice(1).split(',')) {
      const colon = pair.indexOf(':');
      if (colon > 0) header[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
    }
    lineNo++;
  }
  const date = header.score_date ?? /epss_scores-(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
  if (date === undefined) {
    sink.skipped({ where: name, reason: 'no score date (neither a #score_date header nor a dated file name)' });
    return;
  }
  const columns = (lines[lineNo] ?? '').split(',').map((column) => column.trim());
  const [cveAt, epssAt, percentileAt] = ['cve', 'epss', 'percentile'].map((column) => columns.indexOf(column));
  if (cveAt < 0 || epssAt < 0 || percentileAt < 0) {
    sink.skipped({ where: `${name}:${lineNo + 1}`, reason: `no cve,epss,percentile header line (found ${JSON.stringify(lines[lineNo] ?? '')})` });
    return;
  }
  for (lineNo++; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo];
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    const [cve, score, percentile] = [fields[cveAt], fields[epssAt], fields[percentileAt]];
    const why =
      fields.length !== columns.length
        ? `${fields.length} fields, the header has ${columns.length}`
        : !CVE_ID.test(cve)
          ? `bad CVE id ${JSON.stringify(cve)}`
          : !PROBABILITY.test(score) || !PROBABILITY.test(percentile) || Number(score) > 1 || Number(percentile) > 1
            ? `epss and percentile must be numbers from 0 to 1 (${JSON.stringify(score)}, ${JSON.stringify(percentile)})`
            : undefined;
    if (why !== undefined) {
      sink.skipped({ where: `${name}:${lineNo + 1}`, reason: why });
      continue;
    }
    sink.epss({ cve, score: Number(score), percentile: Number(percentile), date, ...(header.model_version ? { modelVersion: header.model_version } : {}) });
  }
}
