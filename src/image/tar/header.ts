// Decoding of tar headers: POSIX ustar (with `prefix`), GNU (`L`/`K` long names, base-256 numbers),
// PAX extended headers (`x`; global `g` headers are recognised and ignored, as Go's archive/tar and
// Docker do). Pure functions over Buffers; the callers add which file and layer they were reading.
// Formats: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
// and https://www.gnu.org/software/tar/manual/html_node/Standard.html

export const BLOCK_SIZE = 512;

/** A malformed tar header; readers wrap it into a SpyglassError that names the archive. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** What one 512-byte header block says, before PAX or GNU long-name records are applied. */
export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of body that follow the header in the archive (0 for header-only types, whatever the field says). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** The raw type flag character, `'0'` for a regular file. */
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
  format: 'ustar' | 'gnu' | 'v7';
}

/** The PAX keys that change an entry (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_03). */
export interface PaxRecords {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

/** Type flags whose entries carry no body even when their size field is not zero (as Go's archive/tar). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/** Meta entries: their body describes the next entry (`L`/`K` GNU long name/link, `x`/`g` PAX). */
export function isMetaType(typeflag: string): boolean {
  return typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g';
}

/** The entry type of a type flag; undefined for types a filesystem view has no use for (`V`, `M`, `N`…). */
export function entryType(typeflag: string): TarEntryType | undefined {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7': // contiguous file: a regular file everywhere that matters
    case 'S': // GNU sparse: kept as a file whose body is the stored data
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return undefined;
  }
}

