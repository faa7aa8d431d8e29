// Pulls the fixture images from a real registry (Debian's docker-registry) they were pushed to with skopeo.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePlatform, formatPlatform } from '../../src/core/platform.ts';
import type { Image } from '../../src/image/model.ts';
import { openRegistryImage } from '../../src/image/registry/source.ts';
import { BlobCache } from '../../src/image/cache/blob-cache.ts';
import { FIXTURE_OCI, expectedImage, type ExpectedImage } from '../helpers/fixtures.ts';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { parseImageRef } from '../../src/core/reference.ts';
import { sha256Digest, type Digest } from '../../src/core/digest.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';


/** The sha256 and length of everything a layer stream yields. */
async function drain(image: Image, index: number): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await image.layers[index]!.open()) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function assertMatches(image: Image, want: ExpectedImage): void {
  assert.equal(image.manifestDigest, want.manifestDigest);
  assert.equal(image.configDigest, want.configDigest);
  assert.equal(formatPlatform(image.platform), want.platform);
  assert.deepEqual(image.annotations, want.annotations);
  assert.deepEqual(
    image.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size, createdBy: layer.history?.createdBy })),
    want.layers,
  );
}

describe('registry source against a real registry (anonymous)', () => {
  let registry: TestRegistry;
  let work: string;
  let cacheDir: string;
  const open = (ref: string, extra: { platform?: string } = {}) => openRegistryImage(ref, {
    cacheDir, input: `registry://${ref}`, env: { HOME: work }, platform: extra.platform ? parsePlatform(extra.platform) : undefined,
  });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-registry-test-'));
    cacheDir = join(work, 'cache');
    registry = await startRegistry();
    await pushFixture(registry, 'app-bullseye', 'fixtures/app-bullseye:latest');
    await pushFixture(registry, 'multiarch', 'fixtures/multiarch:latest', { all: true });
  });
  after(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('opens app-bullseye by tag with the digests, layers and annotations of the fixture manifest', async () => {
    const want = expectedImage('app-bullseye');
    const image = await open(`${registry.host}/fixtures/app-bullseye:latest`);
    assertMatches(image, want);
    assert.equal(image.source, 'registry');
    assert.equal(image.input, `registry://${registry.host}/fixtures/app-bullseye:latest`);
    assert.deepEqual(image.names, [`${registry.host}/fixtures/app-bullseye:latest`]);
    assert.equal(image.annotations['org.opencontainers.image.base.name'], 'docker.io/library/debian:bullseye-slim');
    assert.equal(image.indexDigest, undefined);
  });

  it('opens by digest, streams every layer verified, and serves the second open from the cache', async () => {
    const want = expectedImage('app-bullseye');
    const ref = `${registry.host}/fixtures/app-bullseye@${want.manifestDigest}`;
    const progress: string[] = [];
    const image = await openRegistryImage(ref, {
      cacheDir, input: ref, env: { HOME: work },
      progress: {
        start: (id, _label, total) => progress.push(`start ${id} ${total}`),
        advance: () => undefined,
        done: (id) => progress.push(`done ${id}`),
      },
    });
    assertMatches(image, want);
    for (let i = 0; i < want.layers.length; i++) assert.deepEqual(await drain(image, i), { digest: want.layers[i]!.digest, size: want.layers[i]!.size });
    assert.deepEqual(progress, want.layers.flatMap((layer) => [`start ${layer.digest} ${layer.size}`, `done ${layer.digest}`]));

    const cache = new BlobCache(cacheDir);
    for (const layer of want.layers) assert.ok(await cache.has(layer.digest as `sha256:${string}`), `${layer.digest} cached`);
    assert.ok(await cache.has(want.configDigest as `sha256:${string}`));
    assert.deepEqual(readdirSync(join(cacheDir, 'tmp')), []);

    const blobGets = () => registry.accessLog().filter((line) => /"GET \/v2\/fixtures\/app-bullseye\/blobs\//.test(line)).length;
    const before = blobGets();
    assert.ok(before >= want.layers.length + 1, 'the first open downloaded config and layers');
    const again = await open(`${registry.host}/fixtures/app-bullseye:latest`);
    for (let i = 0; i < want.layers.length; i++) assert.equal((await drain(again, i)).digest, want.layers[i]!.digest);
    assert.equal(blobGets(), before, 'no blob was downloaded again');
  });

  it('picks linux/amd64 out of the multiarch index by default', async () => {
    const image = await open(`${registry.host}/fixtures/multiarch:latest`);
    assertMatches(image, expectedImage('multiarch-amd64'));
    assert.deepEqual(image.platforms.map(formatPlatform), ['linux/amd64', 'linux/arm64/v8']);
    assert.ok(image.indexDigest);
  });

  for (const platform of ['linux/arm64/v8', 'linux/arm64']) {
    it(`picks ${platform} out of the multiarch index`, async () => {
      const want = expectedImage('multiarch-arm64');
      const image = await open(`${registry.host}/fixtures/multiarch:latest`, { platform });
      assertMatches(image, want);
      assert.deepEqual(await drain(image, 0), { digest: want.layers[0]!.digest, size: want.layers[0]!.size });
    });
  }

  it('names the platforms the index has when the requested one is missing', async () => {
    await rejectsWithMessage(
      open(`${registry.host}/fixtures/multiarch:latest`, { platform: 'linux/s390x' }),
      `registry://${registry.host}/fixtures/multiarch:latest: platform linux/s390x is not in the image index (it has linux/amd64, linux/arm64/v8)`,
    );
  });

  it('says manifest unknown for a tag or a repository the registry does not have', async () => {
    await rejectsWithMessage(
      open(`${registry.host}/fixtures/app-bullseye:no-such-tag`),
      `registry://${registry.host}/fixtures/app-bullseye:no-such-tag: manifest unknown (not found in the registry)`,
    );
    await rejectsWithMessage(
      open(`${registry.host}/nothing/here:v1`),
      `registry://${registry.host}/nothing/here:v1: manifest unknown (not found in the registry)`,
    );
  });

  it('answers HEAD for manifests and blobs without downloading them', async () => {
    const want = expectedImage('app-bullseye');
    const client = new RegistryClient(parseImageRef(`${registry.host}/fixtures/app-bullseye:latest`));
    const index = JSON.parse(readFileSync(join(FIXTURE_OCI, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string; annotations: Record<string, string> }[] };
    const entry = index.manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === 'app-bullseye')!;
    assert.deepEqual(await client.headManifest('latest'), { mediaType: entry.mediaType, digest: want.manifestDigest, size: entry.size });
    assert.equal(await client.headManifest('missing'), undefined);
    assert.equal(await client.headBlob(want.layers[3]!.digest as Digest), want.layers[3]!.size);
    assert.equal(await client.headBlob(sha256Digest('not there')), undefined);
  });

  it('says clearly when nothing listens on the registry port', async () => {
    const closed = await import('node:net').then(({ createServer }) => new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    }));
    await rejectsWithMessage(
      open(`127.0.0.1:${closed}/fixtures/app:v1`),
      `registry://127.0.0.1:${closed}/fixtures/app:v1: cannot connect to 127.0.0.1:${closed} (connection refused)`,
    );
  });
});

describe('registry images pinned by digest', () => {
  it('open again from the cache alone once the registry is gone', async () => {
    const registry = await startRegistry();
    const work = mkdtempSync(join(tmpdir(), 'spyglass-pinned-'));
    const want = expectedImage('multiarch-arm64');
    const index = JSON.parse(readFileSync(join(FIXTURE_OCI, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const indexDigest = index.manifests.find((entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === 'multiarch')!.digest;
    const ref = `${registry.host}/fixtures/multiarch@${indexDigest}`;
    const open = () => openRegistryImage(ref, { cacheDir: work, input: `registry://${ref}`, env: { HOME: work }, platform: parsePlatform('linux/arm64') });
    try {
      await pushFixture(registry, 'multiarch', 'fixtures/multiarch:latest', { all: true });
      const online = await open();
      assert.equal(online.configDigest, want.configDigest);
      for (const layer of online.layers) await drain(online, layer.index);
      await registry.stop();
      const offline = await open();
      assert.equal(offline.indexDigest, indexDigest);
      assert.equal(offline.manifestDigest, want.manifestDigest);
      assert.equal(offline.configDigest, want.configDigest);
      assert.deepEqual(await drain(offline, 0), await drain(online, 0));
    } finally {
      await registry.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
