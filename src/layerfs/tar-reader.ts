// A push-based streaming tar parser. Chunks go in as they come off the decompressor; headers are
// decoded in place at 512-byte boundaries (copied only when one straddles two chunks); bodies nobody
// asked for are skipped by counting, and wanted bodies are copied once into a buffer of their exact size.
import { SpyglassError } from '../core/errors.ts';
import {
  BLOCK_SIZE,
  TarFormatError,
  applyOverrides,
  decodeHeader,
  decodeLongName,
  decodePax,
  entryType,
  isMetaType,
  isZeroBlock,
  type PaxRecords,
  type TarEntryType,
  type TarHeader,
} from '../image/tar/header.ts';

export type { TarEntryType } from '../image/tar/header.ts';

export interface TarEntry {
  /** Normalised absolute POSIX path inside the image root, e.g. `/usr/lib/os-release`. */
  path: string;
  type: TarEntryType;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Body size in bytes (0 for everything but files). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlinks: the target as written. Hardlinks: the normalised absolute path of the target. Else ''. */
  linkname: string;
}

/**
 * What to do with a body the consumer wants that is larger than `maxFileBytes`.
 * `skip` (the default): the file is listed without content and `onOversize` records it — a scanner
 * should still report everything else in the image, and say which file it could not read.
 * `error`: stop with a SpyglassError naming the file.
 */
export type OversizePolicy = 'skip' | 'error';

export interface TarReaderOptions {
  /** Names the archive in messages, e.g. `layer sha256:… of alpine:3.20`. */
  where: string;
  /** Called for every entry; return true to have its body buffered and passed to onBody. */
  onEntry(entry: TarEntry): boolean;
  onBody?(entry: TarEntry, body: Buffer): void;
  /** Per-file cap on buffered bodies; default 64 MiB. */
  maxFileBytes?: number;
  oversize?: OversizePolicy;
  onOversize?(entry: TarEntry, message: string): void;
}

/** Cap on PAX and GNU long-name bodies: real ones are a few hundred bytes. */
const MAX_META_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

const enum State {
  Header,
  Body,
  Padding,
  Done,
}

/**
 * Normalises a tar member name to an absolute path in the image root. A leading `/` is dropped
 * (as tar does); `.` and empty components vanish; `..` goes up, and a `..` that would climb above the
 * root is an error, as in Docker's pkg/archive (`breakoutError`) and containerd's archive
 * (`fs.RootPath` + breakout check): such entries are never legitimately produced by image builders.
 * Returns undefined for a name that is the root itself.
 */
export function normaliseEntryPath(name: string, where: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new SpyglassError(`tar entry ${JSON.stringify(name)} in ${where} escapes the image root`);
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? undefined : `/${parts.join('/')}`;
}

export class TarReader {
  private readonly options: TarReaderOptions;
  private readonly maxFileBytes: number;
  private state = State.Header;
  /** Header bytes gathered so far when a header straddles chunks. */
  private readonly headerBuffer = Buffer.alloc(BLOCK_SIZE);
  private headerFill = 0;
  private zeroBlocks = 0;
  /** Body bytes left to read of the current entry, and padding after it. */
  private remaining = 0;
  private padding = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;
  private current: TarEntry | undefined;
  private metaType: string | undefined;
  private pax: PaxRecords | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Entries seen (meta entries not counted). */
  entries = 0;
  /** Archive bytes consumed. */
  bytes = 0;

