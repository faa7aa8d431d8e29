import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { parseRustBinary, rustBinaryCataloger } from '../../src/catalog/rust/auditable.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { auditableBlob, buildExecutable } from './binary-images.ts';

const CASES = join(SHARED, 'data/fixtures/rust-binary');

describe('Rust binaries: every rust-binary fixture gives its reference list', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(name, () => {
      const dir = join(CASES, name);
      const expected = JSON.parse(readFileSync(join(dir, 'EXPECTED.json'), 'utf8')) as { packages: { name: string; version: string; purl: string }[] };
      const bin = join(dir, 'rootfs/usr/local/bin');
      const { packages } = parseRustBinary(readFileSync(join(bin, readdirSync(bin)[0]!)));
      const key = (pkg: { name: string; version: string }) => `${pkg.name}@${pkg.version}`;
      assert.deepEqual(packages.map(key).sort(), expected.packages.map(key).sort());
      assert.ok(packages.every((pkg) => pkg.type === 'cargo'));
      // The root crate (the program) holds the others.
      const roots = packages.filter((pkg) => pkg.root);
      assert.equal(roots.length, 1);
      for (const pkg of packages) if (!pkg.root) assert.equal(pkg.parentIndex, packages.indexOf(roots[0]!));
    });
  }
});

const CRATES = [
  { name: 'app', version: '0.1.0', source: 'local', root: true, dependencies: [1, 2] },
  { name: 'serde', version: '1.0.190', source: 'crates.io' },
  { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
];

describe('cargo-auditable data in every executable format', () => {
  for (const [label, options, section] of [
    ['ELF32 big-endian', { format: 'elf', bits: 32, little: false }, '.dep-v0'],
    ['PE', { format: 'pe' }, '.dep-v0'],
    ['Mach-O', { format: 'macho' }, '__dep_v0'],
  ] as const) {
    it(`${label}: runtime crates, build-time crates left out`, () => {
      const binary = buildExecutable(options, [{ name: section, addr: options.format === 'pe' ? 0x140005000 : 0x5000, data: auditableBlob(CRATES) }]);
      const { packages } = parseRustBinary(binary);
      assert.deepEqual(packages.map((pkg) => [pkg.name, pkg.version, pkg.root ?? false, pkg.parentIndex ?? null]), [
        ['app', '0.1.0', true, null],
        ['serde', '1.0.190', false, 0],
      ]);
    });
  }

  it('non-Rust executables give nothing; broken data is a short error', () => {
    const go = readFileSync(join(SHARED, 'data/fixtures/go-binary/trivy-test/rootfs/usr/local/bin/test.elf'));
    assert.deepEqual(parseRustBinary(go), { packages: [] });
    const section = (data: Buffer) => buildExecutable({ format: 'elf' }, [{ name: '.dep-v0', addr: 0x5000, data }]);
    assert.throws(() => parseRustBinary(section(Buffer.from('not zlib at all'))), /^Error: cargo-auditable data is not zlib$/);
    assert.throws(() => parseRustBinary(section(deflateSync('{"packages":'))), /^Error: cargo-auditable data is not JSON$/);
    // 64 MiB of zeros compress to ~64 KiB: inflating stops at the cap.
    assert.throws(() => parseRustBinary(section(deflateSync(Buffer.alloc(64 * 1024 * 1024)))), /over 8388608 bytes/);
    assert.equal(rustBinaryCataloger.wants('/usr/local/bin/app', { size: 400_000, mode: 0o100755 }), true);
  });
});
