// Catalog records and image sources made from the fixture manifests (../shared/fixtures/manifests,
// computed with skopeo and umoci), and a small in-memory BaseImageCatalog to hold them, for tests of
// what reads the catalog.
import type { Digest } from '../../src/core/digest.ts';
import type { SbomSource } from '../../src/core/sbom.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import type { BaseImageCatalog, CatalogImage, SeverityCounts } from '../../src/baseimage/model.ts';
import { samePlatform } from '../../src/baseimage/base-ref.ts';
import { expectedImage } from './fixtures.ts';

interface ManifestFacts {
  os: { id: string; versionId: string; codename: string };
  packageCounts: Record<string, number>;
}

/** A catalog record of a fixture image as `base-images add` would make it, under the given name. */
export function fixtureRecord(image: string, options: { repository: string; tag: string; indexedAt?: string; platform?: string }): CatalogImage {
  const expected = expectedImage(image) as ReturnType<typeof expectedImage> & ManifestFacts;
  return {
    repository: options.repository,
    tag: options.tag,
    platform: options.platform ?? expected.platform,
    digest: expected.manifestDigest as Digest,
    configDigest: expected.configDigest as Digest,
    diffIds: expected.layers.map((layer) => layer.diffId as Digest),
    size: expected.layers.reduce((sum, layer) => sum + layer.size, 0),
    os: expected.os,
    packageSummary: { deb: expected.packageCounts.deb ?? 0 },
    indexedAt: options.indexedAt ?? '2025-01-01T00:00:00.000Z',
  };
}

/** What an SBOM records of a fixture image (as image/source-summary.ts imageSource makes it from the image). */
export function fixtureSource(image: string): SbomSource {
  const expected = expectedImage(image);
  return {
    input: `oci-dir://fixtures/images/oci (${image})`,
    names: [image],
    configDigest: expected.configDigest as Digest,
    manifestDigest: expected.manifestDigest as Digest,
    platform: expected.platform,
    layers: expected.layers.map((layer) => ({ digest: layer.digest as Digest, diffId: layer.diffId as Digest, size: layer.size, createdBy: layer.createdBy })),
    annotations: expected.annotations,
  };
}

/** Every record kept (each digest a tag had); the newest record of a tag is the one put last. */
export class InMemoryBaseImageCatalog implements BaseImageCatalog {
  readonly #records: CatalogImage[] = [];
  readonly #sboms = new Map<string, Sbom>();

  constructor(records: CatalogImage[] = []) {
    for (const record of records) this.#records.push(record);
  }

  put(entry: CatalogImage, sbom: Sbom): void {
    this.remove(entry.repository, entry.tag, entry.digest);
    this.#records.push(entry);
    this.#sboms.set(entry.digest, sbom);
  }

  list(filter: { repository?: string; platform?: string } = {}): CatalogImage[] {
    const newest = new Map<string, CatalogImage>();
    for (const record of this.#records) {
      if (filter.repository !== undefined && record.repository !== filter.repository) continue;
      if (filter.platform !== undefined && !samePlatform(record.platform, filter.platform)) continue;
      newest.set(`${record.repository} ${record.tag} ${record.platform}`, record);
    }
    return [...newest.values()];
  }

  history(repository: string, tag: string, platform: string): CatalogImage[] {
    return this.#records.filter((record) => record.repository === repository && record.tag === tag && samePlatform(record.platform, platform)).reverse();
  }

  chainPrefixes(diffIds: readonly Digest[], platform?: string): CatalogImage[] {
    return this.#records
      .filter((record) => (platform === undefined || samePlatform(record.platform, platform))
        && record.diffIds.length > 0 && record.diffIds.length <= diffIds.length && record.diffIds.every((diffId, position) => diffIds[position] === diffId))
      .sort((a, b) => b.diffIds.length - a.diffIds.length);
  }

  byDigest(digest: Digest): CatalogImage[] {
    return this.#records.filter((record) => record.digest === digest);
  }

  sbom(digest: Digest): Sbom | undefined {
    return this.#sboms.get(digest);
  }

  setCounts(digest: Digest, counts: SeverityCounts, builtAt: string): void {
    for (const record of this.#records) if (record.digest === digest) Object.assign(record, { counts, countsBuiltAt: builtAt });
  }

  remove(repository: string, tag?: string, digest?: string): number {
    const before = this.#records.length;
    for (let position = this.#records.length - 1; position >= 0; position--) {
      const record = this.#records[position]!;
      if (record.repository === repository && (tag === undefined || record.tag === tag) && (digest === undefined || record.digest === digest)) this.#records.splice(position, 1);
    }
    return before - this.#records.length;
  }

  close(): void {}
}
