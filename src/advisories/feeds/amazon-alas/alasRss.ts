// The ALAS RSS feeds (alas.aws.amazon.com/AL2/alas.rss, AL2022/, AL2023/; the AMI's at the root): one
// `<item>` per advisory with `<title>` "ALAS-2023-126 (important): device-mapper-multipath", the CVE ids
// in `<description>`, `<pubDate>` and `<link>` to the advisory page, whose folder names the release.
// An item says which advisories exist; the fixed packages are only on the pages.
import type { RecordSink } from '../../model.ts';
import { childNamed, childrenNamed, localName, type XmlElement } from '../mariner-oval/xml.ts';
import { ALAS_SEVERITIES, CVE_ID, canonicalAlasId, releaseByFolder, type AmazonRelease } from './releases.ts';

export interface RssItem {
  id: string;
  release: AmazonRelease;
  severity: string;
  cves: string[];
  link: string;
  published?: string;
  where: string;
}

const TITLE = /^(ALAS[\w.-]*) \(([a-z]+)\): \S/i;
const LINK = /^https:\/\/alas\.aws\.amazon\.com\/(?:(AL\d+)\/)?(ALAS[\w.-]*)\.html$/;

export function readAlasRss(root: XmlElement, where: string, sink: RecordSink): RssItem[] {
  const channel = localName(root.name) === 'rss' ? childNamed(root, 'channel') : undefined;
  if (!channel) {
    sink.skipped({ where, reason: `not an RSS 2.0 document (root <${root.name}>)` });
    return [];
  }
  const items: RssItem[] = [];
  for (const [position, item] of childrenNamed(channel, 'item').entries()) {
    const field = (name: string): string => childNamed(item, name)?.text.trim() ?? '';
    const title = TITLE.exec(field('title'));
    const at = `${where} ${title?.[1] ?? `item[${position}]`}`;
    const link = LINK.exec(field('link'));
    if (!title || !link) {
      sink.skipped({ where: at, reason: `item without "ALAS-… (severity): package" title or advisory link (${JSON.stringify(field('title'))})` });
      continue;
    }
    const release = releaseByFolder(link[1] ?? '');
    const id = release === undefined ? undefined : canonicalAlasId(title[1]!, release);
    if (release === undefined || id === undefined || canonicalAlasId(link[2]!, release) !== id) {
      sink.skipped({ where: at, reason: `advisory ${title[1]} and link ${field('link')} name no known release or differ` });
      continue;
    }
    const severity = title[2]!.toLowerCase();
    if (!ALAS_SEVERITIES.has(severity)) {
      sink.skipped({ where: at, reason: `unknown severity ${JSON.stringify(title[2])}` });
      continue;
    }
    const cves = field('description').split(/[\s,]+/).filter((word) => word !== '');
    const bad = cves.find((cve) => !CVE_ID.test(cve));
    if (bad !== undefined) {
      sink.skipped({ where: at, reason: `malformed CVE id ${JSON.stringify(bad)} in the description` });
      continue;
    }
    const published = field('pubDate');
    items.push({ id, release, severity, cves, link: field('link'), where: at, ...(published ? { published } : {}) });
  }
  return items;
}
