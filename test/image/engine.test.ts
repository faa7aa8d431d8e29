// local:// against a real Docker-compatible engine: podman's API service (test/helpers/podman.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { engineHasImage, openEngineImage } from '../../src/image/engine/docker-engine.ts';
import { fixtureArchives } from '../helpers/fixtures.ts';
import { startPodmanEngine, type PodmanEngine } from '../helpers/podman.ts';
import { assertNoTemporaryFiles, assertSameImageAsFixture, assertUserError, expectedImage, layerSha256 } from './local-helpers.ts';

/** make-archives.sh tags the docker tars `fixtures/<image>:latest`, which skopeo writes fully qualified. */
const NAME = 'docker.io/fixtures/app-bookworm:latest';

describe('local:// through the Docker Engine API (podman system service)', () => {
  let engine: PodmanEngine;
  let root: string;
  let cache: string;
  let socket: string;
  const open = (ref: string, dockerHost = `unix://${socket}`) =>
    openEngineImage(ref, { input: `local://${ref}`, cacheDir: cache, dockerHost });

  before(async () => {
    engine = await startPodmanEngine([join(fixtureArchives(), 'app-bookworm.docker.tar')]);
    ({ root, socket } = engine);
    cache = mkdtempSync(join(tmpdir(), 'spyglass-engine-cache-'));
  });

  after(async () => {
    await engine.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('exports the image and reads it like the fixture manifest says', async () => {
    const image = await open(NAME);
    try {
      const expected = expectedImage('app-bookworm');
      assertSameImageAsFixture(image, expected);
      assert.equal(image.source, 'local');
      assert.equal(image.input, `local://${NAME}`);
      assert.ok(image.names.includes(NAME), `names ${image.names.join(', ')}`);
      assert.equal(await layerSha256(image, 3), expected.layers[3]!.diffId);
    } finally {
      await image.close();
    }
    assertNoTemporaryFiles(cache);
  });

  it('engineHasImage: true for a loaded image, false for an unknown one or without an engine', async () => {
    assert.equal(await engineHasImage(NAME, { dockerHost: `unix://${socket}` }), true);
    assert.equal(await engineHasImage('docker.io/fixtures/nope:1', { dockerHost: `unix://${socket}` }), false);
    assert.equal(await engineHasImage(NAME, { dockerHost: `unix://${join(root, 'absent.sock')}` }), false);
  });

  it('an unknown image is a one-line error and leaves nothing behind', async () => {
    await assertUserError(open('docker.io/fixtures/nope:1'), 'local://docker.io/fixtures/nope:1', 'not found in the local Docker engine');
    assertNoTemporaryFiles(cache);
  });

  it('a missing engine socket is a one-line error naming it', async () => {
    const absent = join(root, 'absent.sock');
    await assertUserError(open(NAME, `unix://${absent}`), `cannot reach the local Docker engine at unix://${absent}`, 'no such socket');
  });
});
