// Minimal ELF, PE and Mach-O files built from their specifications, for the formats the fixture
// binaries do not cover (32-bit, big-endian, PE, Mach-O, section-less ELF). Each section is also
// mapped as its own segment at `addr`, so virtual addresses resolve as in a linked program.
import { deflateSync } from 'node:zlib';

export interface BuiltSection {
  name: string;
  addr: number;
  data: Buffer;
}

export interface BuildOptions {
  format: 'elf' | 'pe' | 'macho';
  bits?: 32 | 64;
  little?: boolean;
  /** ELF only: leave out the section headers, as a stripped program may. */
  noSectionHeaders?: boolean;
}

class Writer {
  constructor(readonly buf: Buffer, readonly little: boolean) {}
  u16(at: number, value: number): void {
    if (this.little) this.buf.writeUInt16LE(value, at); else this.buf.writeUInt16BE(value, at);
  }
  u32(at: number, value: number): void {
    if (this.little) this.buf.writeUInt32LE(value, at); else this.buf.writeUInt32BE(value, at);
  }
  u64(at: number, value: number): void {
    if (this.little) this.buf.writeBigUInt64LE(BigInt(value), at); else this.buf.writeBigUInt64BE(BigInt(value), at);
  }
}

const HEADER_AREA = 0x1000;

function layout(sections: BuiltSection[]): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = HEADER_AREA;
  for (const section of sections) {
    offsets.push(at);
    at += Math.ceil(section.data.length / 16) * 16;
  }
  return { offsets, end: at };
}

function buildElf(sections: BuiltSection[], is64: boolean, little: boolean, noSectionHeaders: boolean): Buffer {
  const { offsets, end } = layout(sections);
  const names = Buffer.from(`\0${sections.map((section) => `${section.name}\0`).join('')}.shstrtab\0`, 'latin1');
  const shstrOffset = end;
  const shoff = Math.ceil((shstrOffset + names.length) / 16) * 16;
  const shentsize = is64 ? 64 : 40;
  const shnum = sections.length + 2;
  const buf = Buffer.alloc(shoff + shnum * shentsize);
  const w = new Writer(buf, little);
  const word = (at: number, value: number) => (is64 ? w.u64(at, value) : w.u32(at, value));
  buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1]);
  w.u16(16, 2);
  const phoff = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  word(is64 ? 32 : 28, phoff);
  word(is64 ? 40 : 32, noSectionHeaders ? 0 : shoff);
  w.u16(is64 ? 54 : 42, phentsize);
  w.u16(is64 ? 56 : 44, sections.length);
  w.u16(is64 ? 58 : 46, shentsize);
  w.u16(is64 ? 60 : 48, noSectionHeaders ? 0 : shnum);
  w.u16(is64 ? 62 : 50, noSectionHeaders ? 0 : shnum - 1);
  let nameAt = 1;
  sections.forEach((section, index) => {
    section.data.copy(buf, offsets[index]);
    const ph = phoff + index * phentsize;
    const flags = section.name === '.text' ? 5 : 6; // R+X for code, R+W for data
    w.u32(ph, 1);
    if (is64) {
      w.u32(ph + 4, flags);
      word(ph + 8, offsets[index]!); word(ph + 16, section.addr); word(ph + 32, section.data.length); word(ph + 40, section.data.length);
    } else {
      word(ph + 4, offsets[index]!); word(ph + 8, section.addr); word(ph + 16, section.data.length); word(ph + 20, section.data.length); w.u32(ph + 24, flags);
    }
    const sh = shoff + (index + 1) * shentsize;
    w.u32(sh, nameAt);
    w.u32(sh + 4, 1);
    word(is64 ? sh + 16 : sh + 12, section.addr);
    word(is64 ? sh + 24 : sh + 16, offsets[index]!);
    word(is64 ? sh + 32 : sh + 20, section.data.length);
    nameAt += section.name.length + 1;
  });
  names.copy(buf, shstrOffset);
  const strtab = shoff + (shnum - 1) * shentsize;
  w.u32(strtab, nameAt);
  w.u32(strtab + 4, 3);
  word(is64 ? strtab + 24 : strtab + 16, shstrOffset);
  word(is64 ? strtab + 32 : strtab + 20, names.length);
  return buf;
}

export const PE_IMAGE_BASE = 0x140000000;

