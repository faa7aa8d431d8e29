import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TarIndex, normaliseMemberName } from '../../src/image/tar/tar-index.ts';
import { DATA_IMAGES } from '../helpers/fixtures.ts';
import { assertUserError, tarMember } from './local-helpers.ts';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

describe('TarIndex: random access into a tar file', () => {
  let work: string;
  let archive: string;
  const longName = `deep/${'d'.repeat(120)}/${'f'.repeat(120)}.txt`;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-tarindex-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'real', 'sub'), { recursive: true });
    mkdirSync(join(src, longName, '..'), { recursive: true });
    writeFileSync(join(src, 'real', 'sub', 'file.txt'), 'hello\n');
    writeFileSync(join(src, longName), 'long\n');
    symlinkSync('real', join(src, 'dirlink'));
    symlinkSync('../real/sub/file.txt', join(src, 'real', 'up.txt'));
    symlinkSync('/real/sub/file.txt', join(src, 'absolute.txt'));
    symlinkSync('../../outside', join(src, 'escape'));
    symlinkSync('loop-b', join(src, 'loop-a'));
    symlinkSync('loop-a', join(src, 'loop-b'));
    execFileSync('ln', [join(src, 'real', 'sub', 'file.txt'), join(src, 'hard.txt')]);
    archive = join(work, 'test.tar');
    // GNU tar: `./`-prefixed names, a GNU long name (-H gnu) and a hard link; then the same as PAX.
    execFileSync('tar', ['-C', src, '-H', 'gnu', '-cf', archive, '.']);
    execFileSync('tar', ['-C', src, '-H', 'pax', '-cf', join(work, 'pax.tar'), '.']);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('normalises member names and refuses ones that climb out', () => {
    assert.equal(normaliseMemberName('./a/b/'), 'a/b');
    assert.equal(normaliseMemberName('/a//./b'), 'a/b');
    assert.equal(normaliseMemberName('a/../b'), 'b');
    assert.equal(normaliseMemberName('../x'), undefined);
    assert.equal(normaliseMemberName('a/../../x'), undefined);
  });

  for (const name of ['test.tar', 'pax.tar']) {
    it(`${name}: long names, symlinks (relative, absolute, through a directory), hard links`, async () => {
      const index = await TarIndex.open(join(work, name));
      assert.equal(await text(index.openStream(longName)), 'long\n');
      assert.equal((await index.readFile('./real/sub/file.txt', 100)).toString(), 'hello\n');
      for (const via of ['real/up.txt', 'absolute.txt', 'dirlink/sub/file.txt', 'hard.txt']) {
        assert.equal((await index.readFile(via, 100)).toString(), 'hello\n', via);
      }
      assert.equal(index.entry('dirlink')?.type, 'symlink');
      assert.equal(index.resolve('missing'), undefined);
      assert.throws(() => index.resolve('escape'), /points outside the archive/);
      assert.throws(() => index.resolve('loop-a'), /too many links/);
      await assertUserError(index.readFile('real/sub/file.txt', 3), 'more than the 3 accepted');
      await assertUserError(index.readFile('real', 100), '"real" is not a regular file');
    });
  }

  it('reads a member by byte range exactly as GNU tar extracts it (body never read while indexing)', async () => {
    const path = join(DATA_IMAGES, 'go-containerregistry/test_link.tar');
    const index = await TarIndex.open(path);
    const linked = 'b159278ac0c8813245b6c3b22cbbe7abefe3b2ec3fac6c7e87138811e1ef2a88/layer.tar';
    const target = '6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/layer.tar';
    assert.equal(index.resolve(linked)?.name, target);
    assert.deepEqual(await index.readFile(linked, 1 << 20), tarMember(path, target));
  });

  it('refuses symlink trampolines out of the root (osv-scalibr unpack-escape.tar)', async () => {
    const index = await TarIndex.open(join(DATA_IMAGES, 'osv-scalibr/unpack-escape.tar'));
    assert.throws(() => index.resolve('usr/share/doc/c/copyright'), /points outside the archive/);
    assert.throws(() => index.resolve('usr/share/doc/b/copyright'), /points outside the archive/);
  });

  it('a member named with .. is refused when indexing', async () => {
    const path = join(work, 'dotdot.tar');
    writeFileSync(join(work, 'x.txt'), 'x');
    execFileSync('tar', ['-C', work, '-P', '--transform', 's,^,../,', '-cf', path, 'x.txt']);
    await assertUserError(TarIndex.open(path), 'member "../x.txt" escapes the archive root');
  });
});
