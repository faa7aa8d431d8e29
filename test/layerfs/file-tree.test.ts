// The squashed view over real image archives from other projects' test suites; expected values are
// the archives' own listings (INDEX.md, `tar -tvf`/`tar -xOf` output run here).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { Image } from '../../src/image/model.ts';
import { buildFileTree, FileTree, type TarEntry } from '../../src/layerfs/index.ts';
import { DATA_IMAGES } from '../helpers/fixtures.ts';
import { imageFromArchive } from './images.ts';

const opened: Image[] = [];
after(async () => {
  for (const image of opened) await image.close();
});

async function treeOf(relative: string, wants: (path: string) => boolean = () => true): Promise<FileTree> {
  const image = await imageFromArchive(join(DATA_IMAGES, relative));
  opened.push(image);
  return buildFileTree(image, { wants });
}

function paths(tree: FileTree): string[] {
  return [...tree.walk()].map((item) => item.path);
}

/** The bytes of `member` in the tar at `tarPath`, as the system tar extracts them. */
function tarMember(tarPath: string, member: string): Buffer {
  const result = spawnSync('tar', ['-xOf', tarPath, member]);
  assert.equal(result.status, 0, result.stderr.toString());
  return result.stdout;
}

function assertLoop(fn: () => unknown, path: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SpyglassError);
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /symlink loop/);
    assert.ok(error.message.startsWith(`${path} in `), error.message);
    return true;
  });
}

describe('squashed file tree of real images', () => {
  it('whiteout_image: the whiteout in layer 2 removes foo.txt', async () => {
    const tree = await treeOf('go-containerregistry/whiteout_image.tar');
    assert.deepEqual(paths(tree), ['/bar.txt']);
    assert.equal(tree.get('/foo.txt'), undefined);
    assert.equal(tree.layers.length, 3);
    assert.equal(tree.layers[1].whiteouts, 1);
  });

  it('whiteout-zstd: zstd layers decompress and the same whiteout applies', async () => {
    const tree = await treeOf('constructed/whiteout-zstd.oci.tar');
    assert.deepEqual(paths(tree), ['/bar.txt']);
    assert.equal(tree.readFile('/bar.txt')?.length, 4);
  });

  it('overwritten_file: a later layer replaces foo.txt by a symlink to bar.txt', async () => {
    const tree = await treeOf('go-containerregistry/overwritten_file.tar');
    assert.deepEqual(paths(tree), ['/bar.txt', '/foo.txt']);
    assert.equal(tree.lstat('/foo.txt')?.type, 'symlink');
    assert.equal(tree.lstat('/foo.txt')?.layer.index, 1);
    assert.equal(tree.resolve('/foo.txt')?.path, '/bar.txt');
    assert.deepEqual(tree.readFile('/foo.txt'), tree.readFile('/bar.txt'));
    // The first layer's foo.txt is still there for versions().
    assert.equal(tree.versions('/foo.txt').length, 1);
    assert.equal(tree.versions('/foo.txt')[0].layer.index, 0);
  });

  it('whiteout_dir: a directory whiteout drops the subtree; a later layer makes a new one', async () => {
    const tree = await treeOf('go-containerregistry/whiteout_dir.tar');
    assert.deepEqual(paths(tree), ['/a', '/a/baz', '/b', '/b/bar']);
    assert.equal(tree.get('/a')?.layer.index, 3);
  });

  it('opaque-whiteout: exactly /etc/app/c.conf and /etc/keep.txt remain', async () => {
    const tree = await treeOf('constructed/opaque-whiteout.docker-oci.tar');
    assert.deepEqual([...tree.files()].map((f) => f.path), ['/etc/app/c.conf', '/etc/keep.txt']);
  });

  it('symlink-basic: absolute, relative, ./ and chained links all reach dir1/sample.txt', async () => {
    const tree = await treeOf('osv-scalibr/symlink-basic.tar');
    const layer = tarMember(join(DATA_IMAGES, 'osv-scalibr/symlink-basic.tar'), '302e26aeea9d4540c62d440e8fc15820ffdf9885121a36819950ca1b847eb0dc/layer.tar');
    const sample = spawnSync('tar', ['-xOf', '-', 'dir1/sample.txt'], { input: layer }).stdout;
    assert.equal(sample.length, 12);
    for (const link of ['absolute-symlink.txt', 'chain-symlink.txt', 'relative-dot-symlink.txt', 'relative-symlink.txt']) {
      assert.equal(tree.lstat(`/dir1/${link}`)?.type, 'symlink', link);
      assert.equal(tree.resolve(`/dir1/${link}`)?.path, '/dir1/sample.txt', link);
      assert.deepEqual(tree.readFile(`/dir1/${link}`), sample, link);
    }
  });

  it('symlink-cycle: resolving a link in the cycle is a "symlink loop" error naming the path', async () => {
    const tree = await treeOf('osv-scalibr/symlink-cycle.tar');
    assertLoop(() => tree.resolve('/dir1/sample.txt'), '/dir1/sample.txt');
    assertLoop(() => tree.readFile('/dir1/chain-symlink.txt'), '/dir1/chain-symlink.txt');
    // lstat does not follow the last link, so it answers.
    assert.equal(tree.lstat('/dir1/sample.txt')?.linkname, '/dir1/chain-symlink.txt');
  });

  it('symlink-attack: links climbing out of the root stay inside it', async () => {
    const tree = await treeOf('osv-scalibr/symlink-attack.tar');
    // No /secret.txt in the image: the links dangle rather than reaching the host.
    assert.equal(tree.resolve('/dir1/attack-symlink.txt'), undefined);
    assert.equal(tree.resolve('/dir1/attack-symlink-absolute.txt'), undefined);
    // With a /secret.txt inside the image, both land on it, as in a chroot.
    const layer = { index: 9, diffId: 'sha256:secret' as Digest };
    tree.apply(layer, entry('/secret.txt', 'file'), Buffer.from('inside'));
    assert.equal(tree.resolve('/dir1/attack-symlink.txt')?.path, '/secret.txt');
    assert.equal(tree.resolve('/dir1/attack-symlink-absolute.txt')?.path, '/secret.txt');
    assert.equal(tree.readFile('/dir1/attack-symlink.txt')?.toString(), 'inside');
  });

  it('symlink-depth-exceeded: a 7-link chain is within Linux\'s 40', async () => {
    const tree = await treeOf('osv-scalibr/symlink-depth-exceeded.tar');
    assert.equal(tree.resolve('/dir1/symlink7.txt')?.path, '/dir1/sample.txt');
    assert.equal(tree.readFile('/dir1/symlink7.txt')?.length, 12);
  });

  it('only selected bodies are kept', async () => {
    const tree = await treeOf('constructed/opaque-whiteout.docker-oci.tar', (path) => path === '/etc/keep.txt');
    assert.ok(tree.readFile('/etc/keep.txt') !== undefined);
    assert.equal(tree.readFile('/etc/app/c.conf'), undefined);
    assert.equal(tree.get('/etc/app/c.conf')?.type, 'file');
  });
});

