import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { executableFormat, readExecutable, sectionBytes } from '../../src/catalog/binary/executable.ts';
import { parseGoBinary } from '../../src/catalog/golang/binary.ts';
import { parseRustBinary } from '../../src/catalog/rust/auditable.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { buildExecutable } from './binary-images.ts';

const GO = readFileSync(join(SHARED, 'data/fixtures/go-binary/trivy-main-version-via-ldflags/rootfs/usr/local/bin/main-version-via-ldflags.elf'));
const RUST = readFileSync(join(SHARED, 'data/fixtures/rust-binary/trivy-cargo-auditable-test/rootfs/usr/local/bin/test.elf'));

/** A parse either answers or throws a plain Error with a one-line reason: never a TypeError/RangeError from reading past the end. */
function answersOrRefuses(content: Buffer): void {
  for (const parse of [parseGoBinary, parseRustBinary]) {
    try {
      parse(content);
    } catch (error) {
      assert.equal((error as Error).constructor, Error, String(error));
      assert.ok(!(error as Error).message.includes('\n'));
    }
  }
}

describe('executable reader', () => {
  it('recognises formats by their magic numbers only', () => {
    assert.equal(executableFormat(GO), 'elf');
    assert.equal(executableFormat(buildExecutable({ format: 'pe' }, [{ name: '.data', addr: 0x140001000, data: Buffer.alloc(16) }])), 'pe');
    assert.equal(executableFormat(buildExecutable({ format: 'macho' }, [{ name: '__data', addr: 0x1000, data: Buffer.alloc(16) }])), 'macho');
    assert.equal(executableFormat(Buffer.from('#!/bin/sh\n'.repeat(10))), undefined);
    assert.equal(readExecutable(Buffer.alloc(100)), undefined);
  });

  it('finds sections by name in a real ELF (what readelf -S lists)', () => {
    const executable = readExecutable(RUST)!;
    assert.equal(executable.format, 'elf');
    assert.ok(sectionBytes(RUST, executable, '.dep-v0')!.length > 0);
    assert.ok(executable.sections.some((section) => section.name === '.text'));
    assert.ok(readExecutable(GO)!.sections.some((section) => section.name === '.go.buildinfo'));
  });

  it('truncated binaries and flipped header bytes never crash the parsers', () => {
    for (const binary of [GO, RUST]) {
      for (const length of [64, 100, 1000, 4096, 65536, binary.length >> 1, binary.length - 100]) answersOrRefuses(binary.subarray(0, length));
      // Deterministic pseudo-random corruption of the ELF header and the program/section header tables.
      let seed = 42;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
      const shoff = Number(binary.readBigUInt64LE(40));
      for (let round = 0; round < 300; round++) {
        const copy = Buffer.from(binary);
        for (let flips = 0; flips < 4; flips++) {
          const region = random() % 3;
          const at = region === 0 ? 6 + (random() % 58) : region === 1 ? 64 + (random() % 56 * 4) : shoff + (random() % (binary.length - shoff));
          copy[at] = random() & 0xff;
        }
        answersOrRefuses(copy);
      }
    }
  });

  it('ELF, PE and Mach-O headers that claim more than the file holds are refused', () => {
    const elf = Buffer.alloc(4096);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    elf.writeBigUInt64LE(0xffffffffn, 32); // program headers far past the end
    elf.writeUInt16LE(56, 54);
    elf.writeUInt16LE(3, 56);
    assert.throws(() => parseGoBinary(elf), /^Error: ELF header out of bounds$/);
    const pe = buildExecutable({ format: 'pe' }, [{ name: '.data', addr: 0x140001000, data: Buffer.alloc(16) }]);
    pe.writeUInt16LE(0xffff, 0x46); // 65535 sections
    assert.throws(() => parseGoBinary(pe), /^Error: PE header out of bounds$/);
    const macho = buildExecutable({ format: 'macho' }, [{ name: '__data', addr: 0x1000, data: Buffer.alloc(16) }]);
    macho.writeUInt32LE(0xffffffff, 16); // ncmds
    assert.throws(() => parseGoBinary(macho), /^Error: Mach-O: load commands overrun$/);
  });
});
