// Archives of feed files, read whole and checked before a single file is handed to a feed: a
// truncated or corrupt archive fails here, so an ingest never starts on half an archive.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { constants, createGunzip, crc32, gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { extract } from 'tar-stream';
import { SpyglassError } from '../../core/errors.ts';
import type { FeedFile } from '../feeds/feed.ts';

/**
 * Limits that keep a hostile or broken archive from taking the machine: one entry (the largest real
 * feed file, an NVD 1.1 year feed, is ~250 MB unpacked), everything kept from one archive, and all
 * bytes decompressed while reading it (entries a feed does not want still pass through the decoder).
 */
export const ARCHIVE_LIMITS = {
  entryBytes: 512 * 1024 * 1024,
  keptBytes: 1024 * 1024 * 1024,
  streamBytes: 8 * 1024 * 1024 * 1024,
  zipBytes: 1024 * 1024 * 1024,
};

export type InputKind = 'zip' | 'tar' | 'tar.gz' | 'tar.xz' | 'gz' | 'xz' | 'plain';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

function isTarHeader(block: Buffer): boolean {
  // POSIX ustar and GNU tar both put "ustar" at offset 257 of every header block.
  return block.length >= 262 && block.subarray(257, 262).toString('latin1') === 'ustar';
}

/** What a file is, by its first bytes; the name decides only between a compressed tar and a compressed single file. */
export async function inputKind(path: string): Promise<InputKind> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  let length: number;
  try {
    ({ bytesRead: length } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const bytes = head.subarray(0, length);
  const name = basename(path).toLowerCase();
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return 'zip';
  if (bytes.subarray(0, 2).equals(GZIP_MAGIC)) {
    if (/\.(tar\.gz|tgz)$/.test(name)) return 'tar.gz';
    // Anything else (`x.gz`, a download named by a URL without an extension) is a tar only if it holds one.
    try {
      // 4 KiB of deflate input is enough for the first header block, and bounds what it can inflate to.
      return isTarHeader(gunzipSync(bytes.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH })) ? 'tar.gz' : 'gz';
    } catch {
      return 'gz';
    }
  }
  if (bytes.subarray(0, 6).equals(XZ_MAGIC)) return /\.(tar\.xz|txz)$/.test(name) || !/\.xz$/.test(name) ? 'tar.xz' : 'xz';
  if (isTarHeader(bytes)) return 'tar';
  return 'plain';
}

/** The name a compressed single file's content goes by: `nvdcve-1.1-2002.json.gz` → `nvdcve-1.1-2002.json`. */
function innerName(fileName: string): string {
  return fileName.replace(/\.(gz|xz)$/i, '');
}

function memoryFile(name: string, data: Buffer): FeedFile {
  return { name, size: data.length, read: () => Promise.resolve(data) };
}

function tooLarge(what: string): SpyglassError {
  return new SpyglassError(`${what} is larger than Spyglass reads from an archive (a damaged file or a decompression bomb)`);
}

