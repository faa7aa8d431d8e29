// A whole image archive as given on the command line: `docker load` also accepts gzip-, zstd-, xz-
// and bzip2-compressed `docker save` tars (github.com/moby/moby/pkg/archive DetectCompression), so
// the bytes, not the file name, say what it is. A compressed archive is decompressed ONCE to a
// temporary file under the cache directory and indexed there; random access needs a plain tar.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ZstdTransform, detectCompression, type Compression } from '../compression.ts';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { TarIndex } from './tar-index.ts';



/** A fresh path for a temporary file under `<cacheDir>/tmp` (the directory is created). */
export async function temporaryPath(cacheDir: string, prefix: string): Promise<string> {
  const dir = join(cacheDir, 'tmp');
  await mkdir(dir, { recursive: true });
  return join(dir, `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}.tar`);
}

/** An indexed archive and the temporary copy (if any) to delete when done with it. */
export interface OpenedArchive {
  index: TarIndex;
  compression: Compression;
  /** Removes the temporary decompressed copy; safe to call twice. */
  close(): Promise<void>;
}

async function readHead(path: string, label: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SpyglassError(`${label}: no such file`);
    if (code === 'EISDIR') throw new SpyglassError(`${label}: is a directory, not an archive`);
    throw new SpyglassError(`${label}: cannot open archive (${code ?? errorText(error)})`);
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new SpyglassError(`${label}: is a directory, not an archive`);
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Opens an image archive: a plain tar is indexed in place; a gzip or zstd one is decompressed to a
 * temporary file under `<cacheDir>/tmp` first (removed by `close()`, and at once on any error).
 */
export async function openArchiveFile(path: string, options: { cacheDir: string; label: string }): Promise<OpenedArchive> {
  const { label } = options;
  const compression = detectCompression(await readHead(path, label));
  if (compression === 'none') {
    return { index: await TarIndex.open(path, label), compression, close: async () => {} };
  }
  if (compression === 'xz' || compression === 'bzip2') {
    throw new SpyglassError(`${label}: ${compression}-compressed archives are not supported; decompress it first (${compression === 'xz' ? 'xz -d' : 'bunzip2'})`);
  }
  const temporary = await temporaryPath(options.cacheDir, 'archive');
  const remove = () => rm(temporary, { force: true });
  try {
    const engine = compression === 'gzip' ? createGunzip() : new ZstdTransform();
    try {
      await pipeline(createReadStream(path), engine, createWriteStream(temporary));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new SpyglassError(`${label}: no space left in ${options.cacheDir} to decompress the archive`);
      throw new SpyglassError(`${label}: corrupt ${compression} data (${errorText(error)})`);
    }
    const index = await TarIndex.open(temporary, label);
    return { index, compression, close: remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
