// rpm's NDB backend (SUSE; rpm lib/backend/ndb/rpmpkg.c): a 32-byte header, then `slotnpages` 4 KiB pages
// of 16-byte slots (magic "Slot", pkgidx, blkoff, blkcnt), then blobs in 16-byte blocks, each a 16-byte
// head (magic "BlbS", pkgidx, generation, length), the header blob, padding and a 12-byte tail
// (adler32, length, magic "BlbE"). All little-endian. Checks follow rpmpkgReadSlots and rpmpkgReadBlob.

const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const HEADER_SIZE = 32;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;
const magic = (text: string) => Buffer.from(text, 'latin1').readUInt32LE(0);
const PKGDB_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const BLOB_HEAD_MAGIC = magic('BlbS');
const BLOB_TAIL_MAGIC = magic('BlbE');

interface Slot {
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
}

function readSlots(content: Buffer): Slot[] {
  if (content.length < HEADER_SIZE || content.readUInt32LE(0) !== PKGDB_MAGIC) throw new Error('not an rpm NDB database');
  const version = content.readUInt32LE(4);
  if (version !== 0) throw new Error(`rpm NDB database version ${version}, not 0`);
  const slotPages = content.readUInt32LE(12);
  if (slotPages === 0 || slotPages * PAGE_SIZE > content.length) throw new Error('rpm NDB database truncated in its slot pages');
  if (content.length % BLK_SIZE !== 0) throw new Error('rpm NDB database truncated: size not a multiple of 16');
  const fileBlocks = content.length / BLK_SIZE;
  const firstBlobBlock = slotPages * (PAGE_SIZE / BLK_SIZE);
  const slots: Slot[] = [];
  for (let at = HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
    if (content.readUInt32LE(at) !== SLOT_MAGIC) throw new Error(`rpm NDB database: bad slot magic at byte ${at}`);
    const blkoff = content.readUInt32LE(at + 8);
    if (blkoff === 0) continue; // a free slot
    const slot = { pkgidx: content.readUInt32LE(at + 4), blkoff, blkcnt: content.readUInt32LE(at + 12) };
    if (slot.blkoff + slot.blkcnt > fileBlocks) throw new Error(`rpm NDB database truncated: package ${slot.pkgidx} lies past the end`);
    if (!slot.pkgidx || !slot.blkcnt || slot.blkoff < firstBlobBlock) throw new Error(`rpm NDB database: bad slot at byte ${at}`);
    slots.push(slot);
  }
  // rpmpkgList orders the packages by where their blobs lie.
  return slots.sort((a, b) => a.blkoff - b.blkoff);
}

function readBlob(content: Buffer, slot: Slot): Buffer {
  const start = slot.blkoff * BLK_SIZE;
  if (content.readUInt32LE(start) !== BLOB_HEAD_MAGIC || content.readUInt32LE(start + 4) !== slot.pkgidx) {
    throw new Error(`rpm NDB database: bad blob for package ${slot.pkgidx}`);
  }
  const length = content.readUInt32LE(start + 12);
  if (slot.blkcnt !== Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLK_SIZE)) {
    throw new Error(`rpm NDB database: blob length of package ${slot.pkgidx} does not match its slot`);
  }
  const tail = start + slot.blkcnt * BLK_SIZE - BLOB_TAIL_SIZE;
  if (content.readUInt32LE(tail + 4) !== length || content.readUInt32LE(tail + 8) !== BLOB_TAIL_MAGIC) {
    throw new Error(`rpm NDB database: bad blob tail for package ${slot.pkgidx}`);
  }
  return content.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length);
}

export function readNdbHeaders(content: Buffer): Buffer[] {
  return readSlots(content).map((slot) => readBlob(content, slot));
}
