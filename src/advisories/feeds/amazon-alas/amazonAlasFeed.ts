// Feed `amazon-alas`: Amazon Linux security advisories (ALAS) for the Amazon Linux AMI, AL2, AL2022 and
// AL2023 in `amazon:<release>` namespaces: one advisory per CVE of each ALAS, aliased to the ALAS id
// (rows.ts perCve). Two input forms:
//   - the repositories' updateinfo.xml (gzip or plain; `*updateinfo*.xml[.gz]`): every field, epochs included;
//   - the ALAS web pages with the RSS feeds, as Grype's vunnel mirrors them (`*.html` or extension-less
//     `ALAS-…` pages, `*rss*.xml` / `alas.rss`): a page gives the advisory, the RSS says which advisories
//     exist (an item whose page is missing is skipped with the reason: the packages are only on the page).
// Extras repositories (`amazon-linux-2---kernel-5.15`, `---nvidia`, `---kernel-livepatch`) are skipped.
// The updateinfo location changes with every repository build (mirror.list → repodata/repomd.xml), so there
// is no fixed download: see docs/distributions.md.
import { gunzipSync } from 'node:zlib';
import type { Feed, FeedFile } from '../feed.ts';
import type { Advisory, RecordSink } from '../../model.ts';
import { parseXml } from '../mariner-oval/xml.ts';
import { readAlasPage, type AlasPage } from './alasPage.ts';
import { readAlasRss, type RssItem } from './alasRss.ts';
import { fixedRows, perCve } from './rows.ts';
import { readUpdateinfo } from './updateinfo.ts';

const UPDATEINFO = /(?:^|\/)[^/]*updateinfo[^/]*\.xml(?:\.gz)?$/i;
const RSS = /(?:^|\/)(?:[^/]*rss[^/]*\.xml|alas\.rss)$/i;
const PAGE = /(?:^|\/)(?:[^/]*\.html?|(?:[^/.]*-)?ALAS[\w-]*-\d{4}-\d+)$/i;

type Kind = 'updateinfo' | 'rss' | 'page';

function kindOf(name: string): Kind | undefined {
  if (UPDATEINFO.test(name)) return 'updateinfo';
  if (RSS.test(name)) return 'rss';
  if (PAGE.test(name)) return 'page';
  return undefined;
}

const GZIP = Buffer.from([0x1f, 0x8b]);

async function textOf(file: FeedFile): Promise<string> {
  const bytes = await file.read();
  return (bytes.subarray(0, 2).equals(GZIP) ? gunzipSync(bytes) : bytes).toString('utf8');
}

function pageAdvisory(page: AlasPage, item: RssItem | undefined): Advisory {
  const advisory: Advisory = {
    source: 'amazon-alas',
    id: page.id,
    aliases: [...new Set([...page.cves, ...(item?.cves ?? [])])],
    severity: [{ by: 'amazon', rating: page.severity }],
    references: item ? [item.link] : [],
    affected: fixedRows(page.release.namespace, page.packages),
  };
  const published = page.published ?? item?.published;
  if (published !== undefined) advisory.published = published;
  if (page.modified !== undefined) advisory.modified = page.modified;
  return advisory;
}

export const amazonAlasFeed: Feed = {
  name: 'amazon-alas',
  defaultLocations: [],
  wants: (file) => kindOf(file.name) !== undefined,
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    const fromUpdateinfo = new Set<string>();
    const pages: { page: AlasPage; where: string }[] = [];
    const items = new Map<string, RssItem>();
    for await (const file of files) {
      const kind = kindOf(file.name);
      if (kind === undefined) continue;
      let text: string;
      try {
        text = await textOf(file);
      } catch (error) {
        sink.skipped({ where: file.name, reason: `unreadable gzip: ${(error as Error).message}` });
        continue;
      }
      if (kind === 'page') {
        const page = readAlasPage(text);
        if ('problem' in page) sink.skipped({ where: file.name, reason: page.problem });
        else pages.push({ page: page.value, where: file.name });
        continue;
      }
      let root;
      try {
        root = parseXml(text);
      } catch (error) {
        sink.skipped({ where: file.name, reason: `malformed XML: ${(error as Error).message}` });
        continue;
      }
      if (kind === 'rss') {
        for (const item of readAlasRss(root, file.name, sink)) items.set(item.id, item);
        continue;
      }
      for (const advisory of readUpdateinfo(root, file.name, sink)) {
        fromUpdateinfo.add(advisory.id);
        for (const each of perCve(advisory)) sink.advisory(each);
      }
    }
    const paged = new Set<string>();
    for (const { page, where } of pages) {
      if (fromUpdateinfo.has(page.id) || paged.has(page.id)) {
        sink.skipped({ where, reason: `${page.id} is read from ${fromUpdateinfo.has(page.id) ? 'updateinfo' : 'another page'} already` });
        continue;
      }
      paged.add(page.id);
      const item = items.get(page.id);
      if (item !== undefined && item.severity !== page.severity) {
        sink.skipped({ where, reason: `${page.id}: the page rates ${page.severity}, its RSS item ${item.severity}` });
        continue;
      }
      for (const each of perCve(pageAdvisory(page, item))) sink.advisory(each);
    }
    for (const item of items.values()) {
      if (!paged.has(item.id) && !fromUpdateinfo.has(item.id)) {
        sink.skipped({ where: item.where, reason: `no advisory page for ${item.id}: the fixed packages are only on the page` });
      }
    }
  },
};
