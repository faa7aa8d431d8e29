// The OSV feed: OSV JSON records (osv.dev exports, GitHub Advisory Database, Go vulndb, RustSec's osv
// branch, Ubuntu) and OSV YAML records (the PyPA advisory database stores its records as YAML).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { OsvRecordError, perVulnerability, readOsvRecord } from './record.ts';
import { parseRecordFile } from './record-file.ts';

const RECORD_FILE = /\.(json|ya?ml)$/i;

export const osvFeed: Feed = {
  name: 'osv',
  // osv.dev's per-ecosystem exports: https://google.github.io/osv.dev/data/#data-dumps
  defaultLocations: ['npm', 'PyPI', 'Go', 'crates.io', 'Maven', 'RubyGems', 'NuGet', 'Packagist', 'Debian', 'Alpine', 'Ubuntu'].map(
    (ecosystem) => `https://osv-vulnerabilities.storage.googleapis.com/${ecosystem}/all.zip`,
  ),
  wants: (file) => RECORD_FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!RECORD_FILE.test(file.name)) continue;
      ingestFile(file.name, await file.read(), sink);
    }
  },
};

function ingestFile(name: string, bytes: Buffer, sink: RecordSink): void {
  const parsed = parseRecordFile(name, bytes, sink);
  if (!parsed) return;
  try {
    const { advisory, leftOut } = readOsvRecord(parsed.document);
    for (const skipped of leftOut) sink.skipped({ where: `${name}: ${skipped.packageName}`, reason: skipped.reason });
    // A record whose every affected package was left out says nothing the store can match.
    if (leftOut.length > 0 && advisory.affected.length === 0) {
      sink.skipped({ where: name, reason: 'no affected package in a supported ecosystem' });
      return;
    }
    for (const each of perVulnerability(parsed.document, advisory)) sink.advisory(each);
  } catch (error) {
    if (!(error instanceof OsvRecordError)) throw error;
    sink.skipped({ where: name, reason: error.message });
  }
}
