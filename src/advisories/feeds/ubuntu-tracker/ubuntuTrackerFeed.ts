// Feed `ubuntu-tracker`: the Ubuntu CVE Tracker's own files (git.launchpad.net/ubuntu-cve-tracker), one per
// CVE under `active/`, `retired/` and `ignored/`. Retired and ignored CVEs are read too: their `released`
// lines still say which version fixed a release. Other files (`00boilerplate`, scripts, embargoed data) are
// not this feed's. There is no single-file download: clone the repository (or take a snapshot of it) and
// name the folder or archive with `--source ubuntu-tracker=PATH`.
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { trackerAdvisory } from './trackerAdvisory.ts';
import { parseTrackerFile } from './trackerFile.ts';

const CVE_FILE = /(?:^|\/)(?:active|retired|ignored)\/CVE-\d{4}-\d{4,}$/;

export const ubuntuTrackerFeed: Feed = {
  name: 'ubuntu-tracker',
  defaultLocations: [],
  wants: (file) => CVE_FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!CVE_FILE.test(file.name)) continue;
      const advisory = trackerAdvisory(parseTrackerFile((await file.read()).toString('utf8')), file.name, sink);
      if (advisory) sink.advisory(advisory);
    }
  },
};
