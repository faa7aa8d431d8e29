// The build information the Go linker embeds in every binary since Go 1.13, read as Go's own
// debug/buildinfo does (https://go.dev/src/debug/buildinfo/buildinfo.go): a 32-byte header starting
// with "\xff Go buildinf:" near the start of the data segment, then either (Go 1.18+, flag bit 2)
// two varint-prefixed strings inline, or (older) two pointers to Go string headers for
// runtime.buildVersion and runtime.modinfo.
import { readExecutable, readVirtual, type Executable } from '../binary/executable.ts';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const ALIGN = 16;
/** How far into the data segment the header is looked for (Go searches the whole segment in 1 MiB chunks; the linker puts it first). */
const SEARCH_BYTES = 1024 * 1024;
/** No real version or module list comes close; a corrupt length must not make us copy megabytes. */
const MAX_STRING_BYTES = 4 * 1024 * 1024;

export interface GoBuildInfo {
  /** `go1.20.4`, as runtime.Version() reports it. */
  goVersion: string;
  /** The `go version -m` text (path/mod/dep/=>/build lines), empty for binaries built without modules. */
  modinfo: string;
}

/** Where Go's debug/buildinfo starts looking: the buildinfo section, else the first writable data range. */
function dataStart(executable: Executable): { addr: number; size: number } | undefined {
  const named = executable.sections.find((section) => section.name === '.go.buildinfo' || section.name === '__go_buildinfo');
  if (named) return { addr: named.addr, size: named.size };
  if (executable.format === 'pe') {
    // The first section whose characteristics are exactly initialised data, read and write (alignment bits aside).
    const data = executable.sections.find((section) => section.addr !== 0 && section.size !== 0 && (section.flags & ~0x600000) === (0x40 | 0x40000000 | 0x80000000));
    return data ? { addr: data.addr, size: data.size } : undefined;
  }
  const segment = executable.segments.find((candidate) => candidate.writable && !candidate.executable && candidate.fileSize !== 0 && (executable.format === 'elf' || candidate.addr !== 0));
  return segment ? { addr: segment.addr, size: segment.memSize } : undefined;
}

function decodeVarintString(data: Buffer, at: number): { bytes: Buffer; next: number } {
  let length = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    if (pos >= data.length || shift > 28) throw new Error('Go build info: bad string length');
    const byte = data[pos++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (length > MAX_STRING_BYTES || pos + length > data.length) throw new Error('Go build info: string out of bounds');
  return { bytes: data.subarray(pos, pos + length), next: pos + length };
}

/** Reads a Go string header (pointer, length) at `addr` and then the bytes it points to. */
function readGoString(content: Buffer, executable: Executable, addr: number, ptrSize: number, little: boolean): Buffer {
  const header = readVirtual(content, executable, addr, ptrSize * 2);
  if (!header || header.length < ptrSize * 2) return Buffer.alloc(0);
  const ptr = (offset: number) => {
    if (ptrSize === 4) return little ? header.readUInt32LE(offset) : header.readUInt32BE(offset);
    const value = little ? header.readBigUInt64LE(offset) : header.readBigUInt64BE(offset);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value);
  };
  const dataAddr = ptr(0);
  const length = ptr(ptrSize);
  if (dataAddr < 0 || length < 0 || length > MAX_STRING_BYTES) throw new Error('Go build info: bad string header');
  const bytes = readVirtual(content, executable, dataAddr, length);
  return bytes && bytes.length === length ? bytes : Buffer.alloc(0);
}

/**
 * The Go version and module information of a Go binary; `undefined` for anything else (not an
 * executable, or an executable without the build info header). Throws on a broken header.
 */
export function readGoBuildInfo(content: Buffer): GoBuildInfo | undefined {
  const executable = readExecutable(content);
  if (!executable) return undefined;
  const start = dataStart(executable);
  if (!start || start.size === 0) return undefined;
  let data = readVirtual(content, executable, start.addr, Math.min(start.size, SEARCH_BYTES));
  if (!data) return undefined;
  for (let from = 0; ;) {
    const at = data.indexOf(MAGIC, from);
    if (at < 0 || data.length - at < HEADER_SIZE) return undefined;
    if (at % ALIGN === 0) {
      data = data.subarray(at);
      break;
    }
    from = (at + ALIGN - 1) & ~(ALIGN - 1);
  }
  const ptrSize = data[14]!;
  const flags = data[15]!;
  let goVersion: Buffer;
  let modinfo: Buffer;
  if ((flags & 2) !== 0) {
    const version = decodeVarintString(data, HEADER_SIZE);
    goVersion = version.bytes;
    modinfo = decodeVarintString(data, version.next).bytes;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw new Error(`Go build info: bad pointer size ${ptrSize}`);
    const little = (flags & 1) === 0;
    const pointer = (offset: number) => (ptrSize === 4 ? (little ? data.readUInt32LE(offset) : data.readUInt32BE(offset)) : Number(little ? data.readBigUInt64LE(offset) : data.readBigUInt64BE(offset)));
    goVersion = readGoString(content, executable, pointer(16), ptrSize, little);
    modinfo = readGoString(content, executable, pointer(16 + ptrSize), ptrSize, little);
  }
  if (goVersion.length === 0) return undefined;
  // cmd/go frames the module text with 16-byte binary sentinels (modload.infoStart/infoEnd): cut them as bytes.
  const framed = modinfo.length >= 33 && modinfo[modinfo.length - 17] === 0x0a;
  return { goVersion: goVersion.toString('utf8'), modinfo: framed ? modinfo.subarray(16, -16).toString('utf8') : '' };
}
