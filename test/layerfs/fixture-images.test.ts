// The big fixture images: app-bullseye's squashed tree must equal umoci's unpacked rootfs, and the
// traps listed in ../shared/fixtures/images/README.md must come out as described there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildFileTree, type FileTree } from '../../src/layerfs/index.ts';
import { FIXTURE_OCI } from '../helpers/fixtures.ts';
import { imageFromOciLayout } from './images.ts';

const ESBUILD_REAL = '/app/node_modules/@esbuild/linux-x64/bin/esbuild';
const ESBUILD_LINK = '/app/node_modules/esbuild/bin/esbuild';

const wants = (path: string): boolean =>
  path === '/var/lib/dpkg/status' || path.startsWith('/var/lib/dpkg/status.d/') || path.endsWith('/package.json')
  || path === '/usr/lib/os-release' || path === '/etc/os-release' || path === ESBUILD_REAL || path === ESBUILD_LINK;

describe('app-bullseye against umoci', () => {
  const work = mkdtempSync(join(tmpdir(), 'layerfs-umoci-'));
  const rootfs = join(work, 'rootfs');
  let tree: FileTree;

  before(async () => {
    const unpack = spawnSync('umoci', ['raw', 'unpack', '--rootless', '--image', `${FIXTURE_OCI}:app-bullseye`, rootfs]);
    assert.equal(unpack.status, 0, unpack.stderr.toString());
    tree = await buildFileTree(await imageFromOciLayout(FIXTURE_OCI, 'app-bullseye'), { wants });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('every path, its type and symlink target match umoci raw unpack', () => {
    const found = spawnSync('find', ['.', '-mindepth', '1', '-printf', '%y %P\\0%l\\0'], { cwd: rootfs, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(found.status, 0);
    const fields = found.stdout.toString('utf8').split('\0');
    const expected: string[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [kind, ...rest] = fields[i].split(' ');
      expected.push(`${kind} /${rest.join(' ')}${kind === 'l' ? ` -> ${fields[i + 1]}` : ''}`);
    }
    const letter = { dir: 'd', file: 'f', hardlink: 'f', symlink: 'l', char: 'c', block: 'b', fifo: 'p' } as const;
    const actual = [...tree.walk()].map(({ path, node }) => `${letter[node.type]} ${path}${node.type === 'symlink' ? ` -> ${node.linkname}` : ''}`);
    assert.ok(expected.length > 7000, `umoci unpacked ${expected.length} paths`);
    assert.deepEqual(actual.sort(), expected.sort());
  });

  it('selected contents equal the unpacked files', () => {
    for (const path of ['/var/lib/dpkg/status', '/app/package.json', '/usr/lib/os-release', ESBUILD_REAL]) {
      assert.deepEqual(tree.readFile(path), readFileSync(join(rootfs, path)), path);
    }
  });

  it('trap: the whited-out minimist is gone', () => {
    assert.equal(tree.get('/app/node_modules/minimist'), undefined);
    assert.equal(tree.get('/app/node_modules/minimist/package.json'), undefined);
    // It was there in the COPY layer, and versions() still knows.
    assert.deepEqual(tree.versions('/app/node_modules/minimist/package.json').map((v) => v.layer.index), [2]);
  });

  it('trap: the opaque /app/config holds only production.json', () => {
    const config = tree.get('/app/config');
    assert.deepEqual([...(config?.children?.keys() ?? [])], ['production.json']);
    assert.equal(config?.layer.index, 3);
  });

  it('trap: the esbuild hard link reads the Go binary', () => {
    const link = tree.lstat(ESBUILD_LINK);
    assert.equal(link?.type, 'hardlink');
    assert.equal(link?.linkname, ESBUILD_REAL);
    const binary = tree.readFile(ESBUILD_LINK);
    assert.ok(binary !== undefined && binary.subarray(0, 4).toString('latin1') === '\x7fELF');
    assert.deepEqual(binary, readFileSync(join(rootfs, ESBUILD_LINK)));
    assert.equal(tree.resolve('/app/node_modules/.bin/esbuild')?.path, ESBUILD_LINK);
  });

  it('trap: /etc/os-release is a symlink resolved inside the image', () => {
    assert.equal(tree.lstat('/etc/os-release')?.type, 'symlink');
    assert.equal(tree.lstat('/etc/os-release')?.linkname, '../usr/lib/os-release');
    assert.equal(tree.resolve('/etc/os-release')?.path, '/usr/lib/os-release');
    assert.match(tree.readFile('/etc/os-release')?.toString('utf8') ?? '', /^VERSION_ID="11"$/m);
  });

  it('the dpkg status was written by the base layer and rewritten by the apt-get layer', () => {
    assert.deepEqual(tree.versions('/var/lib/dpkg/status').map((v) => v.layer.diffId), [
      'sha256:a06e34c8cbb464cf21bfe403096b4c552b119a48bf6248b8756e888ae3baf2b0',
      'sha256:8589c3cbb4564bcc2b5be1e86428453028e128f860163d484ffd32799277799b',
    ]);
    assert.equal(tree.get('/var/lib/dpkg/status')?.layer.index, 1);
  });

  it('per-layer counts: compressed sizes from the README table, all five layers read', () => {
    assert.deepEqual(tree.layers.map((l) => l.compressedBytes), [28404916, 2289190, 4702457, 231, 127680]);
    assert.deepEqual(tree.layers.map((l) => l.whiteouts), [0, 0, 0, 2, 0]);
    for (const layer of tree.layers) assert.ok(layer.entries > 0 && layer.uncompressedBytes >= layer.compressedBytes);
  });
});
