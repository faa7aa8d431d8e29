// rpm's Berkeley DB `Packages` file, a BDB hash database keyed by the 4-byte header number, read the way
// rpm's own read-only backend does (lib/backend/bdb_ro.c): buckets in order, each bucket's page chain,
// key/value pairs on the page, values of any size on chains of overflow pages. Page layout:
// https://github.com/berkeleydb/libdb/blob/v5.3.28/src/dbinc/db_page.h. Every page number is checked
// against the file and every chain is bounded by the page count, so cyclic pointers end in an error.

const HASH_MAGIC = 0x061561;
const BTREE_MAGIC = 0x053162;
const PAGE_HEADER_SIZE = 26;
const P_HASH_UNSORTED = 2; // hash pages of BDB < 4.6 (hash version 8)
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

interface HashDb {
  content: Buffer;
  pageSize: number;
  lastPage: number;
  maxBucket: number;
  spares: number[];
  swapped: boolean;
  u16(at: number): number;
  u32(at: number): number;
}

function openHashDb(content: Buffer): HashDb {
  if (content.length < 512) throw new Error('not a Berkeley DB file: too short');
  let swapped: boolean;
  const little = content.readUInt32LE(12);
  if (little === HASH_MAGIC) swapped = false;
  else if (content.readUInt32BE(12) === HASH_MAGIC) swapped = true;
  else if (little === BTREE_MAGIC || content.readUInt32BE(12) === BTREE_MAGIC) throw new Error('Berkeley DB btree, not the rpm Packages hash');
  else throw new Error('not a Berkeley DB hash database');
  const u16 = (at: number) => (swapped ? content.readUInt16BE(at) : content.readUInt16LE(at));
  const u32 = (at: number) => (swapped ? content.readUInt32BE(at) : content.readUInt32LE(at));
  const version = u32(16);
  if (version < 8 || version > 10) throw new Error(`unsupported Berkeley DB hash version ${version}`);
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`bad Berkeley DB page size ${pageSize}`);
  if (content[24] !== 0) throw new Error('encrypted Berkeley DB database');
  const spares: number[] = [];
  for (let i = 0; i < 32; i++) spares.push(u32(96 + i * 4));
  return { content, pageSize, lastPage: u32(32), maxBucket: u32(72), spares, swapped, u16, u32 };
}

/**
 * Page `pageNo`, checked to lie in the file and to carry its own number (as bdb_getpage). Berkeley DB
 * leaves bucket pages it allocated but never wrote as zeros (P_INVALID), which it reads as empty: such
 * a page is returned as `undefined` where `allowEmpty`.
 */
function page(db: HashDb, pageNo: number, allowEmpty = false): number | undefined {
  if (pageNo === 0 || pageNo > db.lastPage) throw new Error(`Berkeley DB page ${pageNo} out of range`);
  const start = pageNo * db.pageSize;
  if (start + db.pageSize > db.content.length) throw new Error(`Berkeley DB database truncated at page ${pageNo}`);
  if (db.u32(start + 8) !== pageNo) {
    if (allowEmpty && db.content.subarray(start, start + db.pageSize).every((byte) => byte === 0)) return undefined;
    throw new Error(`Berkeley DB page ${pageNo} holds another page's number`);
  }
  return start;
}

function overflowPage(db: HashDb, pageNo: number): number {
  const start = page(db, pageNo) as number;
  if (db.content[start + 25] !== P_OVERFLOW) throw new Error(`Berkeley DB page ${pageNo} is not an overflow page`);
  return start;
}

function bucketPage(db: HashDb, bucket: number): number {
  let splitPoint = 0;
  for (let b = bucket; b !== 0; b >>>= 1) splitPoint++;
  return bucket + (db.spares[splitPoint] ?? 0);
}

/** A value stored on overflow pages: `length` bytes from the chain starting at `pageNo`. */
function overflow(db: HashDb, pageNo: number, length: number): Buffer {
  if (length === 0 || length > db.content.length) throw new Error('Berkeley DB overflow item of impossible length');
  const parts: Buffer[] = [];
  let remaining = length;
  let next = pageNo;
  for (let hops = 0; remaining > 0; hops++) {
    if (hops > db.lastPage) throw new Error('Berkeley DB overflow chain loops');
    const start = overflowPage(db, next);
    const used = db.u16(start + 22);
    if (used === 0 || used + PAGE_HEADER_SIZE > db.pageSize || used > remaining) throw new Error(`Berkeley DB overflow page ${next} is corrupt`);
    parts.push(db.content.subarray(start + PAGE_HEADER_SIZE, start + PAGE_HEADER_SIZE + used));
    remaining -= used;
    next = db.u32(start + 16);
  }
  return Buffer.concat(parts, length);
}

/** The key or value item at `offset` (page-relative) spanning `length` bytes of the page. */
function item(db: HashDb, start: number, offset: number, length: number): Buffer {
  if (length <= 0 || offset + length > db.pageSize) throw new Error('Berkeley DB hash item out of its page');
  const type = db.content[start + offset];
  if (type === H_KEYDATA) return db.content.subarray(start + offset + 1, start + offset + length);
  if (type === H_OFFPAGE && length === 12) return overflow(db, db.u32(start + offset + 4), db.u32(start + offset + 8));
  throw new Error(`Berkeley DB hash item of unsupported type ${type}`);
}

/** The header blobs of an rpm `Packages` hash database, in rpm -qa order. */
export function readBdbHeaders(content: Buffer): Buffer[] {
  const db = openHashDb(content);
  const blobs: Buffer[] = [];
  const visited = new Set<number>();
  if (db.maxBucket > db.lastPage) throw new Error('Berkeley DB hash has more buckets than pages');
  for (let bucket = 0; bucket <= db.maxBucket; bucket++) {
    for (let pageNo = bucketPage(db, bucket); pageNo !== 0; ) {
      if (visited.has(pageNo)) throw new Error(`Berkeley DB page ${pageNo} reached twice`);
      visited.add(pageNo);
      const start = page(db, pageNo, true);
      if (start === undefined) break;
      const type = db.content[start + 25];
      if (type !== P_HASH && type !== P_HASH_UNSORTED && type !== P_HASHMETA) throw new Error(`Berkeley DB page ${pageNo} is not a hash page`);
      const entries = db.u16(start + 20);
      if (PAGE_HEADER_SIZE + entries * 2 > db.pageSize) throw new Error(`Berkeley DB page ${pageNo} has too many entries`);
      // Entries are key/value pairs whose data grows down from the page end: each item ends where the
      // previous one starts.
      for (let index = 0; index + 1 < entries; index += 2) {
        const keyOffset = db.u16(start + PAGE_HEADER_SIZE + index * 2);
        const valueOffset = db.u16(start + PAGE_HEADER_SIZE + index * 2 + 2);
        const keyEnd = index === 0 ? db.pageSize : db.u16(start + PAGE_HEADER_SIZE + index * 2 - 2);
        const key = item(db, start, keyOffset, keyEnd - keyOffset);
        if (key.length !== 4) throw new Error('Berkeley DB key is not a 4-byte header number');
        // Header number 0 is rpm's record of the next number to use, not a package.
        if ((db.swapped ? key.readUInt32BE(0) : key.readUInt32LE(0)) === 0) continue;
        blobs.push(item(db, start, valueOffset, keyOffset - valueOffset));
      }
      pageNo = db.u32(start + 16);
    }
  }
  return blobs;
}
