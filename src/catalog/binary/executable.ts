// Just enough of ELF, PE and Mach-O to find a named section and to read bytes at a virtual address:
// what Go's debug/buildinfo and cargo-auditable's readers need. Headers are checked against the
// buffer's bounds, so a file that merely starts with a magic number becomes a short Error, never a
// read past the end or an unbounded loop (every count is bounded by the bytes that hold it).
// ELF: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
// PE: https://learn.microsoft.com/en-us/windows/win32/debug/pe-format
// Mach-O: <mach-o/loader.h>

export type ExecutableFormat = 'elf' | 'pe' | 'macho';

export interface Section {
  name: string;
  /** File offset of the section's bytes; `size` is 0 for sections with no bytes in the file (.bss). */
  offset: number;
  size: number;
  addr: number;
  /** PE section characteristics; 0 elsewhere. */
  flags: number;
}

/** A range of the file mapped at a virtual address (ELF PT_LOAD, Mach-O segment, PE section). */
export interface Segment {
  name: string;
  addr: number;
  offset: number;
  fileSize: number;
  memSize: number;
  writable: boolean;
  executable: boolean;
}

export interface Executable {
  format: ExecutableFormat;
  littleEndian: boolean;
  sections: Section[];
  segments: Segment[];
}

/** The format a file's first bytes announce, without parsing anything else. */
export function executableFormat(content: Buffer): ExecutableFormat | undefined {
  if (content.length < 64) return undefined;
  if (content[0] === 0x7f && content[1] === 0x45 && content[2] === 0x4c && content[3] === 0x46) return 'elf';
  if (content[0] === 0x4d && content[1] === 0x5a) return 'pe';
  const magic = content.readUInt32BE(0);
  if (magic === 0xfeedface || magic === 0xfeedfacf || magic === 0xcefaedfe || magic === 0xcffaedfe) return 'macho';
  return undefined;
}

