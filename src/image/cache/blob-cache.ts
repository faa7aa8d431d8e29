import { randomBytes, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SpyglassError } from '../../core/errors.ts';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.ts';
import { digestMismatch, hashFor } from '../verify.ts';

/** What a cached blob holds, guessed from its first bytes (the cache stores no media types). */
export type BlobKind = 'layer' | 'json' | 'other';

export interface CacheUsage {
  count: number;
  bytes: number;
  byKind: Record<BlobKind, { count: number; bytes: number }>;
  /** Unfinished downloads in `tmp/` (another process writing, or left by a crash). */
  temporary: { count: number; bytes: number };
}

export interface PruneOptions {
  /** Remove blobs not used for this many milliseconds. */
  olderThan?: number;
  /** Remove every blob. */
  all?: boolean;
  /** Temporary files untouched this long are left-overs of a crashed download; default one hour. */
  staleTemporaryAfter?: number;
  now?: number;
}

export interface PruneResult {
  removed: number;
  bytes: number;
}

const HOUR = 60 * 60 * 1000;

/**
 * A content-addressed cache of registry blobs: `blobs/<algorithm>/<hex>`. A blob is written to a
 * unique file in `tmp/` (same filesystem), hashed while it streams, and renamed into place only when
 * its digest and size match, so readers only ever see complete, verified blobs. Two processes may
 * fetch the same blob at once: the rename is atomic and both write identical bytes.
 */
export class BlobCache {
  constructor(readonly dir: string) {}

  path(digest: Digest): string {
    return join(this.dir, 'blobs', digestAlgorithm(digest), digestHex(digest));
  }

  private get tmpDir(): string {
    return join(this.dir, 'tmp');
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  /** A stream of the cached blob, or undefined when it is not cached. Marks the blob as used. */
  async openRead(digest: Digest): Promise<Readable | undefined> {
    const path = this.path(digest);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    await this.touch(digest);
    return handle.createReadStream();
  }

  /** Marks a blob as used now, for `prune({olderThan})`. */
  async touch(digest: Digest): Promise<void> {
    const now = new Date();
    await utimes(this.path(digest), now, now).catch(() => undefined);
  }

  /**
   * A pass-through stream that copies what flows through it into the cache and fails, instead of
   * ending, when the bytes do not match `digest` and `size`. The blob appears in the cache just
   * before the stream ends cleanly; if the stream fails or is destroyed early nothing is cached.
   */
  async tee(digest: Digest, size: number | undefined, what: string): Promise<Transform> {
    const hash = hashFor(digest, what);
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.dir, 'blobs', digestAlgorithm(digest)), { recursive: true });
    const tmpPath = join(this.tmpDir, `${digestHex(digest).slice(0, 16)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    const file = createWriteStream(tmpPath, { flags: 'wx' });
    return new CachingVerifier({ digest, size, what, hash, file, tmpPath, finalPath: this.path(digest) });
  }

  /** Reads `source` to the end into the cache; rejects (caching nothing) when it does not match. */
  async write(digest: Digest, size: number | undefined, source: Readable, what: string = digest): Promise<string> {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(source, await this.tee(digest, size, what), sink);
    return this.path(digest);
  }

  async df(): Promise<CacheUsage> {
    const usage: CacheUsage = {
      count: 0, bytes: 0, temporary: { count: 0, bytes: 0 },
      byKind: { layer: { count: 0, bytes: 0 }, json: { count: 0, bytes: 0 }, other: { count: 0, bytes: 0 } },
    };
    for (const file of await this.blobFiles()) {
      const kind = await sniffKind(file.path);
      usage.count++;
      usage.bytes += file.size;
      usage.byKind[kind].count++;
      usage.byKind[kind].bytes += file.size;
    }
    for (const file of await listFiles(this.tmpDir)) {
      usage.temporary.count++;
      usage.temporary.bytes += file.size;
    }
    return usage;
  }

  /** Removes blobs unused for `olderThan` ms (or all of them) and temporary files left by crashes. */
  async prune(options: PruneOptions = {}): Promise<PruneResult> {
    const now = options.now ?? Date.now();
    const result: PruneResult = { removed: 0, bytes: 0 };
    const remove = async (file: FileEntry) => {
      await rm(file.path, { force: true });
      result.removed++;
      result.bytes += file.size;
    };
    for (const file of await this.blobFiles()) {
      if (options.all || (options.olderThan !== undefined && now - file.mtimeMs > options.olderThan)) await remove(file);
    }
    // A download in progress keeps writing, so its mtime stays fresh; only idle files are stale.
    const staleAfter = options.staleTemporaryAfter ?? HOUR;
    for (const file of await listFiles(this.tmpDir)) if (now - file.mtimeMs > staleAfter) await remove(file);
    return result;
  }

  private async blobFiles(): Promise<FileEntry[]> {
    const root = join(this.dir, 'blobs');
    const algorithms = await readdir(root).catch(() => [] as string[]);
    const files: FileEntry[] = [];
    for (const algorithm of algorithms) files.push(...(await listFiles(join(root, algorithm))));
    return files;
  }
}

interface FileEntry {
  path: string;
  size: number;
  mtimeMs: number;
}

async function listFiles(dir: string): Promise<FileEntry[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: FileEntry[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) files.push({ path: join(dir, name), size: info.size, mtimeMs: info.mtimeMs });
  }
  return files;
}

async function sniffKind(path: string): Promise<BlobKind> {
  const head = Buffer.alloc(262);
  const handle = await open(path, 'r');
  try {
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const zstd = bytes.readUInt32LE(0) === 0xfd2fb528;
    const tar = bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar';
    if (bytes.length >= 4 && (gzip || zstd || tar)) return 'layer';
    if (bytes.subarray(0, 1).toString() === '{') return 'json';
    return 'other';
  } finally {
    await handle.close();
  }
}

interface CachingVerifierOptions {
  digest: Digest;
  size: number | undefined;
  what: string;
  hash: Hash;
  file: WriteStream;
  tmpPath: string;
  finalPath: string;
}

class CachingVerifier extends Transform {
  private bytes = 0;
  private settled = false;
  constructor(private readonly o: CachingVerifierOptions) {
    super();
    // The temp file failing (disk full) fails the stream rather than leaving it hanging.
    o.file.on('error', (error) => this.destroy(error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.o.size !== undefined && this.bytes > this.o.size) {
      callback(new SpyglassError(`${this.o.what}: more than the ${this.o.size} bytes its descriptor says; rejected`));
      return;
    }
    this.o.hash.update(chunk);
    this.o.file.write(chunk, (error) => (error ? callback(error) : callback(null, chunk)));
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.o.hash.digest('hex');
    let failure: Error | undefined;
    if (actual !== digestHex(this.o.digest)) failure = digestMismatch(this.o.what, this.o.digest, actual);
    else if (this.o.size !== undefined && this.bytes !== this.o.size) {
      failure = new SpyglassError(`${this.o.what}: ${this.bytes} bytes where its descriptor says ${this.o.size}; rejected`);
    }
    if (failure) {
      callback(failure);
      return;
    }
    this.o.file.end(() => {
      rename(this.o.tmpPath, this.o.finalPath).then(
        () => {
          this.settled = true;
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.settled) {
      callback(error);
      return;
    }
    this.o.file.destroy();
    rm(this.o.tmpPath, { force: true }).then(() => callback(error), () => callback(error));
  }
}
