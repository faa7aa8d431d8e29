// Random access into an uncompressed tar file on disk: one pass reads every header (bodies are
// skipped by offset, never read), then members are opened by name as byte ranges of the file.
// `docker save` and OCI archives are read this way, so a 100 MB layer costs nothing until asked for.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SpyglassError } from '../../core/errors.ts';
import {
  BLOCK_SIZE, TarFormatError, applyOverrides, decodeHeader, decodeLongName, decodePax, entryType,
  isMetaType, isZeroBlock, type PaxRecords, type TarEntryType,
} from './header.ts';

export interface TarMember {
  /** Normalised path inside the archive (`./a/b` and `/a/b` are `a/b`; directories have no trailing slash). */
  name: string;
  /** Byte offset of the member's body in the tar file. */
  offset: number;
  size: number;
  type: TarEntryType;
  /** Target of a symlink (as written) or hard link (an archive path). */
  linkname?: string;
}

/** The largest PAX or GNU long-name body accepted (real ones are a few hundred bytes). */
const MAX_META_BYTES = 1024 * 1024;
/** Links followed while resolving one name (Linux's MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

/**
 * A member path made relative to the archive root, or undefined when it climbs out of it (`../x`,
 * `a/../../x`). Absolute names are taken relative to the root, as tar extracts them.
 */
export function normaliseMemberName(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.join('/');
}

