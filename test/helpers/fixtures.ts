import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The project root and the read-only shared material beside it. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const SHARED = resolve(PROJECT_ROOT, '../shared');
export const FIXTURE_OCI = join(SHARED, 'fixtures/images/oci');
export const FIXTURE_MANIFESTS = join(SHARED, 'fixtures/manifests');
export const DATA_IMAGES = join(SHARED, 'data/images');

/**
 * The archives make-archives.sh derives from the fixture OCI layout (`<image>.oci.tar`,
 * `<image>.docker.tar`, `app-bullseye.rootfs/`). scripts/run-tests.mjs makes them once per run;
 * a test file run on its own makes them once in the temporary directory.
 */
export function fixtureArchives(): string {
  const fromRunner = process.env.SPYGLASS_FIXTURE_ARCHIVES;
  if (fromRunner) return fromRunner;
  const dir = join(tmpdir(), `spyglass-fixture-archives-${process.getuid?.() ?? 0}`);
  if (!existsSync(join(dir, 'app-bookworm.oci.tar'))) {
    mkdirSync(dir, { recursive: true });
    const made = spawnSync('bash', [join(SHARED, 'fixtures/images/make-archives.sh'), dir], { stdio: 'ignore' });
    if (made.status !== 0) throw new Error('make-archives.sh failed: the tests need skopeo, umoci and jq');
  }
  return dir;
}

/** A fixture image as ../shared/fixtures/manifests/<image>.json describes it (computed with skopeo and umoci). */
export interface ExpectedImage {
  image: string;
  platform: string;
  manifestDigest: string;
  configDigest: string;
  annotations: Record<string, string>;
  layers: { digest: string; diffId: string; size: number; createdBy: string }[];
}

export function expectedImage(name: string): ExpectedImage {
  return JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${name}.json`), 'utf8')) as ExpectedImage;
}
