// Feed `debian-tracker`: the Debian security tracker's per-release verdicts, one Advisory per CVE.
// Reads the tracker's `data/json` export, and `data/CVE/list` entries in vuln-list-debian's JSON
// layout together with its DSA/DLA files (whose release fixes those entries rely on).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { DebianCollector } from './debianCollector.ts';
import { readTrackerJson } from './trackerJson.ts';
import { readVulnListAdvisory, resolveCveListEntry, vulnListKind, type CveListEntry } from './cveListJson.ts';

/** The download is named `json`; saved copies and vuln-list entries end in `.json` under a Debian folder. */
function isTrackerFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === 'json') return true;
  if (!base.endsWith('.json')) return false;
  return /^(CVE|TEMP|DSA|DLA)-[\w-]+\.json$|^debian/i.test(base) || /(^|\/)debian[^/]*(\/|$)/i.test(name.slice(0, name.length - base.length));
}

export const debianTrackerFeed: Feed = {
  name: 'debian-tracker',
  defaultLocations: ['https://security-tracker.debian.org/tracker/data/json'],
  wants: (file) => isTrackerFile(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    const collector = new DebianCollector();
    const entries: CveListEntry[] = [];
    for await (const file of files) {
      if (!isTrackerFile(file.name)) continue;
      let data: unknown;
      try {
        data = JSON.parse((await file.read()).toString('utf8'));
      } catch (error) {
        sink.skipped({ where: file.name, reason: `malformed JSON: ${(error as Error).message}` });
        continue;
      }
      const kind = vulnListKind(data);
      if (kind === 'advisory') readVulnListAdvisory(data as Parameters<typeof readVulnListAdvisory>[0], collector);
      else if (kind === 'cve') {
        const { Header: header, Annotations: annotations } = data as { Header: { ID: string; Description?: string }; Annotations: CveListEntry['annotations'] };
        entries.push({ id: header.ID, description: header.Description, annotations, where: file.name });
      } else readTrackerJson(data, file.name, collector, sink);
    }
    // CVE-list entries wait until every DSA/DLA file is in, whatever order the input gave.
    for (const entry of entries) resolveCveListEntry(entry, collector, sink);
    collector.flush(sink);
  },
};
