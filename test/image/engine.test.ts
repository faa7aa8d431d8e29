// local:// against a real Docker-compatible engine: podman's API service on an isolated store, set up
// exactly as ../shared/notes/podman.md describes (vfs storage, file events, cgroupfs).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { engineHasImage, openEngineImage } from '../../src/image/engine/docker-engine.ts';
import { fixtureArchives } from '../helpers/fixtures.ts';
import { assertNoTemporaryFiles, assertSameImageAsFixture, assertUserError, expectedImage, layerSha256 } from './local-helpers.ts';

/** make-archives.sh tags the docker tars `fixtures/<image>:latest`, which skopeo writes fully qualified. */
const NAME = 'docker.io/fixtures/app-bookworm:latest';

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ socketPath, path: '/_ping' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    req.on('error', () => resolve(false));
  });
}

describe('local:// through the Docker Engine API (podman system service)', () => {
  let root: string;
  let cache: string;
  let socket: string;
  let service: ChildProcess | undefined;
  const podman = () => [
    '--root', join(root, 'root'), '--runroot', join(root, 'run'), '--tmpdir', join(root, 'tmp'),
    '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs',
  ];
  const open = (ref: string, dockerHost = `unix://${socket}`) =>
    openEngineImage(ref, { input: `local://${ref}`, cacheDir: cache, dockerHost });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'spyglass-podman-'));
    cache = mkdtempSync(join(tmpdir(), 'spyglass-engine-cache-'));
    socket = join(root, 'api.sock');
    const loaded = spawnSync('podman', [...podman(), 'load', '-i', join(fixtureArchives(), 'app-bookworm.docker.tar')], { encoding: 'utf8' });
    assert.equal(loaded.status, 0, `podman load failed: ${loaded.stderr}`);
    service = spawn('podman', [...podman(), 'system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!(await ping(socket))) {
      if (Date.now() > deadline) throw new Error('podman system service did not answer /_ping within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
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
