// A zip reader over a buffer: the central directory (with Zip64 fields) and one entry at a time,
// inflated by node:zlib with a hard output cap. Sizes are checked BEFORE inflating, and the cap holds
// even when an entry lies about its size, so a zip bomb costs at most the cap.
// Format: PKWARE APPNOTE.TXT (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT) §4.3.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(buf: Buffer, offset: number): number {
  const value = buf.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('zip: size out of range');
  return Number(value);
}

function findEnd(buf: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const stop = Math.max(0, buf.length - 22 - 65535);
  for (let at = buf.length - 22; at >= stop; at--) {
    if (buf.readUInt32LE(at) === EOCD) return at;
  }
  throw new Error('not a zip archive: no end of central directory');
}

/** Every entry of the archive's central directory. */
export function zipEntries(buf: Buffer): ZipEntry[] {
  if (buf.length < 22) throw new Error('not a zip archive: too short');
  const end = findEnd(buf);
  let count = buf.readUInt16LE(end + 10);
  let directorySize = buf.readUInt32LE(end + 12);
  let directoryOffset = buf.readUInt32LE(end + 16);
  if ((count === 0xffff || directoryOffset === 0xffffffff) && end >= 20 && buf.readUInt32LE(end - 20) === ZIP64_LOCATOR) {
    const record = u64(buf, end - 20 + 8);
    if (record + 56 > buf.length || buf.readUInt32LE(record) !== ZIP64_EOCD) throw new Error('zip: bad Zip64 end record');
    count = u64(buf, record + 32);
    directorySize = u64(buf, record + 40);
    directoryOffset = u64(buf, record + 48);
  }
  if (directoryOffset + directorySize > buf.length) throw new Error('zip: truncated (central directory past the end)');
  // Each central header takes at least 46 bytes: a count larger than that is a lie.
  if (count * 46 > directorySize) throw new Error('zip: central directory too small for its entry count');
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw new Error('zip: bad central directory entry');
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    if (at + 46 + nameLength + extraLength > buf.length) throw new Error('zip: truncated central directory');
    const entry: ZipEntry = {
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      flags: buf.readUInt16LE(at + 8),
      method: buf.readUInt16LE(at + 10),
      compressedSize: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      localOffset: buf.readUInt32LE(at + 42),
    };
    applyZip64(buf, at + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The Zip64 extra field (id 1) holds, in order, whichever of size, compressed size and offset were 0xffffffff. */
function applyZip64(buf: Buffer, start: number, length: number, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length;) {
    const id = buf.readUInt16LE(at);
    const size = buf.readUInt16LE(at + 2);
    if (id === 1) {
      let field = at + 4;
      const next = (): number | undefined => {
        if (field + 8 > Math.min(at + 4 + size, start + length)) return undefined;
        const value = u64(buf, field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localOffset === 0xffffffff) entry.localOffset = next() ?? entry.localOffset;
      return;
    }
    at += 4 + size;
  }
}

/** An entry's bytes; throws when it declares more than `maxBytes` (checked before inflating), is encrypted or broken. */
export function readZipEntry(buf: Buffer, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.size > maxBytes) throw new Error(`zip entry ${entry.name} declares ${entry.size} bytes, over the ${maxBytes} byte cap`);
  if ((entry.flags & 1) !== 0) throw new Error(`zip entry ${entry.name} is encrypted`);
  const at = entry.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL) throw new Error(`zip entry ${entry.name}: bad local header`);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  if (start + entry.compressedSize > buf.length) throw new Error(`zip entry ${entry.name}: truncated`);
  const data = buf.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new Error(`zip entry ${entry.name}: stored size mismatch`);
    return data;
  }
  if (entry.method !== 8) throw new Error(`zip entry ${entry.name}: compression method ${entry.method} not supported`);
  let out: Buffer;
  try {
    // The declared size is the cap: an entry that inflates past it is lying.
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    if (error instanceof RangeError) throw new Error(`zip entry ${entry.name} inflates past its declared ${entry.size} bytes`);
    throw new Error(`zip entry ${entry.name}: bad deflate data`);
  }
  if (out.length !== entry.size) throw new Error(`zip entry ${entry.name}: inflated to ${out.length} bytes, declared ${entry.size}`);
  return out;
}
