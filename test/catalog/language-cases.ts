// Shared by the language cataloger tests: catalogue a fixture case's rootfs through the real engine
// (fs:// image, one layer) and compare with the case's EXPECTED.json, written by a reference tool.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cataloger } from '../../src/catalog/cataloger.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { openImage } from '../../src/image/open.ts';
import { FIXTURE_MANIFESTS, SHARED, fixtureArchives } from '../helpers/fixtures.ts';

export const LANGUAGE_FIXTURES = join(SHARED, 'data/fixtures');

export interface ExpectedPackage {
  name: string;
  version: string | null;
  purl: string;
  /** Relative to the case's rootfs; absent or null where the reference does not say. */
  file_path?: string | null;
}

export interface ExpectedCase {
  case: string;
  count: number;
  packages: ExpectedPackage[];
}

export function fixtureCases(kind: string): string[] {
  return readdirSync(join(LANGUAGE_FIXTURES, kind)).sort().map((name) => `${kind}/${name}`);
}

export function readExpected(caseName: string): ExpectedCase {
  return JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, caseName, 'EXPECTED.json'), 'utf8')) as ExpectedCase;
}

/** The case's rootfs as a one-layer image, catalogued by `catalogers` only. */
export async function catalogCase(caseName: string, catalogers: readonly Cataloger[]): Promise<Sbom> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-lang-'));
  const image = await openImage(`fs://${join(LANGUAGE_FIXTURES, caseName, 'rootfs')}`, { cacheDir });
  try {
    return await catalogImage(image, { catalogers });
  } finally {
    await image.close();
  }
}

/** A fixture image's docker-save archive, catalogued by `catalogers` only, with the per-layer cache in `cacheDir`. */
export async function catalogFixtureImage(name: string, catalogers: readonly Cataloger[], cacheDir: string): Promise<Sbom> {
  const image = await openImage(`archive://${join(fixtureArchives(), `${name}.docker.tar`)}`, { cacheDir });
  try {
    return await catalogImage(image, { catalogers });
  } finally {
    await image.close();
  }
}

/** The fields the fixture manifests give for a language package, as `name version purl path layer [root]` lines. */
export function manifestLines(name: string, type: string): string[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${name}.json`), 'utf8')) as {
    packages: { type: string; name: string; version: string; purl: string; path: string; layerDiffId: string; root?: boolean }[];
  };
  return manifest.packages.filter((pkg) => pkg.type === type)
    .map((pkg) => `${pkg.name} ${pkg.version} ${pkg.purl} ${pkg.path} ${pkg.layerDiffId}${pkg.root ? ' root' : ''}`).sort();
}

export function sbomLines(sbom: Sbom, type: string): string[] {
  return sbom.packages.filter((pkg) => pkg.type === type)
    .map((pkg) => `${pkg.name} ${pkg.version} ${pkg.purl} ${pkg.locations[0]!.path} ${pkg.locations[0]!.layerDiffId}${pkg.root ? ' root' : ''}`).sort();
}

const key = (name: string, version: string | null, purl: string) => `${name}@${version ?? ''} ${purl}`;

/**
 * Our packages against the reference list, as distinct name@version purl entries (trivy reports a
 * name@version once even when several metadata files declare it; we report every file), and each
 * reference path among the paths we report for that package. `notInReference` lists packages the
 * reference is known to leave out (each with its reason in the caller).
 */
export function assertMatchesReference(sbom: Sbom, expected: ExpectedCase, notInReference: string[] = []): void {
  const ours = new Map<string, Set<string>>();
  for (const pkg of sbom.packages) {
    const id = key(pkg.name, pkg.version, pkg.purl);
    const paths = ours.get(id) ?? new Set<string>();
    paths.add(pkg.locations[0]!.path);
    ours.set(id, paths);
  }
  const reference = new Map(expected.packages.map((pkg) => [key(pkg.name, pkg.version, pkg.purl), pkg]));
  assert.equal(reference.size, expected.count, 'the reference lists distinct packages');
  assert.deepEqual([...ours.keys()].sort(), [...reference.keys(), ...notInReference].sort());
  for (const [id, pkg] of reference) {
    if (pkg.file_path) assert.ok(ours.get(id)!.has(`/${pkg.file_path}`), `${id} found at /${pkg.file_path}`);
  }
}
