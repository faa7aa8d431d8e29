// One way in for every feed input: a file, a directory, an archive, or a URL downloaded into the
// cache and then opened as whichever of those it turned out to be.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SpyglassError, errorText } from '../../core/errors.ts';
import type { FeedFile } from '../feeds/feed.ts';
import { inputKind, readArchive } from './archive.ts';
import { download, urlFileName, type DownloadProgress, type HttpValidators } from './download.ts';
import { singleFile, walkDirectory } from './local.ts';
import { downloadNvdApi, isNvdApi } from './nvd-api.ts';

export type { DownloadProgress, HttpValidators } from './download.ts';

export interface FeedInputOptions {
  /** Downloads go to `<cacheDir>/feeds/`. */
  cacheDir: string;
  /** The validators of the last download of this location, for a conditional request. */
  validators?: HttpValidators;
  progress?: (progress: DownloadProgress) => void;
  /** Which files to keep (a feed's `wants`); archives keep only these in memory. */
  accept?: (name: string) => boolean;
  /** Download retries; tests shorten the back-off. */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** NVD CVE API paging: page size and the pause between pages (tests shorten both). */
  nvd?: { pageSize?: number; pageDelayMs?: number };
  /** When the previous download of this location began: an input that can, fetches only what changed since. */
  since?: string;
}

export interface FeedInput {
  files: AsyncIterable<FeedFile>;
  /** Validators of this download, to store for the next update (URLs only). */
  etag?: string;
  lastModified?: string;
  /** The server said the copy from last time is current: there are no files, keep the previous data. */
  notModified: boolean;
  /** When the download began, for an input that can next fetch only what changed since (the NVD API). */
  fetchedAt?: string;
  /** Set when the files hold only the records changed since this time: merge them into the source's records. */
  changesSince?: string;
}

async function* fromList(files: FeedFile[]): AsyncIterable<FeedFile> {
  yield* files;
}

/** Whether a location is a URL Spyglass downloads, rather than a local path. */
export function isUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/** A local path: archives are read and checked whole now, so a damaged one fails before any ingest. */
async function openPath(path: string, accept: (name: string) => boolean, name = basename(path)): Promise<AsyncIterable<FeedFile>> {
  const info = await stat(path);
  if (info.isDirectory()) return walkDirectory(path, accept);
  if (!info.isFile()) throw new Error('not a file or a directory');
  const kind = await inputKind(path);
  if (kind === 'plain') return accept(name) ? singleFile(path, name) : fromList([]);
  return fromList(await readArchive(path, kind, accept, name));
}

/**
 * Opens a feed input. `location` is a local file, a directory (walked recursively in sorted order), a
 * `.zip`, `.tar.gz`/`.tgz`, `.tar.xz` or `.gz`/`.xz` file, or an http(s) URL downloaded into the cache
 * with the given validators. Plain http is accepted: the user named the URL (or it is a loopback
 * mirror), and the defaults are all https. Anything that stops the input from being read whole
 * (a missing path, a failed download, a truncated archive) is a one-line SpyglassError naming the
 * location; nothing has been handed to a feed by then.
 */
export async function openFeedInput(location: string, options: FeedInputOptions): Promise<FeedInput> {
  const accept = options.accept ?? (() => true);
  const fail = (reason: string, cause?: unknown): SpyglassError =>
    new SpyglassError(`Cannot read feed input ${location}: ${reason.replace(/\s*\n\s*/g, ' ')}`, { cause });
  if (!isUrl(location)) {
    try {
      return { files: await openPath(location, accept), notModified: false };
    } catch (error) {
      if (error instanceof SpyglassError) throw fail(error.message, error);
      const code = (error as NodeJS.ErrnoException).code;
      throw fail(code === 'ENOENT' ? 'no such file or directory' : errorText(error), error);
    }
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch (error) {
    throw fail('not a valid URL', error);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(`${url.protocol.slice(0, -1)} URLs are not supported (use http or https)`);
  if (isNvdApi(url)) {
    try {
      const fetched = await downloadNvdApi(url, { ...options, ...options.nvd });
      return {
        files: fromList(fetched.files.filter((file) => accept(file.name))),
        notModified: false,
        fetchedAt: fetched.fetchedAt,
        ...(fetched.changesSince !== undefined ? { changesSince: fetched.changesSince } : {}),
      };
    } catch (error) {
      throw fail(`download failed: ${errorText(error)}`, error);
    }
  }
  let fetched;
  try {
    fetched = await download(url, options);
  } catch (error) {
    throw fail(`download failed: ${errorText(error)}`, error);
  }
  const validators = { etag: fetched.etag, lastModified: fetched.lastModified };
  if (fetched.notModified) return { files: fromList([]), ...validators, notModified: true };
  try {
    return { files: await openPath(fetched.path, accept, urlFileName(url)), ...validators, notModified: false };
  } catch (error) {
    throw fail(errorText(error), error);
  }
}
