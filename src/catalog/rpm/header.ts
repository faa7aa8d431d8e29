// The rpm header blob as the three rpmdb backends store it (no lead, no header magic): a big-endian
// index count and data length, then 16-byte index entries (tag, type, offset, count) and the data store.
// Format: https://rpm-software-management.github.io/rpm/manual/format_header.html; limits as rpm's
// hdrblobVerifyInfo (lib/header.c): at most 0xffff entries and 256 MiB of data, every offset inside the store.
import type { FoundPackage } from '../cataloger.ts';

const HEADER_TAGS_MAX = 0xffff;
const HEADER_DATA_MAX = 0x0fffffff;
const ENTRY_SIZE = 16;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
const TYPE_MAX = 9;

/** Tags this cataloger reads (rpm's lib/rpmtag.h). Region tags (61–63) and others are skipped. */
export const RpmTag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const WANTED = new Set<number>(Object.values(RpmTag));

type TagValue = string[] | number[];

/** The tags of one header that this cataloger reads, decoded. */
export type RpmHeader = Map<number, TagValue>;

function readStrings(store: Buffer, offset: number, count: number): string[] {
  const strings: string[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const end = store.indexOf(0, at);
    if (end < 0) throw new Error('rpm header: string runs past the data store');
    strings.push(store.toString('utf8', at, end));
    at = end + 1;
  }
  return strings;
}

/** Decodes the index and the wanted tags of one header blob; throws a short Error on anything out of bounds. */
export function parseHeaderBlob(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new Error('rpm header: shorter than its 8-byte preamble');
  const indexCount = blob.readUInt32BE(0);
  const dataLength = blob.readUInt32BE(4);
  if (indexCount < 1 || indexCount > HEADER_TAGS_MAX) throw new Error(`rpm header: bad index count ${indexCount}`);
  if (dataLength > HEADER_DATA_MAX) throw new Error(`rpm header: bad data length ${dataLength}`);
  const storeStart = 8 + indexCount * ENTRY_SIZE;
  if (storeStart + dataLength > blob.length) throw new Error('rpm header: truncated');
  const store = blob.subarray(storeStart, storeStart + dataLength);
  const header: RpmHeader = new Map();
  for (let i = 0; i < indexCount; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const tag = blob.readInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (type > TYPE_MAX) throw new Error(`rpm header: bad type ${type} for tag ${tag}`);
    if (offset < 0 || offset > dataLength || count === 0 || count > dataLength) {
      throw new Error(`rpm header: tag ${tag} lies outside the data store`);
    }
    if (!WANTED.has(tag)) continue;
    // Entries after the immutable region ("dribbles") replace region entries of the same tag, as in rpm's
    // hdrblobImport: the later entry wins.
    if (type === TYPE_STRING) header.set(tag, readStrings(store, offset, 1));
    else if (type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) header.set(tag, readStrings(store, offset, count));
    else if (type === TYPE_INT32) {
      if (offset + count * 4 > dataLength) throw new Error(`rpm header: tag ${tag} runs past the data store`);
      const values: number[] = [];
      for (let k = 0; k < count; k++) values.push(store.readInt32BE(offset + k * 4));
      header.set(tag, values);
    }
  }
  return header;
}

function text(header: RpmHeader, tag: number): string | undefined {
  const value = header.get(tag)?.[0];
  return typeof value === 'string' ? value : undefined;
}

/** Absolute paths of the package's files: BASENAMES joined to DIRNAMES[DIRINDEXES], or old-style OLDFILENAMES. */
function fileList(header: RpmHeader): string[] | undefined {
  const basenames = header.get(RpmTag.BASENAMES);
  const dirnames = header.get(RpmTag.DIRNAMES);
  const dirindexes = header.get(RpmTag.DIRINDEXES);
  if (basenames && dirnames && dirindexes) {
    if (basenames.length !== dirindexes.length) throw new Error('rpm header: BASENAMES and DIRINDEXES differ in length');
    return basenames.map((base, i) => {
      const dir = dirnames[dirindexes[i] as number];
      if (typeof dir !== 'string') throw new Error('rpm header: DIRINDEXES points past DIRNAMES');
      return `${dir}${String(base)}`;
    });
  }
  const old = header.get(RpmTag.OLDFILENAMES);
  return old ? old.map(String) : undefined;
}

/** `name-version-release.src.rpm` → name and version-release (rpm names never hold the last two dashes). */
export function splitSourceRpm(sourceRpm: string): { name: string; version: string; release: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match ? { name: match[1] as string, version: match[2] as string, release: match[3] as string } : undefined;
}

/**
 * One installed package from its header. `version` is `[epoch:]version-release`, the epoch written
 * whenever the EPOCH tag is present, as rpm's `%{EVR}` does; the epoch is also a purl qualifier
 * when not zero (purl-spec: rpm `epoch` qualifier). The source package's version takes the binary's
 * epoch: the source RPM file name has none, and both come from one spec file.
 */
export function headerToPackage(header: RpmHeader): FoundPackage {
  const name = text(header, RpmTag.NAME);
  const version = text(header, RpmTag.VERSION);
  const release = text(header, RpmTag.RELEASE);
  if (!name || version === undefined || release === undefined) throw new Error('rpm header: no NAME, VERSION or RELEASE');
  const epochValue = header.get(RpmTag.EPOCH)?.[0];
  const epoch = typeof epochValue === 'number' ? `${epochValue}:` : '';
  const found: FoundPackage = { type: 'rpm', name, version: `${epoch}${version}-${release}` };
  const arch = text(header, RpmTag.ARCH);
  if (arch) found.arch = arch;
  const sourceRpm = text(header, RpmTag.SOURCERPM);
  const source = sourceRpm ? splitSourceRpm(sourceRpm) : undefined;
  if (source) {
    found.sourceName = source.name;
    found.sourceVersion = `${epoch}${source.version}-${source.release}`;
  }
  const license = text(header, RpmTag.LICENSE);
  if (license !== undefined) found.licenses = [license];
  const metadata: Record<string, string> = {};
  const vendor = text(header, RpmTag.VENDOR);
  if (vendor !== undefined) metadata.vendor = vendor;
  const modularityLabel = text(header, RpmTag.MODULARITYLABEL);
  if (modularityLabel) metadata.modularityLabel = modularityLabel;
  if (sourceRpm) metadata.sourceRpm = sourceRpm;
  if (Object.keys(metadata).length > 0) found.metadata = metadata;
  if (typeof epochValue === 'number' && epochValue !== 0) found.qualifiers = { epoch: String(epochValue) };
  const files = fileList(header);
  if (files && files.length > 0) found.files = files;
  return found;
}