/** `xz -dc` as a stream: Node has no xz decoder, and xz-utils is on every machine that has tar. */
function xzDecoder(path: string): Readable {
  const child = spawn('xz', ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.on('error', (error) => child.stdout.destroy(new Error(`cannot run xz (${error.message}); install xz-utils to read .xz files`)));
  child.on('close', (code) => {
    if (code !== 0 && code !== null) child.stdout.destroy(new Error(`xz: ${stderr.trim().split('\n')[0] || `exit ${code}`}`));
  });
  return child.stdout;
}

/** Reads a decompressed stream to its end with a size cap. */
async function readCapped(stream: Readable, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > ARCHIVE_LIMITS.entryBytes) {
      stream.destroy();
      throw tooLarge(what);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Every wanted regular file of a tar stream, once the stream has ended cleanly. */
async function readTar(source: Readable, accept: (name: string) => boolean): Promise<FeedFile[]> {
  const files: FeedFile[] = [];
  let kept = 0;
  let streamed = 0;
  const tar = extract();
  tar.on('entry', (header, entry, next) => {
    const name = header.name.replace(/^(\.\/)+/, '');
    // A stream that breaks mid-entry fails the pipeline below; the entry's own error says the same.
    entry.on('error', () => undefined);
    streamed += header.size ?? 0;
    if (streamed > ARCHIVE_LIMITS.streamBytes) {
      next(tooLarge('the archive'));
      return;
    }
    const wanted = (header.type === 'file' || header.type === 'contiguous-file') && name !== '' && accept(name);
    if (!wanted) {
      entry.on('end', () => next()).resume();
      return;
    }
    if ((header.size ?? 0) > ARCHIVE_LIMITS.entryBytes || kept + (header.size ?? 0) > ARCHIVE_LIMITS.keptBytes) {
      next(tooLarge(name));
      return;
    }
    const chunks: Buffer[] = [];
    entry.on('data', (chunk: unknown) => {
      chunks.push(chunk as Buffer);
    });
    entry.on('end', () => {
      const data = Buffer.concat(chunks);
      kept += data.length;
      files.push(memoryFile(name, data));
      next();
    });
  });
  await pipeline(source, tar);
  return files;
}

/** Every wanted file of a zip, decompressed and checked against its CRC-32. */
async function readZip(path: string, accept: (name: string) => boolean): Promise<FeedFile[]> {
  if ((await stat(path)).size > ARCHIVE_LIMITS.zipBytes) throw tooLarge('the zip file');
  const bytes = await readFile(path);
  let declared = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (entry) => {
        if (entry.name.endsWith('/') || !accept(entry.name)) return false;
        // The declared size bounds what fflate allocates; a larger real size fails the CRC below.
        if (entry.originalSize > ARCHIVE_LIMITS.entryBytes) throw tooLarge(entry.name);
        declared += entry.originalSize;
        if (declared > ARCHIVE_LIMITS.keptBytes) throw tooLarge('the zip file');
        return true;
      },
    });
  } catch (error) {
    if (error instanceof SpyglassError) throw error;
    throw new Error(`not a readable zip file (${error instanceof Error ? error.message : String(error)})`);
  }
  const crcs = zipCrcs(bytes);
  const files: FeedFile[] = [];
  // In the archive's own order, as for a tar.
  for (const name of Object.keys(entries)) {
    const data = Buffer.from(entries[name].buffer, entries[name].byteOffset, entries[name].byteLength);
    const expected = crcs.get(name);
    if (expected !== undefined && crc32(data) !== expected) throw new Error(`zip entry ${name} is damaged (CRC-32 mismatch)`);
    files.push(memoryFile(name, data));
  }
  return files;
}

/** CRC-32 of each entry from the zip's central directory (APPNOTE 4.3.12), which fflate does not check. */
function zipCrcs(bytes: Buffer): Map<string, number> {
  const crcs = new Map<string, number>();
  let end = bytes.length - 22;
  while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) return crcs;
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < count && at + 46 <= bytes.length && bytes.readUInt32LE(at) === 0x02014b50; i++) {
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    crcs.set(bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8'), bytes.readUInt32LE(at + 16));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return crcs;
}

/**
 * Opens an archive or compressed file and returns its wanted files, all read and checked. Errors are
 * plain Errors with the reason; the caller names the location.
 */
export async function readArchive(
  path: string,
  kind: Exclude<InputKind, 'plain'>,
  accept: (name: string) => boolean,
  fileName = basename(path),
): Promise<FeedFile[]> {
  switch (kind) {
    case 'zip':
      return readZip(path, accept);
    case 'tar':
      return readTar(createReadStream(path), accept);
    case 'tar.gz': {
      const gunzip = createGunzip();
      createReadStream(path).on('error', (error) => gunzip.destroy(error)).pipe(gunzip);
      return readTar(gunzip, accept);
    }
    case 'tar.xz':
      return readTar(xzDecoder(path), accept);
    case 'gz': {
      const name = innerName(fileName);
      if (!accept(name)) return [];
      try {
        // maxOutputLength stops a bomb inside zlib, before the memory is taken.
        return [memoryFile(name, gunzipSync(await readFile(path), { maxOutputLength: ARCHIVE_LIMITS.entryBytes }))];
      } catch (error) {
        if (error instanceof RangeError) throw tooLarge(name);
        throw error;
      }
    }
    case 'xz': {
      const name = innerName(fileName);
      if (!accept(name)) return [];
      return [memoryFile(name, await readCapped(xzDecoder(path), name))];
    }
  }
}
