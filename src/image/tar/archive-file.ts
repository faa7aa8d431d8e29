// A whole image archive as given on the command line: `docker load` also accepts gzip-, zstd-, xz-
// and bzip2-compressed `docker save` tars (github.com/moby/moby/pkg/archive DetectCompression), so
// the bytes, not the file name, say what it is. A compressed archive is decompressed ONCE to a
// temporary file under the cache directory and indexed there; random access needs a plain tar.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { TarIndex } from './tar-index.ts';

export type ArchiveCompression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'none';

export function detectArchiveCompression(head: Buffer): ArchiveCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  return 'none';
}

/** A fresh path for a temporary file under `<cacheDir>/tmp` (the directory is created). */
export async function temporaryPath(cacheDir: string, prefix: string): Promise<string> {
  const dir = join(cacheDir, 'tmp');
  await mkdir(dir, { recursive: true });
  return join(dir, `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}.tar`);
}

/** fzstd's streaming decoder as a Transform (it may reuse its window, so blocks are copied out). */
class ZstdTransform extends Transform {
  private readonly decoder = new ZstdDecompress((data) => {
    if (data.length > 0) this.push(Buffer.from(data));
  });
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** An indexed archive and the temporary copy (if any) to delete when done with it. */
export interface OpenedArchive {
  index: TarIndex;
  compression: ArchiveCompression;
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
  const compression = detectArchiveCompression(await readHead(path, label));
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