  constructor(options: TarReaderOptions) {
    this.options = options;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** Feeds the next chunk of the archive. */
  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      switch (this.state) {
        case State.Header: {
          if (this.headerFill === 0 && length - pos >= BLOCK_SIZE) {
            this.onHeaderBlock(chunk, pos);
            pos += BLOCK_SIZE;
          } else {
            const take = Math.min(BLOCK_SIZE - this.headerFill, length - pos);
            chunk.copy(this.headerBuffer, this.headerFill, pos, pos + take);
            this.headerFill += take;
            pos += take;
            if (this.headerFill === BLOCK_SIZE) {
              this.headerFill = 0;
              this.onHeaderBlock(this.headerBuffer, 0);
            }
          }
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, length - pos);
          if (this.body !== undefined) {
            chunk.copy(this.body, this.bodyFill, pos, pos + take);
            this.bodyFill += take;
          }
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) this.endBody();
          break;
        }
        case State.Padding: {
          const take = Math.min(this.padding, length - pos);
          this.padding -= take;
          pos += take;
          if (this.padding === 0) this.state = State.Header;
          break;
        }
        case State.Done:
          // Bytes after the end-of-archive marker are ignored (they still count towards the diff_id).
          return;
      }
    }
  }

  /** Signals the end of the archive; throws when it stopped inside a header or a body. */
  end(): void {
    if (this.state === State.Done) return;
    // End of input at a header boundary is accepted without the two zero blocks, as Go's archive/tar does.
    if (this.state === State.Header && this.headerFill === 0 && this.metaType === undefined && this.pax === undefined
      && this.longName === undefined && this.longLink === undefined) {
      this.state = State.Done;
      return;
    }
    throw new SpyglassError(`${this.options.where}: truncated tar`);
  }

  private onHeaderBlock(buf: Buffer, offset: number): void {
    if (isZeroBlock(buf, offset)) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) this.state = State.Done;
      return;
    }
    this.zeroBlocks = 0;
    let header: TarHeader;
    try {
      header = decodeHeader(buf, offset);
    } catch (error) {
      if (error instanceof TarFormatError) throw new SpyglassError(`${this.options.where}: ${error.message}`);
      throw error;
    }
    if (isMetaType(header.typeflag)) {
      if (header.size > MAX_META_BYTES) {
        throw new SpyglassError(`${this.options.where}: ${header.size}-byte extended header is over the ${MAX_META_BYTES} byte cap (corrupt tar)`);
      }
      this.metaType = header.typeflag;
      this.current = undefined;
      this.startBody(header.size, true);
      return;
    }
    const full = applyOverrides(header, this.pax, this.longName, this.longLink);
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    this.entries++;
    const type = entryType(full.typeflag);
    const path = normaliseEntryPath(full.name, this.options.where);
    if (type === undefined || path === undefined) {
      // Volume labels, multi-volume continuations, the root directory itself: nothing to show.
      this.current = undefined;
      this.startBody(full.size, false);
      return;
    }
    let linkname = full.linkname;
    if (type === 'hardlink') linkname = normaliseEntryPath(linkname, this.options.where) ?? '/';
    const entry: TarEntry = {
      path,
      type,
      mode: full.mode,
      uid: full.uid,
      gid: full.gid,
      size: type === 'file' ? full.size : 0,
      mtime: full.mtime,
      linkname: type === 'symlink' || type === 'hardlink' ? linkname : '',
    };
    this.current = entry;
    let wanted = this.options.onEntry(entry) && type === 'file';
    if (wanted && entry.size > this.maxFileBytes) {
      const message = `${path} in ${this.options.where}: file is ${entry.size} bytes, over the ${this.maxFileBytes} byte cap`;
      if (this.options.oversize === 'error') throw new SpyglassError(`${message} (--max-file-bytes)`);
      this.options.onOversize?.(entry, message);
      wanted = false;
    }
    this.startBody(full.size, wanted);
  }

  private startBody(size: number, buffer: boolean): void {
    this.body = buffer ? Buffer.allocUnsafe(size) : undefined;
    this.bodyFill = 0;
    this.remaining = size;
    this.padding = (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
    if (size === 0) this.endBody();
    else this.state = State.Body;
  }

  private endBody(): void {
    const body = this.body;
    this.body = undefined;
    this.state = this.padding > 0 ? State.Padding : State.Header;
    if (this.metaType !== undefined) {
      const metaType = this.metaType;
      this.metaType = undefined;
      const data = body ?? Buffer.alloc(0);
      try {
        if (metaType === 'L') this.longName = decodeLongName(data);
        else if (metaType === 'K') this.longLink = decodeLongName(data);
        else if (metaType === 'x') this.pax = decodePax(data);
        // 'g' (PAX global header): ignored, as Go's archive/tar and Docker do; git archive writes only a comment there.
      } catch (error) {
        if (error instanceof TarFormatError) throw new SpyglassError(`${this.options.where}: ${error.message}`);
        throw error;
      }
      return;
    }
    if (body !== undefined && this.current !== undefined) this.options.onBody?.(this.current, body);
  }
}

/** Reads a whole archive from an async iterable of chunks. */
export async function readTar(chunks: AsyncIterable<Buffer>, options: TarReaderOptions): Promise<TarReader> {
  const reader = new TarReader(options);
  for await (const chunk of chunks) reader.write(chunk);
  reader.end();
  return reader;
}
