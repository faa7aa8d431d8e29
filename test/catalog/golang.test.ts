import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goBinaryCataloger, parseGoBinary } from '../../src/catalog/golang/binary.ts';
import { ldflagsVersion, parseModInfo } from '../../src/catalog/golang/modinfo.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { buildExecutable, goBuildInfoBlob, PE_IMAGE_BASE } from './binary-images.ts';

const CASES = join(SHARED, 'data/fixtures/go-binary');

interface Expected {
  go_main_module: { path: string; version: string };
  go_version: string;
  packages: { name: string; version: string; replace: { name?: string; path?: string; version: string } | null }[];
}
interface GoVersionM { build: Record<string, string> }

/** How Go's ParseBuildInfo reads a `build` value: quoted ones are Go string literals. */
function unquoted(value: string): string {
  return value.startsWith('"') ? (JSON.parse(value) as string) : value;
}

function binaryOf(dir: string): Buffer {
  const bin = join(dir, 'rootfs/usr/local/bin');
  return readFileSync(join(bin, readdirSync(bin)[0]!));
}

describe('Go binaries: every go-binary fixture gives its go version -m listing', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(name, () => {
      const dir = join(CASES, name);
      const expected = JSON.parse(readFileSync(join(dir, 'EXPECTED.json'), 'utf8')) as Expected;
      const reference = JSON.parse(readFileSync(join(dir, 'GO-VERSION-M-REFERENCE.json'), 'utf8')) as GoVersionM;
      const { packages } = parseGoBinary(binaryOf(dir));
      const main = packages.filter((pkg) => pkg.root);
      assert.equal(main.length, 1);
      assert.deepEqual([main[0]!.name, main[0]!.version], [expected.go_main_module.path, expected.go_main_module.version]);
      assert.equal(main[0]!.metadata?.main, 'true');
      const mainIndex = packages.indexOf(main[0]!);
      const stdlib = packages.filter((pkg) => pkg.name === 'stdlib');
      assert.deepEqual(stdlib.map((pkg) => [pkg.version, pkg.parentIndex]), [[expected.go_version, mainIndex]]);
      const deps = packages.filter((pkg) => !pkg.root && pkg.name !== 'stdlib');
      assert.deepEqual(
        deps.map((pkg) => [pkg.name, pkg.version]),
        expected.packages.map((pkg) => (pkg.replace ? [pkg.replace.path ?? pkg.replace.name, pkg.replace.version] : [pkg.name, pkg.version])),
      );
      for (const dep of deps) assert.equal(dep.parentIndex, mainIndex);
      for (const [key, value] of Object.entries(reference.build)) assert.equal(main[0]!.metadata?.[key], unquoted(value), key);
    });
  }

  it('keeps the version stamped with -ldflags -X main.version beside (devel), as trivy reads it', () => {
    const dir = join(CASES, 'trivy-main-version-via-ldflags');
    const reference = JSON.parse(readFileSync(join(dir, 'GO-VERSION-M-REFERENCE.json'), 'utf8')) as GoVersionM;
    const stamped = /main\.version=(\S+?)"?$/.exec(reference.build['-ldflags']!)![1];
    const main = parseGoBinary(binaryOf(dir)).packages.find((pkg) => pkg.root)!;
    assert.equal(main.metadata?.ldflagsVersion, stamped);
    assert.equal(ldflagsVersion(`-s -X 'github.com/acme/tool/internal/version.Version=1.4.0'`, 'github.com/acme/tool'), '1.4.0');
    assert.equal(ldflagsVersion('-s -w -X main.commit=abc', 'x'), undefined);
  });
});

const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\tv1.2.3\th1:main=',
  'dep\tgolang.org/x/text\tv0.3.0\th1:text=',
  'dep\texample.com/old\tv1.0.0',
  '=>\texample.com/fork\tv1.0.1\th1:fork=',
  'build\t-ldflags="-s -w"',
  'build\tvcs.revision=0123abc',
  'build\tvcs.modified=false',
  '',
].join('\n');

