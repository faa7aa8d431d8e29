// Feed `debian-dsa`: the security tracker's DSA and DLA lists (one Advisory per DSA/DLA).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { parseDsaList } from './dsaList.ts';
import { dsaAdvisory } from './dsaAdvisory.ts';

/**
 * `data/DSA/list`, a copy named `DSA-list` or `DSA-list-excerpt`, and a lone `list` (the download of
 * `…/data/DSA/list` is named by its last URL segment), which must then look like one.
 */
function isDsaList(name: string): boolean {
  const parts = name.split('/');
  const base = parts[parts.length - 1];
  if (/^D[SL]A-list(-excerpt)?$/.test(base)) return true;
  return base === 'list' && (parts.length === 1 || /^D[SL]A$/.test(parts[parts.length - 2]));
}

/** A lone `list` may be the tracker's CVE list instead: it is only read when its first line is a DSA/DLA header. */
function looksLikeDsaList(text: string): boolean {
  return /^\s*\[\d{1,2} [A-Z][a-z]{2} \d{4}\] D[SL]A-/.test(text);
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
      const text = (await file.read()).toString('utf8');
      if (file.name === 'list' && !looksLikeDsaList(text)) continue;
      const { entries, badHeaders } = parseDsaList(text);
      for (const bad of badHeaders) {
        sink.skipped({ where: `${file.name}:${bad.line}`, reason: `unreadable advisory header ${JSON.stringify(bad.text.slice(0, 120))}` });
      }
      for (const entry of entries) sink.advisory(dsaAdvisory(entry, `${file.name}:${entry.line}`, sink));
    }
  },
};
