// Attribution of packages to the base image or to the image's own layers. app-bullseye's debs are all
// listed in a /var/lib/dpkg/status that its apt-get layer rewrote, so only the layer that first listed
// each one (the fixture manifest's introducedLayerDiffId, computed from the layer tars) tells the base's
// 96 from the 12 that apt-get added.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attributeToBase, filterByBase } from '../../src/baseimage/attribute.ts';
import { detectBase } from '../../src/baseimage/detect.ts';
import type { BaseDetection } from '../../src/baseimage/model.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { Package } from '../../src/core/package.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { SpyglassError } from '../../src/core/errors.ts';
import { openImage } from '../../src/image/open.ts';
import { fixtureRecord, InMemoryBaseImageCatalog } from '../helpers/base-catalog.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';

interface ManifestPackage {
  type: string;
  name: string;
  version: string;
  layerDiffId: string;
  introducedLayerDiffId?: string;
}

const manifest = expectedImage('app-bullseye') as ReturnType<typeof expectedImage> & { packages: ManifestPackage[] };

describe('attribution of app-bullseye\'s packages', () => {
  let cache: string;
  let sbom: Sbom;
  let base: BaseDetection;
  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-attribute-'));
    const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir: cache, ref: 'app-bullseye' });
    try {
      sbom = await catalogImage(image, { cacheDir: cache });
    } finally {
      await image.close();
    }
    const catalog = new InMemoryBaseImageCatalog([fixtureRecord('debian-bullseye-base', { repository: 'docker.io/library/debian', tag: 'bullseye-slim' })]);
    const outcome = await detectBase({ source: sbom.source }, catalog);
    assert.ok(outcome.base);
    base = outcome.base;
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('the base\'s debs are the ones the base layer introduced, though the apt-get layer last wrote their status file', () => {
    assert.equal(base.baseLayers, 1);
    const baseLayer = manifest.layers[0]!.diffId;
    const key = (pkg: { type: string; name: string; version: string }) => `${pkg.type === 'python' ? 'pypi' : pkg.type}:${pkg.name}@${pkg.version}`;
    const expectedBase = manifest.packages.filter((pkg) => pkg.introducedLayerDiffId === baseLayer).map(key).sort();
    assert.equal(expectedBase.length, 96);
    assert.ok(manifest.packages.filter((pkg) => pkg.type === 'deb').every((pkg) => pkg.layerDiffId === manifest.layers[1]!.diffId));

    const fromBase = attributeToBase(sbom, base);
    const byId = new Map(sbom.packages.map((pkg) => [pkg.id, pkg]));
    assert.deepEqual([...fromBase].map((id) => key(byId.get(id)!)).sort(), expectedBase);
    const own = sbom.packages.filter((pkg) => !fromBase.has(pkg.id)).map(key).sort();
    assert.deepEqual(own, manifest.packages.filter((pkg) => pkg.introducedLayerDiffId !== baseLayer).map(key).sort());
    assert.ok(own.includes('deb:curl@7.74.0-1.3+deb11u16'));
  });
});

describe('attributeToBase', () => {
  const layer = (n: number) => `sha256:${String(n).repeat(64)}` as Digest;
  const pkg = (id: string, locationLayer: Digest, introduced?: Digest): Package => ({
    id, type: 'deb', name: id, version: '1', purl: `pkg:deb/debian/${id}@1`, licenses: [],
    locations: [{ path: '/var/lib/dpkg/status', layerDiffId: locationLayer }],
    ...(introduced !== undefined ? { introducedLayerDiffId: introduced } : {}),
  });
  const sbom: Pick<Sbom, 'source' | 'packages'> = {
    source: { input: 'test', names: [], layers: [1, 2, 3].map((n) => ({ digest: layer(n + 4), diffId: layer(n), size: 1 })) },
    packages: [
      pkg('introduced-in-base', layer(3), layer(1)),
      pkg('introduced-in-second', layer(3), layer(2)),
      pkg('introduced-on-top', layer(3), layer(3)),
      pkg('located-in-base', layer(1)),
      pkg('located-on-top', layer(3)),
      pkg('located-nowhere', layer(7)),
    ],
  };
  const detection = (baseLayers?: number): BaseDetection => ({
    method: 'layers', name: 'debian:bookworm-slim', ref: { repository: 'docker.io/library/debian', tag: 'bookworm-slim' }, evidence: [], candidates: [],
    ...(baseLayers !== undefined ? { baseLayers } : {}),
  });

  it('uses the introducing layer, else the first location\'s; a package in no known layer is the image\'s own', () => {
    assert.deepEqual([...attributeToBase(sbom, detection(1))].sort(), ['introduced-in-base', 'located-in-base']);
    assert.deepEqual([...attributeToBase(sbom, detection(2))].sort(), ['introduced-in-base', 'introduced-in-second', 'located-in-base']);
  });

  it('a base whose layer count is unknown cannot attribute', () => {
    assert.throws(() => attributeToBase(sbom, detection()), (error: unknown) => error instanceof SpyglassError
      && error.message === 'base image debian:bookworm-slim (from layers): how many of the image\'s layers are its is unknown; add it to the catalog with `spyglass base-images add`');
  });

  it('filterByBase keeps the findings of one side', () => {
    const findings = ['introduced-in-base', 'introduced-on-top', 'located-in-base'].map((packageId) => ({ id: `CVE-${packageId}`, packageId }) as Finding);
    const fromBase = attributeToBase(sbom, detection(1));
    assert.deepEqual(filterByBase(findings, fromBase, 'only-base').map((finding) => finding.packageId), ['introduced-in-base', 'located-in-base']);
    assert.deepEqual(filterByBase(findings, fromBase, 'ignore-base').map((finding) => finding.packageId), ['introduced-on-top']);
  });
});
