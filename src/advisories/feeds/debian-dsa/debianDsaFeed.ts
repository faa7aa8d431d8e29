// Feed `debian-dsa`: the security tracker's DSA and DLA lists (one Advisory per DSA/DLA).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { parseDsaList } from './dsaList.ts';
import { dsaAdvisory } from './dsaAdvisory.ts';

/** `data/DSA/list`, a download saved as `DSA-list`, and excerpts named `DSA-list-excerpt`. */
function isDsaList(name: string): boolean {
  const parts = name.split('/');
  const base = parts[parts.length - 1];
  if (/^D[SL]A-list(-excerpt)?$/.test(base)) return true;
  return base === 'list' && /^D[SL]A$/.test(parts[parts.length - 2] ?? '');
}

export const debianDsaFeed: Feed = {
  name: 'debian-dsa',
  defaultLocations: [
    'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list',
    'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list',
  ],
  wants: (file) => isDsaList(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!isDsaList(file.name)) continue;
      const { entries, badHeaders } = parseDsaList((await file.read()).toString('utf8'));
      for (const bad of badHeaders) {
        sink.skipped({ where: `${file.name}:${bad.line}`, reason: `unreadable advisory header ${JSON.stringify(bad.text.slice(0, 120))}` });
      }
      for (const entry of entries) sink.advisory(dsaAdvisory(entry, `${file.name}:${entry.line}`, sink));
    }
  },
};
