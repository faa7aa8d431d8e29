// Feed `redhat-csaf`: Red Hat's CSAF VEX documents (one per CVE, `vex/YYYY/cve-YYYY-NNNN.json`) and CSAF advisories
// (one per RHSA, `csaf/YYYY/rhsa-YYYY_NNNN.json`), loose or in Red Hat's archives, into `rhel:N` (see build.ts for the
// verdicts and products.ts for which platforms are RHEL's main stream). CentOS images read the same namespace
// (src/match/data/distributions.json), as Trivy and Grype match CentOS against Red Hat's data.
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { readRedHatCsaf, redHatAdvisories } from './build.ts';
import { parseJsonFile } from '../json-file.ts';

const FILE = /\.json$/i;

export function readRedHatFile(name: string, content: string, sink: RecordSink): void {
  const parsed = parseJsonFile(name, content, sink);
  if (parsed === undefined) return;
  const data = parsed.value;
  const document = readRedHatCsaf(data);
  if ('problem' in document) {
    sink.skipped({ where: name, reason: document.problem });
    return;
  }
  for (const advisory of redHatAdvisories(document, name, sink)) sink.advisory(advisory);
}

export const redHatCsafFeed: Feed = {
  name: 'redhat-csaf',
  // Red Hat publishes the whole VEX set at https://security.access.redhat.com/data/csaf/v2/vex/ as one archive,
  // named in `archive_latest.txt` there (`csaf_vex_YYYY-MM-DD.tar.zst`), with daily changes beside it. zstd is not
  // an archive kind the input reader opens, so there is no default: download it, unpack it (`tar --zstd -xf`)
  // and pass the folder, or repack it as .tar.xz, with `--source redhat-csaf=PATH`. The per-RHSA advisories
  // (https://security.access.redhat.com/data/csaf/v2/advisories/) are read the same way.
  defaultLocations: [],
  wants: (file) => FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!redHatCsafFeed.wants(file)) continue;
      readRedHatFile(file.name, (await file.read()).toString('utf8'), sink);
    }
  },
};
