// The tar reader against archives written by GNU tar in every format it has (gnu, pax, ustar), checked
// against GNU tar's own listing, and against osv-scalibr's escape archive.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import { TarReader, type TarEntry, type TarReaderOptions } from '../../src/layerfs/index.ts';
import { parseNumeric } from '../../src/image/tar/header.ts';
import { DATA_IMAGES } from '../helpers/fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'layerfs-tar-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Read {
  entries: TarEntry[];
  bodies: Map<string, Buffer>;
  warnings: string[];
}

/** Reads `archive` fed in chunks of `chunkSize` bytes, buffering every body. */
function read(archive: Buffer, chunkSize = 65536, extra: Partial<TarReaderOptions> = {}): Read {
  const out: Read = { entries: [], bodies: new Map(), warnings: [] };
  const reader = new TarReader({
    where: 'layer sha256:test of test-image',
    onEntry: (entry) => {
      out.entries.push(entry);
      return true;
    },
    onBody: (entry, body) => out.bodies.set(entry.path, body),
    onOversize: (_entry, message) => out.warnings.push(message),
    ...extra,
  });
  for (let pos = 0; pos < archive.length; pos += chunkSize) reader.write(archive.subarray(pos, pos + chunkSize));
  reader.end();
  return out;
}

function assertSpyglassError(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SpyglassError, String(error));
    assert.equal(error.exitCode, 1);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

// A tree with names past ustar's 100-byte name and 155-byte prefix, a long symlink target, a hard
// link, and an owner too large for octal (GNU tar then writes base-256).
const src = join(work, 'src');
const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}`;
const longName = `${'n'.repeat(120)}.txt`;
mkdirSync(join(src, longDir), { recursive: true });
writeFileSync(join(src, longDir, 'short.txt'), 'short body\n');
writeFileSync(join(src, longDir, longName), Buffer.alloc(70000, 7));
writeFileSync(join(src, 'empty'), '');
// 121-byte directory + short name: ustar splits it into `prefix` and `name`.
const prefixDir = longDir.split('/').slice(0, 2).join('/');
writeFileSync(join(src, prefixDir, 'ustar-prefix.txt'), 'prefix body\n');
linkSync(join(src, longDir, 'short.txt'), join(src, 'hard'));
symlinkSync(`/${longDir}/${longName}`, join(src, 'longlink'));
symlinkSync('empty', join(src, 'shortlink'));

function makeTar(format: string, members: string[], owner = '0'): Buffer {
  const file = join(work, `${format}-${owner}.tar`);
  execFileSync('tar', ['-C', src, ...(format === 'ustar' ? ['--no-recursion'] : []), `--format=${format}`, '--sort=name', `--owner=${owner}`, '--group=0', '--numeric-owner', '-cf', file, ...members]);
  return readFileSync(file);
}

/** `tar -tvf` parsed: path (rooted), type, uid, size, link target. */
function listing(archive: Buffer): { path: string; type: string; uid: number; size: number; linkname: string }[] {
  const text = spawnSync('tar', ['--numeric-owner', '-tvf', '-'], { input: archive }).stdout.toString();
  return text.trim().split('\n').map((line) => {
    const match = /^(\S)\S+ (\d+)\/\d+\s+(\d+) \S+ \S+ (.*)$/.exec(line);
    assert.ok(match, line);
    const [, kind, uid, size, rest] = match;
    let name = rest;
    let linkname = '';
    if (kind === 'l') [name, linkname] = rest.split(' -> ');
    else if (rest.includes(' link to ')) [name, linkname] = rest.split(' link to ');
    const type = kind === 'd' ? 'dir' : kind === 'l' ? 'symlink' : linkname !== '' ? 'hardlink' : 'file';
    const clean = (member: string) => `/${member.replace(/^\.\//, '').replace(/\/$/, '')}`;
    const path = clean(name);
    return { path, type, uid: Number(uid), size: type === 'file' ? Number(size) : 0, linkname: type === 'hardlink' ? clean(linkname) : linkname };
  });
}

