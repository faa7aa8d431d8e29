// The NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities) serves the whole CVE list in
// pages of at most 2,000 records, `startIndex` by `startIndex`. Every page is downloaded into the cache
// before any is handed to the feed, so a failure half-way leaves the previous NVD data in place. NVD
// asks clients to wait 6 s between requests without an API key and 0.6 s with one
// (`NVD_API_KEY`, sent as the `apiKey` header).
//
// Incremental: given the time the previous download began, only the CVEs modified since then are asked
// for (`lastModStartDate` / `lastModEndDate`, both required, at most 120 days apart), and the caller
// merges them into what it has. Older than that, or never downloaded, it is the whole list again.
import { readFile, stat } from 'node:fs/promises';
import type { FeedFile } from '../feeds/feed.ts';
import { download, type DownloadOptions } from './download.ts';

export const NVD_PAGE_SIZE = 2000;

/** The widest lastModStartDate…lastModEndDate window NVD accepts. */
export const NVD_MAX_WINDOW_MS = 120 * 86_400_000;

/**
 * An incremental download starts this much before the previous one began: it covers a difference
 * between this machine's clock and NVD's (records read twice are merged twice, which is harmless).
 */
export const NVD_OVERLAP_MS = 3_600_000;

/** NVD's extended ISO-8601 form with an explicit offset: `2024-04-01T13:00:00.000+00:00`. */
export function nvdDate(time: Date): string {
  return time.toISOString().replace(/Z$/, '+00:00');
}

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
  /** When the previous download of the whole list (or of its changes) began: ask only for what changed since. */
  since?: string;
}

export interface NvdApiDownload {
  files: FeedFile[];
  /** When this download began (recorded for the next one's `since`). */
  fetchedAt: string;
  /** Set when only the CVEs modified since this time were asked for: merge them, do not replace. */
  changesSince?: string;
}

/**
 * The start of the incremental window for a previous download that began at `since`, or undefined
 * when the whole list must be read: no previous download, or one too old for NVD's 120-day window.
 */
export function incrementalStart(since: string | undefined, now: Date): Date | undefined {
  if (since === undefined) return undefined;
  const start = Date.parse(since) - NVD_OVERLAP_MS;
  if (Number.isNaN(start) || start > now.getTime() || now.getTime() - start >= NVD_MAX_WINDOW_MS) return undefined;
  return new Date(start);
}

/**
 * Downloads every page of the API (or of the CVEs modified since `options.since`) and returns them as
 * feed files named `nvd-api/cves-<startIndex>.json`.
 */
export async function downloadNvdApi(url: URL, options: NvdApiOptions): Promise<NvdApiDownload> {
  const started = new Date();
  const windowStart = incrementalStart(options.since, started);
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
    // The page's cache file is named after the URL without the window, so that incremental updates
    // overwrite one file per page instead of leaving new ones behind every time.
    const cacheAs = new URL(pageUrl);
    if (windowStart !== undefined) {
      pageUrl.searchParams.set('lastModStartDate', nvdDate(windowStart));
      pageUrl.searchParams.set('lastModEndDate', nvdDate(started));
    }
    const fetched = await download(pageUrl, { ...options, headers, validators: undefined, cacheAs });
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
  return { files, fetchedAt: started.toISOString(), ...(windowStart !== undefined ? { changesSince: windowStart.toISOString() } : {}) };
}
