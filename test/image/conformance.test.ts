// One conformance suite that every image source passes: the same image read from a docker-save
// archive, an OCI archive, an OCI layout directory, a real registry and a real engine (podman) gives the
// same config digest, diff_ids, history and file tree. ExpectedImage identities come from the fixture
// manifests (computed with skopeo and umoci), not from Spyglass.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatPlatform } from '../../src/core/platform.ts';
import { openImage } from '../../src/image/open.ts';
import type { Image, OpenImageOptions } from '../../src/image/model.ts';
import { buildFileTree } from '../../src/layerfs/index.ts';
import { FIXTURE_OCI, fixtureArchives, expectedImage } from '../helpers/fixtures.ts';
import { startPodmanEngine, type PodmanEngine } from '../helpers/podman.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';


/** Everything a file tree says about each path, one line per path, in path order. */
async function treeListing(image: Image): Promise<string[]> {
  const tree = await buildFileTree(image, { wants: (path) => path === '/var/lib/dpkg/status' });
  const lines: string[] = [];
  for (const { path, node } of tree.walk()) {
    lines.push([path, node.type, node.mode.toString(8), node.uid, node.gid, node.type === 'file' ? node.size : '', node.linkname, node.layer.diffId].join(' '));
  }
  lines.push(`status ${tree.readFile('/var/lib/dpkg/status')?.length}`);
  return lines.sort();
}

describe('every image source reads the same image the same way', () => {
  let registry: TestRegistry;
  let engine: PodmanEngine;
  let cache: string;
  let archives: string;
  const options = (extra: Partial<OpenImageOptions> = {}): OpenImageOptions => ({ cacheDir: cache, dockerHost: engine.dockerHost, ...extra });

  before(async () => {
    archives = fixtureArchives();
    cache = mkdtempSync(join(tmpdir(), 'spyglass-conformance-'));
    registry = await startRegistry();
    engine = await startPodmanEngine([join(archives, 'app-bookworm.docker.tar')]);
    await pushFixture(registry, 'app-bookworm', 'fixtures/app-bookworm:latest');
    await pushFixture(registry, 'multiarch', 'fixtures/multiarch:latest', { all: true });
  });
  after(async () => {
    await Promise.all([registry?.stop(), engine?.stop()]);
    rmSync(cache, { recursive: true, force: true });
  });

  const inputs = () => [
    `archive://${join(archives, 'app-bookworm.docker.tar')}`,
    `oci-archive://${join(archives, 'app-bookworm.oci.tar')}`,
    `oci-dir://${FIXTURE_OCI}`,
    `registry://${registry.host}/fixtures/app-bookworm:latest`,
    'local://docker.io/fixtures/app-bookworm:latest',
  ];

  it('app-bookworm: config digest, diff_ids, history and the whole file tree agree across five sources', async () => {
    const want = expectedImage('app-bookworm');
    let reference: string[] | undefined;
    for (const input of inputs()) {
      const image = await openImage(input, options({ ref: input.startsWith('oci-dir://') ? 'app-bookworm' : undefined }));
      try {
        assert.equal(image.configDigest, want.configDigest, input);
        assert.equal(formatPlatform(image.platform), want.platform, input);
        assert.deepEqual(image.layers.map((layer) => layer.diffId), want.layers.map((layer) => layer.diffId), input);
        assert.deepEqual(image.layers.map((layer) => layer.history?.createdBy), want.layers.map((layer) => layer.createdBy), input);
        const listing = await treeListing(image);
        if (reference === undefined) reference = listing;
        else assert.deepEqual(listing, reference, `${input}: file tree differs from ${inputs()[0]}`);
      } finally {
        await image.close();
      }
    }
    assert.ok(reference && reference.length > 1000, 'the tree has the whole Debian system in it');
  });

  it('a bare reference is the engine\'s image when the engine has it, else the registry\'s', async () => {
    const local = await openImage('docker.io/fixtures/app-bookworm:latest', options());
    const remote = await openImage(`${registry.host}/fixtures/app-bookworm:latest`, options());
    try {
      assert.equal(local.source, 'local');
      assert.equal(remote.source, 'registry');
      assert.equal(local.configDigest, remote.configDigest);
    } finally {
      await Promise.all([local.close(), remote.close()]);
    }
  });

  for (const [platform, name] of [['linux/amd64', 'multiarch-amd64'], ['linux/arm64/v8', 'multiarch-arm64']] as const) {
    it(`multiarch ${platform}: the registry and the OCI layout pick the same image from the index`, async () => {
      const want = expectedImage(name);
      const fromRegistry = await openImage(`registry://${registry.host}/fixtures/multiarch:latest`, options({ platform: { os: 'linux', architecture: platform.split('/')[1]!, variant: platform.split('/')[2] } }));
      const fromLayout = await openImage(`oci-dir://${FIXTURE_OCI}`, options({ ref: 'multiarch', platform: { os: 'linux', architecture: platform.split('/')[1]!, variant: platform.split('/')[2] } }));
      try {
        for (const image of [fromRegistry, fromLayout]) {
          assert.equal(image.configDigest, want.configDigest);
          assert.equal(formatPlatform(image.platform), want.platform);
          assert.equal(image.platforms.length, 2);
        }
        assert.equal(fromRegistry.indexDigest, fromLayout.indexDigest);
        assert.deepEqual(await treeListing(fromRegistry), await treeListing(fromLayout));
      } finally {
        await Promise.all([fromRegistry.close(), fromLayout.close()]);
      }
    });
  }
});
