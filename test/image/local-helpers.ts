// Shared by the local-source tests: expected values read from the fixture manifests and from the
// archives themselves with GNU tar / sha256 (independent of Spyglass's readers).
import assert from 'node:assert/strict';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpyglassError } from '../../src/core/errors.ts';
import type { Image } from '../../src/image/model.ts';
import type { ExpectedImage } from '../helpers/fixtures.ts';

export { expectedImage, type ExpectedImage } from '../helpers/fixtures.ts';

/** One member of a tar, extracted by GNU tar. */
export function tarMember(archive: string, member: string): Buffer {
  return execFileSync('tar', ['-xOf', archive, member], { maxBuffer: 256 << 20 });
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function platformText(image: Image): string {
  return [image.platform.os, image.platform.architecture, image.platform.variant].filter(Boolean).join('/');
}

/** Reads a layer to its end (the source verifies it against its digest) and returns the bytes' sha256. */
export async function layerSha256(image: Image, index: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await image.layers[index]!.open()) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** The image matches its fixture manifest in everything a registry-less `docker save` keeps. */
export function assertSameImageAsFixture(image: Image, expected: ExpectedImage): void {
  assert.equal(image.configDigest, expected.configDigest);
  assert.equal(platformText(image), expected.platform);
  assert.deepEqual(image.layers.map((layer) => layer.diffId), expected.layers.map((layer) => layer.diffId));
  assert.deepEqual(image.layers.map((layer) => layer.history?.createdBy), expected.layers.map((layer) => layer.createdBy));
}

/** Asserts a one-line SpyglassError, exit code 1, whose message contains every fragment. */
export async function assertUserError(promise: Promise<unknown>, ...fragments: string[]): Promise<SpyglassError> {
  const caught = await rejectsWithMessage(promise, /./);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `"${caught.message}" should contain "${fragment}"`);
  return caught;
}

/** Nothing left behind in `<cacheDir>/tmp`. */
export function assertNoTemporaryFiles(cacheDir: string): void {
  const dir = join(cacheDir, 'tmp');
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
}