/** True for an all-zero block (the end-of-archive marker is two of them). */
export function isZeroBlock(buf: Buffer, offset: number): boolean {
  for (let i = offset, end = offset + BLOCK_SIZE; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Verifies the header checksum: the sum of all header bytes with the checksum field read as spaces.
 * Both the unsigned and the historic signed sum are accepted, as Go's archive/tar and GNU tar do.
 */
export function checksumMatches(buf: Buffer, offset: number): boolean {
  const stored = parseOctal(buf, offset + 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : buf[offset + i];
    unsigned += byte;
    signed += byte >= 0x80 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** A NUL-terminated string field. */
function cstring(buf: Buffer, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && buf[end] !== 0) end++;
  if (end === start) return '';
  return buf.toString('utf8', start, end);
}

/** An octal field, possibly space/NUL padded; NaN when it holds something else. */
function parseOctal(buf: Buffer, start: number, length: number): number {
  let i = start;
  const end = start + length;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) return NaN;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : value;
}

/**
 * A numeric field: octal, or GNU base-256 when the high bit of the first byte is set (two's
 * complement big-endian; used for sizes over 8 GiB, large uids and negative mtimes).
 */
export function parseNumeric(buf: Buffer, start: number, length: number): number {
  const first = buf[start];
  if ((first & 0x80) === 0) return parseOctal(buf, start, length);
  const negative = (first & 0x40) !== 0;
  let value = 0;
  for (let i = 0; i < length; i++) {
    let byte = buf[start + i];
    if (negative) byte = ~byte & 0xff;
    if (i === 0) byte &= 0x7f;
    value = value * 256 + byte;
  }
  if (negative) value = -(value + 1);
  if (!Number.isSafeInteger(value)) return NaN;
  return value;
}

/** Decodes one 512-byte header at `offset`. The block must not be all zeros (see isZeroBlock). */
export function decodeHeader(buf: Buffer, offset: number): TarHeader {
  if (!checksumMatches(buf, offset)) throw new TarFormatError('bad header checksum (corrupt tar)');
  const magic = buf.toString('latin1', offset + 257, offset + 265);
  const format = magic === 'ustar  \0' ? 'gnu' : magic.startsWith('ustar\0') ? 'ustar' : 'v7';
  let name = cstring(buf, offset, 100);
  // Old GNU tar stores atime/ctime where ustar has `prefix`, so only ustar headers join it.
  if (format === 'ustar') {
    const prefix = cstring(buf, offset + 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(buf[offset + 156]);
  const mode = parseNumeric(buf, offset + 100, 8);
  const uid = parseNumeric(buf, offset + 108, 8);
  const gid = parseNumeric(buf, offset + 116, 8);
  let size = parseNumeric(buf, offset + 124, 12);
  const mtime = parseNumeric(buf, offset + 136, 12);
  if ([mode, uid, gid, size, mtime].some((n) => Number.isNaN(n)) || size < 0) {
    throw new TarFormatError(`invalid numeric field in the header of "${name}" (corrupt tar)`);
  }
  if (HEADER_ONLY.has(typeflag)) size = 0;
  const hasDevice = format !== 'v7';
  return {
    name,
    mode: mode & 0o7777,
    uid,
    gid,
    size,
    mtime,
    typeflag,
    linkname: cstring(buf, offset + 157, 100),
    devmajor: hasDevice ? parseNumeric(buf, offset + 329, 8) || 0 : 0,
    devminor: hasDevice ? parseNumeric(buf, offset + 337, 8) || 0 : 0,
    format,
  };
}

/** The body of a GNU `L`/`K` entry: the long name, NUL-terminated. */
export function decodeLongName(body: Buffer): string {
  const nul = body.indexOf(0);
  return body.toString('utf8', 0, nul === -1 ? body.length : nul);
}

/** Parses PAX records `"<length> <key>=<value>\n"`; unknown keys are ignored. */
export function decodePax(body: Buffer): PaxRecords {
  const records: PaxRecords = {};
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break; // NUL padding after the last record
    const space = body.indexOf(0x20, pos);
    if (space === -1) throw new TarFormatError('malformed PAX record (corrupt tar)');
    const length = Number(body.toString('latin1', pos, space));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > body.length) {
      throw new TarFormatError('malformed PAX record length (corrupt tar)');
    }
    const end = pos + length; // the record's trailing newline sits at end - 1
    const equals = body.indexOf(0x3d, space + 1);
    if (equals === -1 || equals >= end) throw new TarFormatError('malformed PAX record (corrupt tar)');
    const key = body.toString('utf8', space + 1, equals);
    const value = body.toString('utf8', equals + 1, end - 1);
    applyPaxRecord(records, key, value);
    pos = end;
  }
  return records;
}

function applyPaxRecord(records: PaxRecords, key: string, value: string): void {
  switch (key) {
    case 'path':
      records.path = value;
      break;
    case 'linkpath':
      records.linkpath = value;
      break;
    case 'size':
    case 'uid':
    case 'gid': {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw new TarFormatError(`invalid PAX ${key} "${value}" (corrupt tar)`);
      records[key] = n;
      break;
    }
    case 'mtime': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new TarFormatError(`invalid PAX mtime "${value}" (corrupt tar)`);
      records.mtime = Math.floor(n);
      break;
    }
    default:
      break;
  }
}

/** The header with PAX records and GNU long names (of the preceding meta entries) applied. */
export function applyOverrides(
  header: TarHeader,
  pax: PaxRecords | undefined,
  longName: string | undefined,
  longLink: string | undefined,
): TarHeader {
  if (pax === undefined && longName === undefined && longLink === undefined) return header;
  const out = { ...header };
  if (longName !== undefined) out.name = longName;
  if (longLink !== undefined) out.linkname = longLink;
  if (pax !== undefined) {
    if (pax.path !== undefined) out.name = pax.path;
    if (pax.linkpath !== undefined) out.linkname = pax.linkpath;
    if (pax.size !== undefined && !HEADER_ONLY.has(out.typeflag)) out.size = pax.size;
    if (pax.uid !== undefined) out.uid = pax.uid;
    if (pax.gid !== undefined) out.gid = pax.gid;
    if (pax.mtime !== undefined) out.mtime = pax.mtime;
  }
  return out;
}
