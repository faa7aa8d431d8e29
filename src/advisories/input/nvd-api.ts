// The NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities) serves the whole CVE list in
// pages of at most 2,000 records, `startIndex` by `startIndex`. Every page is downloaded into the cache
// before any is handed to the feed, so a failure half-way leaves the previous NVD data in place. NVD
// asks clients to wait 6 s between requests without an API key and 0.6 s with one
// (`NVD_API_KEY`, sent as the `apiKey` header).
import { readFile, stat } from 'node:fs/promises';
import type { FeedFile } from '../feeds/feed.ts';
import { download, type DownloadOptions } from './download.ts';

export const NVD_PAGE_SIZE = 2000;

/** Whether a URL is the NVD CVE API 2.0 endpoint (or a mirror of it under the same path). */
export function isNvdApi(url: URL): boolean {
  return /\/rest\/json\/cves\/2\.0\/?$/.test(url.pathname);
}

interface PageHead {
  totalResults: number;
  resultsPerPage: number;
}

function pageHead(text: string, where: string): PageHead {
  const page = JSON.parse(text) as Partial<PageHead>;
  if (typeof page.totalResults !== 'number' || typeof page.resultsPerPage !== 'number') {
    throw new Error(`${where}: not an NVD CVE API 2.0 page (no totalResults/resultsPerPage)`);
  }
  return { totalResults: page.totalResults, resultsPerPage: page.resultsPerPage };
}

export interface NvdApiOptions extends DownloadOptions {
  pageSize?: number;
  /** Pause between page requests; default from NVD's rate limits (6 s, or 0.6 s with an API key). */
  pageDelayMs?: number;
  apiKey?: string;
}

/** Downloads every page of the API and returns them as feed files named `nvd-api/cves-<startIndex>.json`. */
export async function downloadNvdApi(url: URL, options: NvdApiOptions): Promise<FeedFile[]> {
  const pageSize = options.pageSize ?? NVD_PAGE_SIZE;
  const apiKey = options.apiKey ?? process.env.NVD_API_KEY;
  const delay = options.pageDelayMs ?? (apiKey ? 600 : 6000);
  const headers = apiKey ? { ...options.headers, apiKey } : options.headers;
  const files: FeedFile[] = [];
  for (let startIndex = 0, total = 1; startIndex < total; ) {
    if (startIndex > 0 && delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const pageUrl = new URL(url);
    pageUrl.searchParams.set('startIndex', String(startIndex));
    pageUrl.searchParams.set('resultsPerPage', String(pageSize));
    const fetched = await download(pageUrl, { ...options, headers, validators: undefined });
    if (fetched.notModified) throw new Error(`${pageUrl.href}: unexpected 304 for an unconditional request`);
    const path = fetched.path;
    const head = pageHead(await readFile(path, 'utf8'), pageUrl.href);
    const size = (await stat(path)).size;
    files.push({ name: `nvd-api/cves-${startIndex}.json`, size, read: () => readFile(path) });
    total = head.totalResults;
    // An empty page before the total is reached would loop forever: stop with what NVD said.
    if (head.resultsPerPage === 0) break;
    startIndex += head.resultsPerPage;
  }
  return files;
}
