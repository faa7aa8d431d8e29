import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FeedFile } from '../feeds/feed.ts';

/** A file on disk, read only when the feed asks for it. */
export function localFile(path: string, name: string, size: number): FeedFile {
  return { name, size, read: () => readFile(path) };
}

/** One local file, named by its base name (or the name of the URL it was downloaded from). */
export async function* singleFile(path: string, name = basename(path)): AsyncIterable<FeedFile> {
  const info = await stat(path);
  yield localFile(path, name, info.size);
}

/**
 * Every regular file under `root`, depth first in sorted order (byte order of the names, so the order
 * is the same on every machine), named by its POSIX path relative to `root`. Symbolic links are not
 * followed: a feed directory never needs them and a loop would never end.
 */
export async function* walkDirectory(root: string, accept: (name: string) => boolean, prefix = ''): AsyncIterable<FeedFile> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      yield* walkDirectory(root, accept, name);
    } else if (entry.isFile() && accept(name)) {
      const path = join(root, name);
      const info = await stat(path);
      yield localFile(path, name, info.size);
    }
  }
}
