// Feed `suse`: SUSE's own advisories as CSAF 2.0 (advisories and VEX, ftp.suse.com/pub/projects/security/csaf/
// and csaf-vex/) and as CVRF in the JSON form of aquasecurity/vuln-list. CVRF XML (cvrf/) and SUSE's
// OSV records are not read here: they are counted as skipped with the reason (OSV goes through `osv`).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { suseAdvisories } from './build.ts';
import { isCsaf, readCsaf } from './csaf.ts';
import { isCvrfJson, readCvrfJson } from './cvrf.ts';
import { parseJsonFile } from '../json-file.ts';

const FILE = /\.(json|xml)$/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readSuseFile(name: string, content: string, sink: RecordSink): void {
  if (/\.xml$/i.test(name)) {
    sink.skipped({ where: name, reason: 'CVRF XML is not read: use SUSE CSAF (csaf/, csaf-vex/) or the CVRF JSON form' });
    return;
  }
  const parsed = parseJsonFile(name, content, sink);
  if (parsed === undefined) return;
  const data = parsed.value;
  if (isObject(data) && typeof data.id === 'string' && 'affected' in data && !('document' in data)) {
    sink.skipped({ where: name, reason: 'an OSV record: read SUSE OSV with the osv source' });
    return;
  }
  const document = isCsaf(data) ? readCsaf(data) : isCvrfJson(data) ? readCvrfJson(data) : { problem: 'neither SUSE CSAF nor SUSE CVRF JSON' };
  if ('problem' in document) {
    sink.skipped({ where: name, reason: document.problem });
    return;
  }
  for (const advisory of suseAdvisories(document, name, sink)) sink.advisory(advisory);
}

export const suseFeed: Feed = {
  name: 'suse',
  // None by default: SUSE publishes one file per advisory (tens of thousands) and .tar.bz2 archives,
  // which the input reader does not open. Download https://ftp.suse.com/pub/projects/security/csaf/
  // (and csaf-vex/), extract it, and pass the folder with `--source suse=DIR` (see docs/db.md).
  defaultLocations: [],
  wants: (file) => FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!FILE.test(file.name)) continue;
      readSuseFile(file.name, (await file.read()).toString('utf8'), sink);
    }
  },
};
