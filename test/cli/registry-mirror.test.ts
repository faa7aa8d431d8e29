// registryMirrors in the config file: an image of a mirrored registry is pulled from the mirror (a
// real registry here), keeps its own name, and a registry with no mirror is reached as before.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mirroredRef } from '../../src/image/registry/source.ts';
import { expectedImage } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { CLEAN_ENV, runInProcess, temporaryDir } from './config-helpers.ts';

describe('registry mirrors from the config file', () => {
  let registry: TestRegistry;
  let tmp: ReturnType<typeof temporaryDir>;
  let file: string;

  before(async () => {
    registry = await startRegistry();
    await pushFixture(registry, 'app-bookworm', 'team/app:1');
    tmp = temporaryDir('spyglass-mirror-');
    file = join(tmp.dir, 'spyglass', 'config.yaml');
    mkdirSync(join(file, '..'));
  });
  after(async () => {
    await registry.stop();
    tmp.remove();
  });

  const inspect = (ref: string) => runInProcess(['--cache-dir', join(tmp.dir, 'cache'), 'inspect', ref, '--format', 'json'], { ...CLEAN_ENV, SPYGLASS_CONFIG: file });

  it('registry.invalid/team/app:1 comes from the mirror, under its own name', async () => {
    writeFileSync(file, `registryMirrors:\n  registry.invalid: ${registry.host}\n`);
    const result = await inspect('registry://registry.invalid/team/app:1');
    assert.equal(result.status, 0, result.stderr);
    const image = JSON.parse(result.stdout) as { configDigest: string; manifestDigest: string; names: string[] };
    const expected = expectedImage('app-bookworm');
    assert.deepEqual([image.configDigest, image.manifestDigest, image.names], [expected.configDigest, expected.manifestDigest, ['registry.invalid/team/app:1']]);
    assert.ok(registry.accessLog().some((line) => line.includes('GET /v2/team/app/manifests/1')), 'the mirror served the manifest');
  });

  it('without a mirror the registry itself is asked (and registry.invalid does not exist)', async () => {
    writeFileSync(file, 'registryMirrors:\n  other.invalid: 127.0.0.1:9\n');
    const result = await inspect('registry://registry.invalid/team/app:1');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^spyglass: registry:\/\/registry\.invalid\/team\/app:1: /);
  });

  it('Docker Hub is docker.io whichever of its names the file uses', () => {
    const hub = { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' };
    assert.deepEqual(mirroredRef(hub, { 'registry-1.docker.io': 'mirror.example.com' }), { ...hub, registry: 'mirror.example.com' });
    assert.deepEqual(mirroredRef(hub, { 'index.docker.io': 'mirror.example.com' }), { ...hub, registry: 'mirror.example.com' });
    assert.deepEqual(mirroredRef(hub, { 'ghcr.io': 'mirror.example.com' }), hub);
  });
});
