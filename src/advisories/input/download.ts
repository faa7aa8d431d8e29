// Downloads a feed into the cache with conditional requests (RFC 9110 §13.1: If-None-Match,
// If-Modified-Since) and retries on the answers that mean "try again later" (429, 5xx).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface HttpValidators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadProgress {
  location: string;
  receivedBytes: number;
  /** From Content-Length, when the server sent one. */
  totalBytes?: number;
  done: boolean;
}

export interface DownloadOptions {
  cacheDir: string;
  validators?: HttpValidators;
  progress?: (progress: DownloadProgress) => void;
  /** Attempts in all (first try included) and the first back-off; it doubles each time. */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** Extra request headers (an API key). */
  headers?: Record<string, string>;
  /** The URL whose cache file the download goes to, when not its own (a query that differs every time). */
  cacheAs?: URL;
}

export type DownloadResult =
  | { notModified: true; etag?: string; lastModified?: string }
  | { notModified: false; path: string; etag?: string; lastModified?: string };

/** An answer worth retrying: rate limited or a server-side failure. */
function retriable(status: number): boolean {
  return status === 429 || status >= 500;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry-After in seconds (RFC 9110 §10.2.3), honoured up to a minute; the date form falls back to back-off. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()) * 1000, 60_000);
}

/**
 * The cache file of a URL: `<cacheDir>/feeds/<sha256 of the URL, 16 hex>-<last path segment>`, so two
 * sources never share a file and the name keeps the extension that tells what the file is.
 */
export function cachePath(cacheDir: string, url: URL): string {
  const hash = createHash('sha256').update(url.href).digest('hex').slice(0, 16);
  return join(cacheDir, 'feeds', `${hash}-${urlFileName(url)}`);
}

/** The file name a URL's content goes by: its last path segment, made safe for a file system. */
export function urlFileName(url: URL): string {
  let last = url.pathname.split('/').filter(Boolean).pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // A malformed escape is kept as written.
  }
  return last.replace(/[^A-Za-z0-9._-]/g, '_') || 'index';
}

/** One attempt: a 200 is written to a temporary file and renamed into place only when complete. */
async function attempt(url: URL, options: DownloadOptions, target: string): Promise<Response | DownloadResult> {
  const headers: Record<string, string> = { 'user-agent': 'spyglass', ...options.headers };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  const response = await fetch(url, { headers, redirect: 'follow' });
  const etag = response.headers.get('etag') ?? undefined;
  const lastModified = response.headers.get('last-modified') ?? undefined;
  if (response.status === 304) {
    await response.body?.cancel();
    return { notModified: true, etag: etag ?? options.validators?.etag, lastModified: lastModified ?? options.validators?.lastModified };
  }
  if (response.status !== 200 || response.body === null) return response;
  const length = response.headers.get('content-length');
  const totalBytes = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  let receivedBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      receivedBytes += chunk.length;
      options.progress?.({ location: url.href, receivedBytes, totalBytes, done: false });
      callback(null, chunk);
    },
  });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(partial));
    // fetch ends a body cut short by a dropped connection with an error, but check the count too.
    if (totalBytes !== undefined && receivedBytes !== totalBytes) throw new Error(`received ${receivedBytes} of ${totalBytes} bytes`);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  options.progress?.({ location: url.href, receivedBytes, totalBytes, done: true });
  return { notModified: false, path: target, etag, lastModified };
}

/**
 * Downloads `url` into the cache. Throws a plain Error with the reason (the caller names the
 * location): an HTTP error, or a network failure that outlasted the retries.
 */
export async function download(url: URL, options: DownloadOptions): Promise<DownloadResult> {
  const attempts = Math.max(1, options.retry?.attempts ?? 4);
  const baseDelayMs = options.retry?.baseDelayMs ?? 500;
  const target = cachePath(options.cacheDir, options.cacheAs ?? url);
  await mkdir(join(options.cacheDir, 'feeds'), { recursive: true });
  for (let tried = 1; ; tried++) {
    let wait = baseDelayMs * 2 ** (tried - 1);
    let failure: string;
    let outcome: Response | DownloadResult | Error;
    try {
      outcome = await attempt(url, options, target);
    } catch (error) {
      // A network failure (refused, reset, body cut short) is as temporary as a 503.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      outcome = new Error(`${error instanceof Error ? error.message : String(error)}${cause}`);
    }
    if (outcome instanceof Error) {
      failure = outcome.message;
    } else if (outcome instanceof Response) {
      await outcome.body?.cancel();
      failure = `HTTP ${outcome.status}${outcome.statusText ? ` ${outcome.statusText}` : ''}`;
      if (!retriable(outcome.status)) throw new Error(failure);
      wait = retryAfterMs(outcome.headers.get('retry-after')) ?? wait;
    } else {
      return outcome;
    }
    if (tried >= attempts) throw new Error(`${failure} (after ${attempts} attempts)`);
    await sleep(wait);
  }
}
