// A minimal Sbom around given packages, for tests and benchmarks that feed the matcher or the catalog
// hand-made input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import type { Distro, Package } from '../../src/core/package.ts';
import type { Sbom, SbomSource } from '../../src/core/sbom.ts';
import { FIXTURE_OCI } from './fixtures.ts';

export function minimalSbom(packages: Package[], options: { distro?: Distro; source?: Partial<SbomSource>; createdAt?: string } = {}): Sbom {
  return {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: 'test' },
    createdAt: options.createdAt ?? '2026-01-01T00:00:00Z',
    source: { input: 'test', names: [], layers: [], ...options.source },
    ...(options.distro ? { distro: options.distro } : {}),
    packages,
    relationships: [],
    unknowns: [],
    catalogers: [],
  };
}

/** The SBOM of one fixture image of the shared OCI layout (`ref`), catalogued with a throwaway blob cache. */
export async function fixtureImageSbom(ref: string): Promise<Sbom> {
  const cache = mkdtempSync(join(tmpdir(), 'spyglass-fixture-sbom-'));
  try {
    const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir: cache, ref });
    try {
      return await catalogImage(image);
    } finally {
      await image.close();
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
