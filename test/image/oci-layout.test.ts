import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOciArchiveImage, openOciDirImage } from '../../src/image/oci/layout.ts';
import type { Image } from '../../src/image/model.ts';
import { DATA_IMAGES, FIXTURE_OCI, fixtureArchives } from '../helpers/fixtures.ts';
import {
  assertNoTemporaryFiles, assertSameImageAsFixture, assertUserError, expectedImage, layerSha256, tarMember,
  type ExpectedImage,
} from './local-helpers.ts';

const TRIVY = join(DATA_IMAGES, 'trivy');
const STEREOSCOPE = join(DATA_IMAGES, 'stereoscope');

/** Everything an OCI layout keeps matches the fixture manifest: digests, sizes, annotations too. */
function assertExactly(image: Image, expected: ExpectedImage): void {
  assertSameImageAsFixture(image, expected);
  assert.equal(image.manifestDigest, expected.manifestDigest);
  assert.deepEqual(image.annotations, expected.annotations);
  assert.deepEqual(
    image.layers.map((layer) => [layer.digest, layer.size]),
    expected.layers.map((layer) => [layer.digest, layer.size]),
  );
}

interface IndexJson { manifests: { digest: string; annotations?: Record<string, string> }[] }

describe('oci-dir:// and oci-archive:// image layouts', () => {
  let cache: string;
  let work: string;
  const dir = (path: string, extra: { ref?: string; platform?: { os: string; architecture: string; variant?: string } } = {}) =>
    openOciDirImage(path, { input: `oci-dir://${path}`, cacheDir: cache, ...extra });
  const archive = (path: string, ref?: string) => openOciArchiveImage(path, { input: `oci-archive://${path}`, cacheDir: cache, ref });
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-oci-cache-'));
    work = mkdtempSync(join(tmpdir(), 'spyglass-oci-work-'));
  });
  after(() => {
    rmSync(cache, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const name of ['app-bullseye', 'app-bookworm', 'debian-bullseye-base', 'debian-bookworm-base', 'debian-bullseye-refreshed']) {
    it(`fixture layout --ref ${name}`, async () => {
      const image = await dir(FIXTURE_OCI, { ref: name });
      try {
        assertExactly(image, expectedImage(name));
        assert.deepEqual(image.names, [name]);
        assert.equal(image.source, 'oci-dir');
      } finally {
        await image.close();
      }
    });
  }

  it('fixture layout multiarch: linux/amd64 by default, linux/arm64 on request, index digest from index.json', async () => {
    const index = JSON.parse(readFileSync(join(FIXTURE_OCI, 'index.json'), 'utf8')) as IndexJson;
    const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'multiarch')!;
    const amd64 = await dir(FIXTURE_OCI, { ref: 'multiarch' });
    const arm64 = await dir(FIXTURE_OCI, { ref: 'multiarch', platform: { os: 'linux', architecture: 'arm64' } });
    try {
      assertExactly(amd64, expectedImage('multiarch-amd64'));
      assertExactly(arm64, expectedImage('multiarch-arm64'));
      assert.equal(amd64.indexDigest, entry.digest);
      assert.equal(amd64.platforms.length, 2);
      assert.equal(await layerSha256(arm64, 0), expectedImage('multiarch-arm64').layers[0]!.digest);
    } finally {
      await amd64.close();
      await arm64.close();
    }
  });

  it('fixture layout without --ref lists the ref names', async () => {
    await assertUserError(dir(FIXTURE_OCI), 'holds 6 images', '--ref', 'app-bullseye', 'multiarch');
    await assertUserError(dir(FIXTURE_OCI, { ref: 'nope' }), 'no image named "nope"', 'debian-bookworm-base');
  });

  for (const name of ['app-bullseye', 'app-bookworm']) {
    it(`${name}.oci.tar as oci-archive://`, async () => {
      const image = await archive(join(fixtureArchives(), `${name}.oci.tar`));
      try {
        assertExactly(image, expectedImage(name));
        assert.equal(image.source, 'oci-archive');
        assert.equal(await layerSha256(image, 3), expectedImage(name).layers[3]!.digest);
      } finally {
        await image.close();
      }
    });
  }

  it('stereoscope valid-oci.tar and multiplatform_oci_dir', async () => {
    const path = join(STEREOSCOPE, 'valid-oci.tar');
    const index = JSON.parse(tarMember(path, 'index.json').toString()) as IndexJson;
    const image = await archive(path);
    assert.equal(image.manifestDigest, index.manifests[0]!.digest);
    assert.deepEqual(image.names, ['sample:latest']);
    await image.close();
    const multi = join(STEREOSCOPE, 'multiplatform_oci_dir');
    const multiIndex = JSON.parse(readFileSync(join(multi, 'index.json'), 'utf8')) as IndexJson;
    const arm = await dir(multi, { platform: { os: 'linux', architecture: 'arm64' } });
    assert.equal(arm.indexDigest, multiIndex.manifests[0]!.digest);
    assert.equal(arm.platform.architecture, 'arm64');
    assert.ok(arm.names.includes('docker.io/library/multi-platform:latest'));
    await arm.close();
    // The containerd name also selects, in its short form.
    const byName = await dir(multi, { ref: 'multi-platform:latest' });
    assert.equal(byName.platform.architecture, 'amd64');
    await byName.close();
  });

  it('trivy layouts: plain, tagged, and every broken one with one line', async () => {
    const plain = await dir(join(TRIVY, 'test.oci'));
    assert.deepEqual(plain.names, []);
    await plain.close();
    const tagged = await dir(join(TRIVY, 'test_image_tag.oci'), { ref: '0.0.1' });
    assert.deepEqual(tagged.names, ['0.0.1']);
    await tagged.close();
    await assertUserError(dir(join(TRIVY, 'test_bad_index_json.oci')), 'test_bad_index_json.oci: index.json is not valid JSON');
    await assertUserError(dir(join(TRIVY, 'test_index_json_dir.oci')), 'test_index_json_dir.oci: index.json is a directory');
    await assertUserError(dir(join(TRIVY, 'test_no_valid_manifests.oci')), 'test_no_valid_manifests.oci: index.json lists no images');
    await assertUserError(dir(join(TRIVY, 'test_invalid_oci_image.oci')), 'blob sha256:bad744871f99', 'is missing from the image layout');
    await assertUserError(dir(join(STEREOSCOPE, 'no_manifests')), 'no_manifests: not an OCI image layout (no oci-layout file)');
    await assertUserError(dir(join(work, 'absent')), 'absent: no such directory');
  });

  it('rejects a schema 1 manifest with a clear message', async () => {
    await assertUserError(archive(join(DATA_IMAGES, 'constructed/schema1-manifest.oci.tar')), 'schema 1 manifests are not supported');
    assertNoTemporaryFiles(cache);
  });

  it('rejects a blob whose bytes do not match its digest', async () => {
    const copy = join(work, 'tampered.oci');
    cpSync(join(TRIVY, 'test.oci'), copy, { recursive: true });
    const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8')) as IndexJson;
    const manifestPath = join(copy, 'blobs/sha256', index.manifests[0]!.digest.slice(7));
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
    await assertUserError(dir(copy), 'does not match its digest');
  });
});