const L0 = { index: 0, diffId: 'sha256:l0' as Digest };
const L1 = { index: 1, diffId: 'sha256:l1' as Digest };

function entry(path: string, type: TarEntry['type'], linkname = ''): TarEntry {
  return { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, mtime: 0, linkname };
}

describe('whiteout and link rules (OCI image-spec layer.md)', () => {
  it('an opaque marker keeps this layer\'s entries whatever their order in the tar', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/d/x', 'file'));
    tree.apply(L0, entry('/d/sub/y', 'file'));
    tree.apply(L0, entry('/other', 'file'));
    tree.apply(L1, entry('/d/sub/z', 'file'));
    tree.apply(L1, entry('/d/.wh..wh..opq', 'file'));
    tree.apply(L1, entry('/d/w', 'file'));
    assert.deepEqual(paths(tree), ['/d', '/d/sub', '/d/sub/z', '/d/w', '/other']);
  });

  it('a whiteout only hides lower layers', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/a', 'file'));
    tree.apply(L1, entry('/b', 'file'));
    tree.apply(L1, entry('/.wh.a', 'file'));
    tree.apply(L1, entry('/.wh.b', 'file'));
    assert.deepEqual(paths(tree), ['/b']);
  });

  it('a file replaces a directory subtree and a directory replaces a file', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/d/x', 'file'));
    tree.apply(L0, entry('/f', 'file'));
    tree.apply(L1, entry('/d', 'file'));
    tree.apply(L1, entry('/f', 'dir'));
    tree.apply(L1, entry('/f/in', 'file'));
    assert.deepEqual(paths(tree), ['/d', '/f', '/f/in']);
    assert.equal(tree.get('/d')?.type, 'file');
  });

  it('a hard link reads its target, even after the target is whited out', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/bin/real', 'file'), Buffer.from('ELF'));
    tree.apply(L0, entry('/bin/link', 'hardlink', '/bin/real'));
    tree.apply(L1, entry('/bin/.wh.real', 'file'));
    assert.equal(tree.get('/bin/real'), undefined);
    assert.equal(tree.readFile('/bin/link')?.toString(), 'ELF');
  });

  it('entries under a symlinked directory land in its target', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/usr/lib', 'dir'));
    tree.apply(L0, entry('/lib', 'symlink', 'usr/lib'));
    tree.apply(L1, entry('/lib/libc.so', 'file'), Buffer.from('c'));
    assert.equal(tree.lstat('/usr/lib/libc.so')?.type, 'file');
    assert.equal(tree.readFile('/lib/libc.so')?.toString(), 'c');
    assert.equal(tree.versions('/usr/lib/libc.so').length, 1);
  });

  it('versions() lists every selected copy, bottom first', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/var/lib/dpkg/status', 'file'), Buffer.from('A'));
    tree.apply(L1, entry('/var/lib/dpkg/status', 'file'), Buffer.from('B'));
    assert.deepEqual(tree.versions('/var/lib/dpkg/status').map((v) => [v.layer.index, v.content.toString()]), [[0, 'A'], [1, 'B']]);
    assert.equal(tree.readFile('/var/lib/dpkg/status')?.toString(), 'B');
  });

  it('40 links resolve, 41 are a loop (Linux MAXSYMLINKS)', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/l0', 'file'));
    for (let i = 1; i <= 41; i++) tree.apply(L0, entry(`/l${i}`, 'symlink', `/l${i - 1}`));
    assert.equal(tree.resolve('/l40')?.path, '/l0');
    assertLoop(() => tree.resolve('/l41'), '/l41');
  });

  it('an intermediate-directory symlink loop is detected too', () => {
    const tree = new FileTree('test');
    tree.apply(L0, entry('/a', 'symlink', 'b'));
    tree.apply(L0, entry('/b', 'symlink', 'a'));
    assertLoop(() => tree.lstat('/a/x'), '/a/x');
  });
});
