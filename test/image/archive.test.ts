import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openArchiveImage } from '../../src/image/archive/docker-save.ts';
import { openOciArchiveImage } from '../../src/image/oci/layout.ts';
import { DATA_IMAGES, fixtureArchives } from '../helpers/fixtures.ts';
import {
  assertNoTemporaryFiles, assertSameImageAsFixture, assertUserError, expectedImage, layerSha256, sha256, tarMember,
} from './local-helpers.ts';

const GCR = join(DATA_IMAGES, 'go-containerregistry');
const DOCKER_IMAGES = [
  'debian-bullseye-base', 'debian-bullseye-refreshed', 'debian-bookworm-base', 'app-bullseye', 'app-bookworm',
  'multiarch-amd64', 'multiarch-arm64',
];

describe('archive:// docker save tars', () => {
  let cache: string;
  let work: string;
  const open = (path: string, ref?: string) => openArchiveImage(path, { input: `archive://${path}`, cacheDir: cache, ref });
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-archive-cache-'));
    work = mkdtempSync(join(tmpdir(), 'spyglass-archive-work-'));
  });
  after(() => {
    rmSync(cache, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const name of DOCKER_IMAGES) {
    it(`reads ${name}.docker.tar (skopeo, symlinked layer.tar) as the fixture manifest says`, async () => {
      const path = join(fixtureArchives(), `${name}.docker.tar`);
      const image = await open(path, `fixtures/${name}:latest`);
      try {
        const expected = expectedImage(name);
        assertSameImageAsFixture(image, expected);
        assert.equal(image.source, 'archive');
        assert.equal(image.manifestDigest, undefined);
        assert.deepEqual(image.names, [`docker.io/fixtures/${name}:latest`]);
        // Uncompressed layer files: the blob digest is the diff_id.
        assert.deepEqual(image.layers.map((layer) => layer.digest), expected.layers.map((layer) => layer.diffId));
      } finally {
        await image.close();
      }
    });
  }

  it('streams a layer whose bytes hash to its diff_id', async () => {
    const image = await open(join(fixtureArchives(), 'multiarch-amd64.docker.tar'));
    try {
      assert.equal(await layerSha256(image, 0), expectedImage('multiarch-amd64').layers[0]!.diffId);
    } finally {
      await image.close();
    }
  });

  it('reads gzip- and zstd-compressed copies the same, and removes the decompressed copy on close', async () => {
    const source = join(fixtureArchives(), 'multiarch-arm64.docker.tar');
    const expected = expectedImage('multiarch-arm64');
    for (const [tool, suffix] of [['gzip', 'gz'], ['zstd -q', 'zst']] as const) {
      const path = join(work, `multiarch-arm64.docker.tar.${suffix}`);
      execSync(`${tool} -c '${source}' > '${path}'`);
      const image = await open(path);
      assertSameImageAsFixture(image, expected);
      assert.equal(await layerSha256(image, 0), expected.layers[0]!.diffId);
      await image.close();
      assertNoTemporaryFiles(cache);
    }
  });

  it('chooses by RepoTag in a two-image archive and lists the choices without one (test_bundle.tar)', async () => {
    const path = join(GCR, 'test_bundle.tar');
    await assertUserError(open(path), 'holds 2 images', 'choose one with --ref', 'test_image_2', 'test_image_1');
    await assertUserError(open(path, 'test_image_9'), 'no image tagged "test_image_9"', 'test_image_1');
    const configName = '6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e.json';
    const image = await open(path, 'test_image_1');
    try {
      const config = tarMember(path, configName);
      assert.equal(image.configDigest, sha256(config));
      assert.deepEqual(image.names, ['test_image_1']);
      const layerTar = tarMember(path, '555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee0/layer.tar');
      assert.deepEqual(image.layers.map((layer) => layer.diffId), [sha256(layerTar)]);
      assert.equal(await layerSha256(image, 0), sha256(layerTar));
    } finally {
      await image.close();
    }
  });

  it('follows a layer.tar symlinked to another image\'s layer (test_link.tar)', async () => {
    const path = join(GCR, 'test_link.tar');
    const image = await open(path, 'bazel/v1/tarball:test_image_3');
    try {
      const linked = tarMember(path, '6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/layer.tar');
      const own = tarMember(path, '3fe17a762ab6ad87de78c88326e1667b3e6a8924a0eb92a34a2bfeb40f49824d/layer.tar');
      assert.deepEqual(image.layers.map((layer) => layer.size), [linked.length, own.length]);
      assert.equal(await layerSha256(image, 0), sha256(linked));
      assert.equal(await layerSha256(image, 1), sha256(own));
      assert.equal(image.configDigest, sha256(tarMember(path, 'd4c9adacde69c3d92446e0484cea29493e9fd573cf0c8febfc700d80c46697a4.json')));
    } finally {
      await image.close();
    }
  });

  it('attributes history past empty_layer entries (source_image_with_empty_layer_history.tar)', async () => {
    const path = join(GCR, 'source_image_with_empty_layer_history.tar');
    const image = await open(path);
    try {
      const config = JSON.parse(tarMember(path, '6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e.json').toString()) as {
        history: { created_by: string; empty_layer?: boolean }[];
      };
      const made = config.history.filter((entry) => !entry.empty_layer).map((entry) => entry.created_by);
      assert.equal(config.history.length, 2);
      assert.deepEqual(image.layers.map((layer) => layer.history?.createdBy), made);
    } finally {
      await image.close();
    }
  });

  it('takes gzip layer digests from their <digest>.tar.gz names and verifies them (whiteout_dir.tar)', async () => {
    const path = join(GCR, 'whiteout_dir.tar');
    const image = await open(path);
    try {
      const manifest = JSON.parse(tarMember(path, 'manifest.json').toString()) as { Layers: string[] }[];
      const files = manifest[0]!.Layers;
      assert.deepEqual(image.layers.map((layer) => layer.digest), files.map((file) => sha256(tarMember(path, file))));
      assert.ok(image.layers.every((layer) => layer.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
      assert.equal(await layerSha256(image, 0), image.layers[0]!.digest);
      assert.deepEqual(image.names, ['localhost:5000/whiteout:latest']);
    } finally {
      await image.close();
    }
  });

  it('reads Docker >= 25 tars through the OCI index (alpine docker-oci, exact manifest digest)', async () => {
    const path = join(DATA_IMAGES, 'alpine-3.20.3-amd64.docker-oci.tar');
    const index = JSON.parse(tarMember(path, 'index.json').toString()) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(tarMember(path, `blobs/sha256/${index.manifests[0]!.digest.slice(7)}`).toString()) as {
      config: { digest: string }; layers: { digest: string; size: number }[];
    };
    for (const image of [await open(path), await openOciArchiveImage(path, { input: `oci-archive://${path}`, cacheDir: cache })]) {
      try {
        assert.equal(image.manifestDigest, index.manifests[0]!.digest);
        assert.equal(image.configDigest, manifest.config.digest);
        assert.deepEqual(image.layers.map((layer) => [layer.digest, layer.size]), manifest.layers.map((layer) => [layer.digest, layer.size]));
        assert.ok(image.names.includes('alpine:3.20.3'));
        assert.equal(await layerSha256(image, 0), manifest.layers[0]!.digest);
      } finally {
        await image.close();
      }
    }
  });

  it('falls back to manifest.json when the Docker 25 index lists nothing (hello-world-v25.tar)', async () => {
    const path = join(GCR, 'hello-world-v25.tar');
    const entry = (JSON.parse(tarMember(path, 'manifest.json').toString()) as { Config: string; Layers: string[] }[])[0]!;
    const image = await open(path);
    try {
      assert.equal(image.configDigest, sha256(tarMember(path, entry.Config)));
      assert.deepEqual(image.layers.map((layer) => layer.digest), [sha256(tarMember(path, entry.Layers[0]!))]);
      assert.deepEqual(image.names, []);
    } finally {
      await image.close();
    }
  });

  it('reads a fixture OCI tar given as archive:// (no manifest.json, oci-layout present)', async () => {
    const image = await open(join(fixtureArchives(), 'app-bookworm.oci.tar'));
    try {
      const expected = expectedImage('app-bookworm');
      assert.equal(image.manifestDigest, expected.manifestDigest);
      assertSameImageAsFixture(image, expected);
    } finally {
      await image.close();
    }
  });

  it('rejects legacy and empty manifest.json archives with one line', async () => {
    await assertUserError(open(join(GCR, 'no_manifest.tar')), 'no_manifest.tar', 'without manifest.json');
    await assertUserError(open(join(GCR, 'null_manifest.tar')), 'null_manifest.tar: manifest.json lists no images');
  });

  describe('bad input', () => {
    const bad = (name: string, bytes: Buffer | string) => {
      const path = join(work, name);
      writeFileSync(path, bytes);
      return path;
    };
    it('missing file', async () => {
      const path = join(work, 'nope.tar');
      await assertUserError(open(path), `archive://${path}: no such file`);
      assertNoTemporaryFiles(cache);
    });
    it('not a tar (a text file)', async () => {
      const path = bad('notes.txt', 'these are not the bytes you are looking for\n'.repeat(40));
      await assertUserError(open(path), `archive://${path}: not a tar archive`);
    });
    it('truncated tar (head -c of a fixture tar)', async () => {
      const path = join(work, 'truncated.tar');
      execSync(`head -c 100000 '${join(fixtureArchives(), 'multiarch-amd64.docker.tar')}' > '${path}'`);
      await assertUserError(open(path), `archive://${path}: truncated tar archive`);
    });
    it('corrupt gzip leaves no temporary file', async () => {
      const path = bad('corrupt.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(4000, 0x5a)]));
      await assertUserError(open(path), `archive://${path}: corrupt gzip data`);
      assertNoTemporaryFiles(cache);
    });
    it('corrupt zstd leaves no temporary file', async () => {
      const path = bad('corrupt.tar.zst', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(4000, 0xa7)]));
      await assertUserError(open(path), `archive://${path}: corrupt zstd data`);
      assertNoTemporaryFiles(cache);
    });
    it('gzip of a truncated tar: decompressed copy removed after the tar error', async () => {
      const path = join(work, 'truncated.tar.gz');
      execSync(`head -c 100000 '${join(fixtureArchives(), 'multiarch-amd64.docker.tar')}' | gzip -c > '${path}'`);
      await assertUserError(open(path), 'truncated tar archive');
      assertNoTemporaryFiles(cache);
    });
  });
});
