// A minimal Sbom around given packages, for tests and benchmarks that feed the matcher or the catalog
// hand-made input.
import type { Distro, Package } from '../../src/core/package.ts';
import type { Sbom, SbomSource } from '../../src/core/sbom.ts';

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