describe('tar reader against GNU tar', () => {
  const all = ['.'];
  for (const format of ['gnu', 'pax', 'posix', 'ustar']) {
    it(`${format} format: entries match tar -tvf, for any chunking`, () => {
      // ustar cannot hold the 126-byte name nor the long link target: give it what fits.
      const members = format === 'ustar' ? [longDir.split('/')[0], prefixDir, `${prefixDir}/ustar-prefix.txt`, 'empty', 'shortlink'] : all;
      const archive = makeTar(format, members);
      if (format === 'ustar') assert.equal(archive.toString('latin1', 512 * 2 + 345, 512 * 2 + 345 + 121), prefixDir, 'GNU tar used the prefix field');
      const expected = listing(archive).filter((e) => e.path !== '/');
      const whole = read(archive);
      assert.deepEqual(whole.entries.map((e) => ({ path: e.path, type: e.type, uid: e.uid, size: e.size, linkname: e.linkname })), expected);
      assert.equal(whole.bodies.get(`/${prefixDir}/ustar-prefix.txt`)?.toString(), 'prefix body\n');
      for (const chunkSize of [1, 7, 511, 512, 513, 4096]) {
        const chunked = read(archive, chunkSize);
        assert.deepEqual(chunked.entries, whole.entries, `chunk size ${chunkSize}`);
        assert.deepEqual([...chunked.bodies], [...whole.bodies], `chunk size ${chunkSize}`);
      }
    });
  }

  it('base-256 owner ids (GNU format, uid 3000000)', () => {
    const archive = makeTar('gnu', ['empty'], '3000000');
    assert.equal(archive[108] & 0x80, 0x80, 'GNU tar wrote base-256');
    assert.equal(read(archive).entries[0].uid, 3000000);
    assert.equal(listing(archive)[0].uid, 3000000);
  });

  it('base-256 negative numbers', () => {
    assert.equal(parseNumeric(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), 0, 8), -2);
    assert.equal(parseNumeric(Buffer.from([0x80, 0, 0, 0, 0, 0, 0x01, 0x00]), 0, 8), 256);
  });

  it('a bad header checksum is a corrupt tar', () => {
    const archive = Buffer.from(makeTar('gnu', ['empty']));
    archive[0] ^= 0x20; // flips a letter's case in the name
    assertSpyglassError(() => read(archive), 'layer sha256:test of test-image: bad header checksum (corrupt tar)');
  });

  it('a tar cut short is "truncated tar", in a header or in a body', () => {
    const archive = makeTar('gnu', [`${longDir}/short.txt`]);
    assert.equal(archive.subarray(2048).every((byte) => byte === 0), true, 'L header, long name, header, body');
    for (const cut of [100, 512 * 3 + 5, 2040]) {
      assertSpyglassError(() => read(archive.subarray(0, cut)), 'layer sha256:test of test-image: truncated tar');
    }
  });

  it('an archive without the end-of-archive blocks ends cleanly at a header boundary (as Go\'s archive/tar)', () => {
    const archive = makeTar('ustar', ['empty']);
    assert.equal(read(archive.subarray(0, 512)).entries.length, 1);
  });

  it('a body over its cap: SpyglassError with --max-file-bytes, or skipped with a warning', () => {
    const archive = makeTar('gnu', ['.']);
    const where = `/${longDir}/${longName} in layer sha256:test of test-image: file is 70000 bytes, over the 65536 byte cap`;
    assertSpyglassError(() => read(archive, 4096, { maxFileBytes: 65536, oversize: 'error' }), `${where} (--max-file-bytes)`);
    const skipped = read(archive, 4096, { maxFileBytes: 65536 });
    assert.deepEqual(skipped.warnings, [where]);
    assert.equal(skipped.bodies.has(`/${longDir}/${longName}`), false);
    assert.equal(skipped.bodies.get(`/${longDir}/short.txt`)?.toString(), 'short body\n');
  });
});

describe('paths that would leave the image root', () => {
  it('unpack-escape.tar: absolute names are rooted at the image root, link targets kept as written', () => {
    const archive = readFileSync(join(DATA_IMAGES, 'osv-scalibr/unpack-escape.tar'));
    const got = read(archive).entries.map((e) => [e.path, e.type, e.linkname]);
    const expected = listing(archive).map((e) => [e.path.replace(/^\/+/, '/'), e.type, e.linkname]);
    assert.deepEqual(got, expected);
    assert.deepEqual(got[0], ['/escape/poc.txt', 'file', '']);
  });

  it('a "../" entry is rejected like containerd\'s and Docker\'s breakout check', () => {
    const script = `import tarfile, io, sys
t = tarfile.open(sys.argv[1], 'w', format=tarfile.USTAR_FORMAT)
for name in sys.argv[2:]:
    info = tarfile.TarInfo(name); info.size = 1
    t.addfile(info, io.BytesIO(b'x'))
t.close()`;
    const file = join(work, 'escape.tar');
    for (const name of ['../x', 'a/../../x', '/../x']) {
      execFileSync('python3', ['-c', script, file, 'ok', name]);
      assertSpyglassError(() => read(readFileSync(file)), `tar entry ${JSON.stringify(name)} in layer sha256:test of test-image escapes the image root`);
    }
    execFileSync('python3', ['-c', script, file, 'a/../b', './c/./d']);
    assert.deepEqual(read(readFileSync(file)).entries.map((e) => e.path), ['/b', '/c/d']);
  });
});