describe('Go build info in every executable format', () => {
  const variants = [
    { label: 'ELF64 little-endian, Go 1.18+ inline strings', options: { format: 'elf', bits: 64, little: true }, section: '.go.buildinfo', format: 'inline', ptr: 8 },
    { label: 'ELF32 big-endian, pointer format', options: { format: 'elf', bits: 32, little: false }, section: '.go.buildinfo', format: 'pointers', ptr: 4 },
    { label: 'ELF64 big-endian, pointer format', options: { format: 'elf', bits: 64, little: false }, section: '.go.buildinfo', format: 'pointers', ptr: 8 },
    { label: 'ELF32 without section headers: the writable segment is searched', options: { format: 'elf', bits: 32, little: true, noSectionHeaders: true }, section: '.data', format: 'pointers', ptr: 4 },
    { label: 'PE32+, pointer format in .data', options: { format: 'pe' }, section: '.data', format: 'pointers', ptr: 8 },
    { label: 'PE32+, inline', options: { format: 'pe' }, section: '.data', format: 'inline', ptr: 8 },
    { label: 'Mach-O 64, __go_buildinfo', options: { format: 'macho' }, section: '__go_buildinfo', format: 'pointers', ptr: 8 },
  ] as const;
  for (const variant of variants) {
    it(variant.label, () => {
      const little = !('little' in variant.options) || variant.options.little;
      const addr = variant.options.format === 'pe' ? PE_IMAGE_BASE + 0x5000 : 0x500000;
      // Text and data before the blob, as in a real program; the blob sits 16-byte aligned after some data.
      const padding = Buffer.alloc(64, 0x11);
      const blob = goBuildInfoBlob('go1.21.5', MODINFO, variant.format, addr + padding.length, variant.ptr, little);
      const binary = buildExecutable(variant.options, [
        { name: '.text', addr: addr - 0x10000, data: Buffer.alloc(256, 0xcc) },
        { name: variant.section, addr, data: Buffer.concat([padding, blob]) },
      ].filter((section) => variant.options.format !== 'pe' || section.name !== '.text'));
      const { packages } = parseGoBinary(binary);
      assert.deepEqual(packages.map((pkg) => [pkg.name, pkg.version, pkg.parentIndex ?? null]), [
        ['example.com/app', 'v1.2.3', null],
        ['stdlib', 'go1.21.5', 0],
        ['golang.org/x/text', 'v0.3.0', 0],
        ['example.com/fork', 'v1.0.1', 0],
      ]);
      assert.equal(packages[0]!.metadata?.['-ldflags'], '-s -w');
      assert.equal(packages[0]!.metadata?.['vcs.revision'], '0123abc');
      assert.equal(packages[3]!.metadata?.replaces, 'example.com/old@v1.0.0');
      assert.equal(packages[3]!.metadata?.sum, 'h1:fork=');
    });
  }

  it('a binary built without modules still gives the Go version (stdlib)', () => {
    const blob = goBuildInfoBlob('go1.16.15', '', 'pointers', 0x600000, 8, true);
    const { packages } = parseGoBinary(buildExecutable({ format: 'elf' }, [{ name: '.go.buildinfo', addr: 0x600000, data: blob }]));
    assert.deepEqual(packages, [{ type: 'golang', name: 'stdlib', version: 'go1.16.15' }]);
  });

  it('parses replacement and quoted build lines as runtime/debug does', () => {
    const info = parseModInfo('mod\tm\t(devel)\t\nbuild\t"-tags with space"="a b"\nbuild\tCGO_ENABLED=1\n');
    assert.deepEqual(info.settings, [['-tags with space', 'a b'], ['CGO_ENABLED', '1']]);
    assert.deepEqual(info.main, { path: 'm', version: '(devel)' });
  });
});

describe('Go binaries: what is not one', () => {
  it('wants regular files with an exec bit only, between 1 KiB and the cap', () => {
    assert.equal(goBinaryCataloger.wants('/usr/bin/x', { size: 4096, mode: 0o755 }), true);
    assert.equal(goBinaryCataloger.wants('/etc/x', { size: 4096, mode: 0o644 }), false);
    assert.equal(goBinaryCataloger.wants('/usr/bin/x', { size: 100, mode: 0o755 }), false);
  });

  it('gives nothing for non-Go executables and scripts, fast', () => {
    assert.deepEqual(parseGoBinary(Buffer.from('#!/bin/sh\necho hello\n'.repeat(100))), { packages: [] });
    assert.deepEqual(parseGoBinary(buildExecutable({ format: 'elf' }, [{ name: '.data', addr: 0x1000, data: Buffer.alloc(4096) }])), { packages: [] });
    const rust = readFileSync(join(SHARED, 'data/fixtures/rust-binary/trivy-cargo-auditable-test/rootfs/usr/local/bin/test.elf'));
    assert.deepEqual(parseGoBinary(rust), { packages: [] });
  });

  it('throws a short reason for garbage behind an ELF magic, and for a lying string header', () => {
    const garbage = Buffer.alloc(4096, 0xff);
    garbage.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    assert.throws(() => parseGoBinary(garbage), /^Error: ELF/);
    const blob = goBuildInfoBlob('go1.21.5', 'mod\tm\tv1\t\n', 'inline', 0x500000, 8, true);
    blob[32] = 0xff; // version length varint now runs far past the data
    blob[33] = 0xff;
    blob[34] = 0x7f;
    assert.throws(() => parseGoBinary(buildExecutable({ format: 'elf' }, [{ name: '.go.buildinfo', addr: 0x500000, data: blob }])), /Go build info/);
  });
});
