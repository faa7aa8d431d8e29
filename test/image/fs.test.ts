import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import { openImage } from '../../src/image/open.ts';
import { buildFileTree } from '../../src/layerfs/index.ts';
import { fixtureArchives } from '../helpers/fixtures.ts';

/** `find`'s view of a directory: path, type letter, link target, size for regular files. */
function findListing(dir: string): string[] {
  const out = execFileSync('find', [dir, '-mindepth', '1', '-printf', '/%P\\t%y\\t%l\\t%s\\n'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trimEnd().split('\n').map((line) => {
    const [path, type, link, size] = line.split('\t');
    return `${path} ${type} ${link} ${type === 'f' ? size : ''}`;
  }).sort();
}

const TYPE_LETTER: Record<string, string> = { file: 'f', dir: 'd', symlink: 'l', hardlink: 'f', fifo: 'p', char: 'c', block: 'b' };

describe('fs:// root filesystem directories', () => {
  let cache: string;
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-fs-'));
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('reads the umoci-unpacked app-bullseye rootfs as one layer with exactly find\'s file list', async () => {
    const rootfs = join(fixtureArchives(), 'app-bullseye.rootfs');
    const image = await openImage(`fs://${rootfs}`, { cacheDir: cache });
    try {
      assert.equal(image.source, 'fs');
      assert.equal(image.layers.length, 1);
      assert.equal(image.layers[0]!.diffId, image.config.diffIds[0]);
      const tree = await buildFileTree(image, { wants: (path) => path === '/usr/lib/os-release' });
      const listing = [...tree.walk()].map(({ path, node }) => {
        const type = TYPE_LETTER[node.type] ?? '?';
        const size = type === 'f' ? String(node.size) : '';
        return `${path} ${type} ${node.type === 'symlink' ? node.linkname : ''} ${size}`;
      }).sort();
      assert.deepEqual(listing, findListing(rootfs));
      assert.match(tree.readFile('/etc/os-release')!.toString(), /VERSION_CODENAME=bullseye/);
      assert.equal(tree.get('/app/node_modules/minimist'), undefined);
    } finally {
      await image.close();
    }
  });

  it('gives the same diff_id for the same directory twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spyglass-fsroot-'));
    try {
      mkdirSync(join(dir, 'etc'));
      writeFileSync(join(dir, 'etc/hostname'), 'box\n');
      symlinkSync('hostname', join(dir, 'etc/name'));
      const first = await openImage(`fs://${dir}`, { cacheDir: cache });
      const second = await openImage(`fs://${dir}`, { cacheDir: cache });
      assert.equal(first.layers[0]!.diffId, second.layers[0]!.diffId);
      assert.equal(first.configDigest, second.configDigest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a missing directory and a plain file', async () => {
    await assert.rejects(openImage('fs://no/such/dir', { cacheDir: cache }), (error: unknown) =>
      error instanceof SpyglassError && error.exitCode === 1 && /^fs:\/\/no\/such\/dir: no such directory$/.test(error.message));
    const file = join(cache, 'file.txt');
    writeFileSync(file, 'x');
    await assert.rejects(openImage(`fs://${file}`, { cacheDir: cache }), (error: unknown) =>
      error instanceof SpyglassError && /not a directory/.test(error.message));
  });
});