function buildPe(sections: BuiltSection[]): Buffer {
  const { offsets, end } = layout(sections);
  const buf = Buffer.alloc(end);
  const w = new Writer(buf, true);
  buf.write('MZ', 0, 'latin1');
  w.u32(0x3c, 0x40);
  buf.write('PE\0\0', 0x40, 'latin1');
  w.u16(0x44, 0x8664);
  w.u16(0x46, sections.length);
  w.u16(0x54, 240);
  w.u16(0x58, 0x20b);
  w.u64(0x58 + 24, PE_IMAGE_BASE);
  const table = 0x58 + 240;
  sections.forEach((section, index) => {
    const at = table + index * 40;
    buf.write(section.name.slice(0, 8), at, 'latin1');
    w.u32(at + 8, section.data.length);
    w.u32(at + 12, section.addr - PE_IMAGE_BASE);
    w.u32(at + 16, section.data.length);
    w.u32(at + 20, offsets[index]!);
    w.u32(at + 36, 0xc0000040); // initialised data, read, write
    section.data.copy(buf, offsets[index]);
  });
  return buf;
}

function buildMachO(sections: BuiltSection[]): Buffer {
  const { offsets, end } = layout(sections);
  const buf = Buffer.alloc(end);
  const w = new Writer(buf, true);
  w.u32(0, 0xfeedfacf);
  w.u32(12, 2);
  w.u32(16, sections.length);
  w.u32(20, sections.length * (72 + 80));
  sections.forEach((section, index) => {
    const at = 32 + index * (72 + 80);
    w.u32(at, 0x19);
    w.u32(at + 4, 72 + 80);
    buf.write('__DATA', at + 8, 'latin1');
    w.u64(at + 24, section.addr); w.u64(at + 32, section.data.length); w.u64(at + 40, offsets[index]!); w.u64(at + 48, section.data.length);
    w.u32(at + 56, 3); w.u32(at + 60, 3); w.u32(at + 64, 1);
    const sect = at + 72;
    buf.write(section.name, sect, 'latin1');
    buf.write('__DATA', sect + 16, 'latin1');
    w.u64(sect + 32, section.addr); w.u64(sect + 40, section.data.length); w.u32(sect + 48, offsets[index]!);
    section.data.copy(buf, offsets[index]);
  });
  return buf;
}

export function buildExecutable(options: BuildOptions, sections: BuiltSection[]): Buffer {
  if (options.format === 'pe') return buildPe(sections);
  if (options.format === 'macho') return buildMachO(sections);
  return buildElf(sections, (options.bits ?? 64) === 64, options.little ?? true, options.noSectionHeaders ?? false);
}

/** cmd/go's 16-byte sentinels around the module text (modload.infoStart / infoEnd). */
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value = Math.floor(value / 128);
  } while (value > 0);
  return Buffer.from(bytes);
}

/**
 * A Go build info blob for a section at `addr`: Go 1.18+ inline strings, or the older format of
 * two pointers to string headers (then `addr` matters, the strings live in the same section).
 */
export function goBuildInfoBlob(goVersion: string, modinfo: string, format: 'inline' | 'pointers', addr: number, ptrSize: 4 | 8, little: boolean): Buffer {
  const framed = Buffer.concat([INFO_START, Buffer.from(modinfo), INFO_END]);
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = ptrSize;
  if (format === 'inline') {
    header[15] = 2 | (little ? 0 : 1);
    const version = Buffer.from(goVersion);
    return Buffer.concat([header, varint(version.length), version, varint(framed.length), framed]);
  }
  header[15] = little ? 0 : 1;
  const pointer = (buf: Buffer, at: number, value: number) => (ptrSize === 4 ? new Writer(buf, little).u32(at, value) : new Writer(buf, little).u64(at, value));
  const version = Buffer.from(goVersion);
  // Layout after the header: two string headers, then the version bytes, then the module bytes.
  const headers = Buffer.alloc(ptrSize * 4);
  const versionAt = addr + 32 + headers.length;
  const modAt = versionAt + version.length;
  pointer(headers, 0, versionAt); pointer(headers, ptrSize, version.length);
  pointer(headers, ptrSize * 2, modAt); pointer(headers, ptrSize * 3, framed.length);
  pointer(header, 16, addr + 32);
  pointer(header, 16 + ptrSize, addr + 32 + ptrSize * 2);
  return Buffer.concat([header, headers, version, framed]);
}

/** cargo-auditable's section body: zlib-compressed JSON. */
export function auditableBlob(packages: object[]): Buffer {
  return deflateSync(Buffer.from(JSON.stringify({ packages })));
}
