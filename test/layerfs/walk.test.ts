// Layer walking end to end: decompression by magic bytes, the diff_id check, and every bad-input
// case as a one-line SpyglassError with exit code 1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { Image, Layer } from '../../src/image/model.ts';
import { buildFileTree, decompressLayer, detectCompression, walkLayers } from '../../src/layerfs/index.ts';
import { DATA_IMAGES } from '../helpers/fixtures.ts';
import { imageFromArchive } from './images.ts';

const work = mkdtempSync(join(tmpdir(), 'layerfs-walk-'));
const opened: Image[] = [];
after(async () => {
  for (const image of opened) await image.close();
  rmSync(work, { recursive: true, force: true });
});

async function open(relative: string): Promise<Image> {
  const image = await imageFromArchive(join(DATA_IMAGES, relative));
  opened.push(image);
  return image;
}

/** The same image with one layer's blob replaced by `bytes`. */
function withLayerBytes(image: Image, index: number, bytes: Buffer): Image {
  const layers: Layer[] = image.layers.map((layer) => (layer.index === index ? { ...layer, open: async () => Readable.from([bytes]) } : layer));
  return { ...image, layers };
}

async function readLayer(image: Image, index: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await image.layers[index].open()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function assertRejects(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SpyglassError, String(error));
    assert.equal(error.exitCode, 1);
    assert.equal(error.message.includes('\n'), false);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('decompression', () => {
  it('detects gzip, zstd and plain tar by magic bytes', () => {
    assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
    assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
    assert.equal(detectCompression(Buffer.from('etc/')), 'none');
  });

  it('gzip with several members, zstd, and plain bytes round-trip (zstd and gzip CLIs as reference)', async () => {
    const plain = Buffer.alloc(300000);
    for (let i = 0; i < plain.length; i++) plain[i] = (i * 7919) % 251;
    const multi = Buffer.concat([gzipSync(plain.subarray(0, 100000)), gzipSync(plain.subarray(100000))]);
    writeFileSync(join(work, 'plain'), plain);
    execFileSync('zstd', ['-q', '-f', '-19', join(work, 'plain'), '-o', join(work, 'plain.zst')]);
    const zst = readFileSync(join(work, 'plain.zst'));
    const options = { layer: 'sha256:x', image: 'img', maxBytes: 1e9 };
    for (const input of [multi, zst, plain]) {
      // Fed in small pieces, so the magic bytes arrive split.
      const pieces = [];
      for (let pos = 0; pos < input.length; pos += 3001) pieces.push(input.subarray(pos, pos + 3001));
      pieces.unshift(input.subarray(0, 1));
      pieces[1] = pieces[1].subarray(1);
      assert.deepEqual(await collect(decompressLayer(Readable.from(pieces), options)), plain);
    }
  });
});

describe('walking real layers', () => {
  it('counts entries and bytes per layer and checks diff_ids (whiteout_dir: gzip layers)', async () => {
    const image = await open('go-containerregistry/whiteout_dir.tar');
    const seen: string[] = [];
    const stats = await walkLayers(image, {}, (layer, entry) => seen.push(`${layer.index}:${entry.path}`));
    assert.deepEqual(seen, ['0:/a', '0:/a/foo', '1:/b', '1:/b/bar', '2:/.wh.a', '3:/a', '3:/a/baz']);
    assert.deepEqual(stats.map((s) => s.entries), [2, 2, 1, 2]);
    assert.deepEqual(stats.map((s) => s.whiteouts), [0, 0, 1, 0]);
    for (const s of stats) assert.equal(s.uncompressedBytes % 512, 0);
  });

  it('a layer whose content is not its diff_id', async () => {
    const image = await open('go-containerregistry/whiteout_image.tar');
    const layer = image.layers[0];
    const wrong = { ...image, layers: [{ ...layer, diffId: `sha256:${'0'.repeat(64)}` as Digest }] };
    await assertRejects(buildFileTree(wrong), /^layer sha256:0{64} of .*whiteout_image\.tar: content does not match its diff_id \(got sha256:[0-9a-f]{64}\)$/);
  });
});

describe('bad input', () => {
  it('corrupt gzip data', async () => {
    const image = await open('go-containerregistry/whiteout_dir.tar');
    const gz = Buffer.from(await readLayer(image, 0));
    for (let i = 20; i < gz.length - 8; i++) gz[i] ^= 0x55;
    const diffId = image.layers[0].diffId;
    await assertRejects(buildFileTree(withLayerBytes(image, 0, gz)), new RegExp(`^layer ${diffId} of .*whiteout_dir\\.tar: corrupt gzip data \\(.+\\)$`));
  });

  it('gzip cut short is corrupt gzip data too', async () => {
    const image = await open('go-containerregistry/whiteout_dir.tar');
    const gz = await readLayer(image, 1);
    await assertRejects(buildFileTree(withLayerBytes(image, 1, gz.subarray(0, gz.length - 12))), /: corrupt gzip data \(unexpected end of file\)$/);
  });

  it('corrupt zstd data', async () => {
    const image = await open('constructed/whiteout-zstd.oci.tar');
    const zst = Buffer.from(await readLayer(image, 1));
    assert.equal(detectCompression(zst), 'zstd');
    const diffId = image.layers[1].diffId;
    await assertRejects(buildFileTree(withLayerBytes(image, 1, zst.subarray(0, zst.length - 6))), new RegExp(`^layer ${diffId} of .*whiteout-zstd\\.oci\\.tar: corrupt zstd data \\(.+\\)$`));
  });

  it('truncated tar', async () => {
    const image = await open('go-containerregistry/whiteout_image.tar');
    const tar = await readLayer(image, 0);
    await assertRejects(buildFileTree(withLayerBytes(image, 0, tar.subarray(0, 1000))), `layer ${image.layers[0].diffId} of ${image.input}: truncated tar`);
  });

  it('tar entry escaping the root', async () => {
    const image = await open('go-containerregistry/whiteout_image.tar');
    const script = `import tarfile, io, sys
t = tarfile.open(sys.argv[1], 'w')
info = tarfile.TarInfo('../etc/cron.d/x'); info.size = 1
t.addfile(info, io.BytesIO(b'x'))
t.close()`;
    execFileSync('python3', ['-c', script, join(work, 'escape.tar')]);
    const gz = gzipSync(readFileSync(join(work, 'escape.tar')));
    await assertRejects(buildFileTree(withLayerBytes(image, 0, gz)), `tar entry "../etc/cron.d/x" in layer ${image.layers[0].diffId} of ${image.input} escapes the image root`);
  });

  it('decompression bomb: past --max-layer-bytes', async () => {
    const image = await open('go-containerregistry/whiteout_dir.tar');
    await assertRejects(buildFileTree(image, { maxLayerBytes: 1024 }), `layer ${image.layers[0].diffId} of ${image.input}: decompresses past the 1024 byte cap (--max-layer-bytes)`);
  });

  it('a wanted file over its cap: error when asked, else skipped with a warning', async () => {
    const image = await open('go-containerregistry/whiteout_image.tar');
    const where = `/bar.txt in layer ${image.layers[0].diffId} of ${image.input}: file is 4 bytes, over the 3 byte cap`;
    await assertRejects(buildFileTree(image, { wants: () => true, maxFileBytes: 3, oversize: 'error' }), `${where} (--max-file-bytes)`);
    const tree = await buildFileTree(image, { wants: () => true, maxFileBytes: 3 });
    assert.deepEqual(tree.warnings, [where, where.replace('/bar.txt', '/foo.txt')]);
    assert.equal(tree.get('/bar.txt')?.type, 'file');
    assert.equal(tree.readFile('/bar.txt'), undefined);
  });

  it('symlink loop', async () => {
    const tree = await buildFileTree(await open('osv-scalibr/symlink-cycle.tar'), { wants: () => true });
    assert.throws(() => tree.readFile('/dir1/absolute-symlink.txt'), (error: unknown) => {
      assert.ok(error instanceof SpyglassError);
      assert.equal(error.exitCode, 1);
      assert.match(error.message, /^\/dir1\/absolute-symlink\.txt in .*symlink-cycle\.tar: symlink loop \(more than 40 links to follow\)$/);
      return true;
    });
  });
});

describe('hard links and selection', () => {
  it('a selected hard link whose target was not selected is recorded as a warning', async () => {
    const image = await open('go-containerregistry/whiteout_image.tar');
    const script = `import tarfile, io, sys
t = tarfile.open(sys.argv[1], 'w')
info = tarfile.TarInfo('real'); info.size = 3
t.addfile(info, io.BytesIO(b'ELF'))
link = tarfile.TarInfo('link'); link.type = tarfile.LNKTYPE; link.linkname = 'real'
t.addfile(link)
t.close()`;
    execFileSync('python3', ['-c', script, join(work, 'links.tar')]);
    const tar = readFileSync(join(work, 'links.tar'));
    const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}` as Digest;
    const linked: Image = { ...image, layers: [{ ...image.layers[0], diffId, open: async () => Readable.from([tar]) }] };
    const both = await buildFileTree(linked, { wants: () => true });
    assert.equal(both.readFile('/link')?.toString(), 'ELF');
    assert.deepEqual(both.warnings, []);
    const linkOnly = await buildFileTree(linked, { wants: (path) => path === '/link' });
    assert.equal(linkOnly.readFile('/link'), undefined);
    assert.deepEqual(linkOnly.warnings, [`/link in layer ${diffId} of ${image.input}: hard link to /real, whose content was not selected`]);
  });
});