/** A bounds-checked reader of one byte order. */
class Reader {
  constructor(readonly buf: Buffer, readonly little: boolean, readonly what: string) {}
  check(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.buf.length) {
      throw new Error(`${this.what} header out of bounds`);
    }
  }
  u16(offset: number): number {
    this.check(offset, 2);
    return this.little ? this.buf.readUInt16LE(offset) : this.buf.readUInt16BE(offset);
  }
  u32(offset: number): number {
    this.check(offset, 4);
    return this.little ? this.buf.readUInt32LE(offset) : this.buf.readUInt32BE(offset);
  }
  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.little ? this.buf.readBigUInt64LE(offset) : this.buf.readBigUInt64BE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.what} address out of range`);
    return Number(value);
  }
  cstring(offset: number, max: number): string {
    this.check(offset, 0);
    const end = Math.min(this.buf.length, offset + max);
    const zero = this.buf.indexOf(0, offset);
    return this.buf.toString('latin1', offset, zero >= 0 && zero < end ? zero : end);
  }
}

function parseElf(buf: Buffer): Executable {
  const is64 = buf[4] === 2;
  if (buf[4] !== 1 && !is64) throw new Error('ELF: bad class');
  if (buf[5] !== 1 && buf[5] !== 2) throw new Error('ELF: bad byte order');
  const r = new Reader(buf, buf[5] === 1, 'ELF');
  const word = (offset: number) => (is64 ? r.u64(offset) : r.u32(offset));
  const phoff = word(is64 ? 32 : 28);
  const shoff = word(is64 ? 40 : 32);
  const phentsize = r.u16(is64 ? 54 : 42);
  const phnum = r.u16(is64 ? 56 : 44);
  const shentsize = r.u16(is64 ? 58 : 46);
  const shnum = r.u16(is64 ? 60 : 48);
  const shstrndx = r.u16(is64 ? 62 : 50);

  const segments: Segment[] = [];
  if (phnum > 0) {
    if (phentsize < (is64 ? 56 : 32)) throw new Error('ELF: bad program header size');
    r.check(phoff, phnum * phentsize);
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (r.u32(at) !== 1) continue; // PT_LOAD
      const flags = r.u32(is64 ? at + 4 : at + 24);
      segments.push({
        name: '',
        offset: word(is64 ? at + 8 : at + 4),
        addr: word(is64 ? at + 16 : at + 8),
        fileSize: word(is64 ? at + 32 : at + 16),
        memSize: word(is64 ? at + 40 : at + 20),
        executable: (flags & 1) !== 0,
        writable: (flags & 2) !== 0,
      });
    }
  }

  const sections: Section[] = [];
  if (shnum > 0 && shoff > 0) {
    if (shentsize < (is64 ? 64 : 40)) throw new Error('ELF: bad section header size');
    r.check(shoff, shnum * shentsize);
    const header = (i: number) => {
      const at = shoff + i * shentsize;
      return {
        nameOffset: r.u32(at),
        type: r.u32(at + 4),
        addr: word(is64 ? at + 16 : at + 12),
        offset: word(is64 ? at + 24 : at + 16),
        size: word(is64 ? at + 32 : at + 20),
      };
    };
    if (shstrndx >= shnum) throw new Error('ELF: bad section name table index');
    const names = header(shstrndx);
    r.check(names.offset, names.size);
    for (let i = 0; i < shnum; i++) {
      const section = header(i);
      if (section.nameOffset >= names.size) throw new Error('ELF: bad section name');
      const name = r.cstring(names.offset + section.nameOffset, names.size - section.nameOffset);
      const size = section.type === 8 ? 0 : section.size; // SHT_NOBITS has no bytes in the file
      sections.push({ name, offset: section.offset, size, addr: section.addr, flags: 0 });
    }
  }
  return { format: 'elf', littleEndian: r.little, sections, segments };
}

function parsePe(buf: Buffer): Executable {
  const r = new Reader(buf, true, 'PE');
  const pe = r.u32(0x3c);
  if (r.u32(pe) !== 0x00004550) throw new Error('PE: no PE signature');
  const coff = pe + 4;
  const count = r.u16(coff + 2);
  const symbolTable = r.u32(coff + 8);
  const symbolCount = r.u32(coff + 12);
  const optionalSize = r.u16(coff + 16);
  const optional = coff + 20;
  const magic = optionalSize >= 2 ? r.u16(optional) : 0;
  // Go's debug/buildinfo adds the image base to section addresses.
  const imageBase = magic === 0x20b ? r.u64(optional + 24) : magic === 0x10b ? r.u32(optional + 28) : 0;
  const table = optional + optionalSize;
  r.check(table, count * 40);
  const stringTable = symbolTable + symbolCount * 18;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const at = table + i * 40;
    let name = r.cstring(at, 8);
    // Long names are "/N", an offset into the COFF string table (MinGW and Go write them).
    if (/^\/\d+$/.test(name) && symbolTable > 0) name = r.cstring(stringTable + Number(name.slice(1)), 256);
    const virtualSize = r.u32(at + 8);
    const addr = r.u32(at + 12) + imageBase;
    const size = r.u32(at + 16);
    const offset = r.u32(at + 20);
    const flags = r.u32(at + 36);
    sections.push({ name, offset, size, addr, flags });
    segments.push({
      name, addr, offset, fileSize: size, memSize: virtualSize,
      executable: (flags & 0x20000000) !== 0, writable: (flags & 0x80000000) !== 0,
    });
  }
  return { format: 'pe', littleEndian: true, sections, segments };
}

function parseMachO(buf: Buffer): Executable {
  const magic = buf.readUInt32BE(0);
  const little = magic === 0xcefaedfe || magic === 0xcffaedfe;
  const is64 = magic === 0xfeedfacf || magic === 0xcffaedfe;
  const r = new Reader(buf, little, 'Mach-O');
  const word = (offset: number) => (is64 ? r.u64(offset) : r.u32(offset));
  const ncmds = r.u32(16);
  const sizeofcmds = r.u32(20);
  let at = is64 ? 32 : 28;
  r.check(at, sizeofcmds);
  const end = at + sizeofcmds;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < ncmds; i++) {
    if (at + 8 > end) throw new Error('Mach-O: load commands overrun');
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8 || at + size > end) throw new Error('Mach-O: bad load command size');
    if (cmd === (is64 ? 0x19 : 0x1)) {
      const name = r.cstring(at + 8, 16);
      const initprot = r.u32(is64 ? at + 60 : at + 44);
      segments.push({
        name,
        addr: word(at + 24),
        memSize: word(is64 ? at + 32 : at + 28),
        offset: word(is64 ? at + 40 : at + 32),
        fileSize: word(is64 ? at + 48 : at + 36),
        writable: (initprot & 2) !== 0,
        executable: (initprot & 4) !== 0,
      });
      const nsects = r.u32(is64 ? at + 64 : at + 48);
      const first = at + (is64 ? 72 : 56);
      const sectionSize = is64 ? 80 : 68;
      if (first + nsects * sectionSize > at + size) throw new Error('Mach-O: sections overrun their segment command');
      for (let s = 0; s < nsects; s++) {
        const sect = first + s * sectionSize;
        sections.push({
          name: r.cstring(sect, 16),
          addr: word(sect + 32),
          size: word(is64 ? sect + 40 : sect + 36),
          offset: r.u32(is64 ? sect + 48 : sect + 40),
          flags: 0,
        });
      }
    }
    at += size;
  }
  return { format: 'macho', littleEndian: little, sections, segments };
}

// The Go and Rust catalogers both look at every executable: the engine hands both the same buffer.
const parsed = new WeakMap<Buffer, Executable | undefined>();

/** The executable's layout, `undefined` when the file is not ELF, PE or Mach-O; throws on a broken header. */
export function readExecutable(content: Buffer): Executable | undefined {
  if (parsed.has(content)) return parsed.get(content);
  const format = executableFormat(content);
  const executable = format === 'elf' ? parseElf(content) : format === 'pe' ? parsePe(content) : format === 'macho' ? parseMachO(content) : undefined;
  parsed.set(content, executable);
  return executable;
}

/** The bytes of the first section called `name`, bounds-checked. */
export function sectionBytes(content: Buffer, executable: Executable, name: string): Buffer | undefined {
  const section = executable.sections.find((candidate) => candidate.name === name);
  if (!section || section.size === 0) return undefined;
  if (section.offset + section.size > content.length) throw new Error(`section ${name} out of bounds`);
  return content.subarray(section.offset, section.offset + section.size);
}

/** Up to `size` bytes mapped at virtual address `addr`, as Go's debug/buildinfo ReadData reads them. */
export function readVirtual(content: Buffer, executable: Executable, addr: number, size: number): Buffer | undefined {
  for (const segment of executable.segments) {
    if (segment.fileSize === 0 || addr < segment.addr || addr >= segment.addr + segment.fileSize) continue;
    const start = segment.offset + (addr - segment.addr);
    const length = Math.min(size, segment.addr + segment.fileSize - addr);
    if (start + length > content.length) throw new Error('segment out of bounds');
    return content.subarray(start, start + length);
  }
  return undefined;
}

/** Executables larger than this are recorded as unknowns rather than buffered (a statically linked Go tool is ~100 MiB). */
export const MAX_EXECUTABLE_BYTES = 256 * 1024 * 1024;

/** The catalogers of compiled programs look at regular files with an exec bit: every other file is skipped unread. */
export function wantsExecutable(_path: string, info: { size: number; mode: number }): boolean {
  return (info.mode & 0o111) !== 0 && info.size >= 1024 && info.size <= MAX_EXECUTABLE_BYTES;
}