export class TarIndex {
  private constructor(
    /** The tar file on disk (a decompressed temporary copy for compressed archives). */
    readonly path: string,
    /** How errors name the archive: what the user gave. */
    readonly label: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  /** Indexes `path`; `label` names the archive in errors (default: the path). */
  static async open(path: string, label = path): Promise<TarIndex> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new SpyglassError(`${label}: cannot open archive (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      const members = await readMembers(handle, label);
      return new TarIndex(path, label, members);
    } finally {
      await handle.close();
    }
  }

  /** Every member name, in archive order. */
  names(): string[] {
    return [...this.members.keys()];
  }

  /** The member as written (links not followed). */
  entry(name: string): TarMember | undefined {
    const normal = normaliseMemberName(name);
    return normal === undefined ? undefined : this.members.get(normal);
  }

  /**
   * The member a name leads to after following symlinks (relative to the link's directory) and hard
   * links (archive paths), also through linked parent directories. Undefined when nothing is there;
   * a SpyglassError for loops and links that leave the archive.
   */
  resolve(name: string): TarMember | undefined {
    // `..` is applied to the path resolved so far, after the links before it were followed (as the
    // kernel does), so a trampoline like `t -> .` plus `t/t/../../x` cannot hide an escape.
    let pending = (normaliseMemberName(name) ?? this.escape(name)).split('/').filter(Boolean);
    let resolved: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        if (resolved.pop() === undefined) this.escape(name);
        continue;
      }
      const member = this.members.get([...resolved, part].join('/'));
      if (member && (member.type === 'symlink' || member.type === 'hardlink') && member.linkname !== undefined) {
        if (++hops > MAX_LINK_HOPS) throw new SpyglassError(`${this.label}: too many links resolving "${name}"`);
        // Hard links name archive paths; absolute symlinks start at the root; others at the link's directory.
        if (member.type === 'hardlink' || member.linkname.startsWith('/')) resolved = [];
        pending = [...member.linkname.split('/').filter(Boolean), ...pending];
        continue;
      }
      resolved.push(part);
    }
    return this.members.get(resolved.join('/'));
  }

  /** The resolved regular-file member, or a SpyglassError naming what is missing. */
  file(name: string): TarMember {
    const member = this.resolve(name);
    if (!member) throw new SpyglassError(`${this.label}: "${name}" is not in the archive`);
    if (member.type !== 'file') throw new SpyglassError(`${this.label}: "${name}" is not a regular file in the archive`);
    return member;
  }

  /** A member's body as a stream of the file's byte range. */
  openStream(name: string): Readable {
    const member = this.file(name);
    if (member.size === 0) return Readable.from([]);
    return createReadStream(this.path, { start: member.offset, end: member.offset + member.size - 1 });
  }

  /** A small member read fully; a SpyglassError when it is larger than `maxBytes`. */
  async readFile(name: string, maxBytes: number): Promise<Buffer> {
    const member = this.file(name);
    if (member.size > maxBytes) {
      throw new SpyglassError(`${this.label}: "${name}" is ${member.size} bytes, more than the ${maxBytes} accepted`);
    }
    return readRange(this.path, member.offset, member.size);
  }

  /** The first bytes of a member (magic-number sniffing). */
  async head(name: string, bytes: number): Promise<Buffer> {
    const member = this.file(name);
    return readRange(this.path, member.offset, Math.min(bytes, member.size));
  }

  private escape(name: string): never {
    throw new SpyglassError(`${this.label}: "${name}" points outside the archive`);
  }
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function readMembers(handle: FileHandle, label: string): Promise<Map<string, TarMember>> {
  const fileSize = (await handle.stat()).size;
  const members = new Map<string, TarMember>();
  const block = Buffer.alloc(BLOCK_SIZE);
  let offset = 0;
  let pax: PaxRecords | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  const truncated = () => new SpyglassError(`${label}: truncated tar archive`);
  for (;;) {
    if (offset + BLOCK_SIZE > fileSize) {
      // A tar that simply stops after a whole member (no end-of-archive blocks) is accepted, as Go's
      // archive/tar does; stopping inside a header is not.
      if (offset === fileSize && offset > 0 && pax === undefined && longName === undefined && longLink === undefined) break;
      throw offset === 0 ? new SpyglassError(`${label}: not a tar archive`) : truncated();
    }
    await handle.read(block, 0, BLOCK_SIZE, offset);
    if (isZeroBlock(block, 0)) {
      if (offset === 0) throw new SpyglassError(`${label}: not a tar archive`);
      break;
    }
    let header;
    try {
      header = decodeHeader(block, 0);
    } catch (error) {
      if (!(error instanceof TarFormatError)) throw error;
      throw new SpyglassError(offset === 0 ? `${label}: not a tar archive` : `${label}: corrupt tar archive (${error.message} at offset ${offset})`);
    }
    const bodyOffset = offset + BLOCK_SIZE;
    const bodySize = isMetaType(header.typeflag) ? header.size : applyOverrides(header, pax, undefined, undefined).size;
    if (bodyOffset + bodySize > fileSize) throw truncated();
    offset = bodyOffset + Math.ceil(bodySize / BLOCK_SIZE) * BLOCK_SIZE;
    if (isMetaType(header.typeflag)) {
      if (header.size > MAX_META_BYTES) throw new SpyglassError(`${label}: corrupt tar archive (a ${header.size} byte extended header)`);
      const body = Buffer.alloc(header.size);
      await handle.read(body, 0, header.size, bodyOffset);
      try {
        if (header.typeflag === 'x') pax = decodePax(body);
        else if (header.typeflag === 'L') longName = decodeLongName(body);
        else if (header.typeflag === 'K') longLink = decodeLongName(body);
      } catch (error) {
        if (error instanceof TarFormatError) throw new SpyglassError(`${label}: corrupt tar archive (${error.message})`);
        throw error;
      }
      continue;
    }
    const full = applyOverrides(header, pax, longName, longLink);
    pax = longName = longLink = undefined;
    const type = entryType(full.typeflag);
    if (type === undefined) continue;
    const name = normaliseMemberName(full.name);
    if (name === undefined) throw new SpyglassError(`${label}: member "${full.name}" escapes the archive root; refusing to read it`);
    if (name === '') continue;
    const member: TarMember = { name, offset: bodyOffset, size: type === 'file' ? full.size : 0, type };
    if (type === 'symlink' || type === 'hardlink') member.linkname = full.linkname;
    members.set(name, member);
  }
  return members;
}
