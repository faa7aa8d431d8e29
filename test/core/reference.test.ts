// Expected normalisations are those of github.com/distribution/reference (ParseNormalizedNamed and
// its normalize_test.go cases), which the Docker CLI and docker scout use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpyglassError } from '../../src/core/errors.ts';
import { familiarImageRef, formatImageRef, parseImageRef } from '../../src/core/reference.ts';
import { parsePlatform, platformMatches } from '../../src/core/platform.ts';

const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('image references', () => {
  const cases: [string, string][] = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu:latest'],
    ['docker.io/library/ubuntu', 'docker.io/library/ubuntu:latest'],
    ['index.docker.io/ubuntu', 'docker.io/library/ubuntu:latest'],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest'],
    ['dmcgowan/myapp/mirror:v1', 'docker.io/dmcgowan/myapp/mirror:v1'],
    ['localhost/myapp', 'localhost/myapp:latest'],
    ['localhost:5000/myapp:1', 'localhost:5000/myapp:1'],
    ['127.0.0.1:5000/demo/app:v1', '127.0.0.1:5000/demo/app:v1'],
    ['[::1]:5000/demo/app', '[::1]:5000/demo/app:latest'],
    ['gcr.io/distroless/static-debian12:nonroot', 'gcr.io/distroless/static-debian12:nonroot'],
    [`alpine@${DIGEST}`, `docker.io/library/alpine@${DIGEST}`],
    [`ghcr.io/org/app:1.2@${DIGEST}`, `ghcr.io/org/app:1.2@${DIGEST}`],
    ['my_registry-1/a__b/c-d.e', 'docker.io/my_registry-1/a__b/c-d.e:latest'],
  ];
  for (const [input, normalised] of cases) {
    it(`${input} → ${normalised}`, () => assert.equal(formatImageRef(parseImageRef(input)), normalised));
  }

  it('shows Docker Hub images in their familiar form', () => {
    assert.equal(familiarImageRef(parseImageRef('docker.io/library/alpine')), 'alpine:latest');
    assert.equal(familiarImageRef(parseImageRef('dmcgowan/myapp:2')), 'dmcgowan/myapp:2');
    assert.equal(familiarImageRef(parseImageRef('gcr.io/a/b:1')), 'gcr.io/a/b:1');
  });

  for (const bad of ['', 'UPPER', 'example.com/Upper/case', 'alpine:bad tag', 'alpine@sha256:123', 'a//b', 'alpine:', '-leading/dash', ' alpine']) {
    it(`rejects ${JSON.stringify(bad)} with a message naming it`, () => {
      assert.throws(() => parseImageRef(bad), (error: unknown) =>
        error instanceof SpyglassError && error.exitCode === 1 && error.message.startsWith(`invalid image reference "${bad}"`));
    });
  }
});

describe('platforms', () => {
  it('parses os/arch[/variant] and rejects anything else', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    for (const bad of ['linux', 'linux/', 'a/b/c/d', '/amd64']) assert.throws(() => parsePlatform(bad), SpyglassError);
  });

  it('matches as containerd does: arm64 is v8 when the variant is left out', () => {
    assert.ok(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }));
    assert.ok(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }));
    assert.ok(!platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
    assert.ok(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm' }));
    assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' }));
  });
});
