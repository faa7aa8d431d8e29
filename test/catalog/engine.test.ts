// The engine with small catalogers of the test's own, on the real app-bullseye fixture: which files
// survive the layers (whiteouts, opaque directories, hard links), per-layer caching, unknowns,
// introduced layers and ownership. Expected paths and layers come from the fixture README and manifest.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Cataloger } from '../../src/catalog/cataloger.ts';
import { openImage } from '../../src/image/open.ts';
import type { Image } from '../../src/image/model.ts';
import { FIXTURE_MANIFESTS, FIXTURE_OCI } from '../helpers/fixtures.ts';

const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, 'app-bullseye.json'), 'utf8')) as { layers: { diffId: string }[] };
const layer = (n: number) => manifest.layers[n]!.diffId;

/** One package per wanted file, named after the file. */
const perFile = (id: string, wants: (path: string) => boolean): Cataloger => ({
  id, version: 1, wants,
  parse: (file) => ({ packages: [{ type: 'npm', name: file.path.slice(file.path.lastIndexOf('/') + 1), version: String(file.content.length) }] }),
});

describe('catalog engine', () => {
  let cache: string;
  let image: Image;
  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-engine-'));
    image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir: cache, ref: 'app-bullseye' });
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('reports only files that survive whiteouts and opaque directories, from the layer that last wrote them', async () => {
    const config = perFile('config-files', (path) => path.startsWith('/app/config/') || path === '/app/node_modules/minimist/package.json');
    const sbom = await catalogImage(image, { catalogers: [config] });
    assert.deepEqual(sbom.packages.map((pkg) => [pkg.locations[0]!.path, pkg.locations[0]!.layerDiffId]), [['/app/config/production.json', layer(3)]]);
    assert.deepEqual(sbom.unknowns, []);
  });

  it('reads a hard link through its target, at the link\'s own path', async () => {
    const esbuild = perFile('esbuild-binaries', (path) => path.endsWith('/bin/esbuild'));
    const sbom = await catalogImage(image, { catalogers: [esbuild] });
    const found = sbom.packages.map((pkg) => [pkg.locations[0]!.path, pkg.version]);
    assert.equal(found.length, 2);
    assert.deepEqual(found.map(([path]) => path).sort(), ['/app/node_modules/@esbuild/linux-x64/bin/esbuild', '/app/node_modules/esbuild/bin/esbuild']);
    assert.equal(found[0]![1], found[1]![1], 'the same bytes behind both paths');
  });

  it('turns a parser error into an unknown with its path and layer, and keeps the rest', async () => {
    const failing: Cataloger = { id: 'always-fails', version: 1, wants: (path) => path === '/etc/debian_version', parse: () => { throw new Error('no thanks'); } };
    const config = perFile('config-files', (path) => path === '/app/config/production.json');
    const sbom = await catalogImage(image, { catalogers: [failing, config] });
    assert.deepEqual(sbom.unknowns, [{ path: '/etc/debian_version', layerDiffId: layer(0), cataloger: 'always-fails', reason: 'no thanks' }]);
    assert.equal(sbom.packages.length, 1);
  });

  it('records a wanted file larger than every cap as an unknown, without reading it', async () => {
    const tiny: Cataloger = { ...perFile('tiny-cap', (path) => path === '/usr/bin/dpkg'), maxFileBytes: 10 };
    const sbom = await catalogImage(image, { catalogers: [tiny] });
    assert.equal(sbom.packages.length, 0);
    assert.equal(sbom.unknowns.length, 1);
    assert.equal(sbom.unknowns[0]!.path, '/usr/bin/dpkg');
    assert.equal(sbom.unknowns[0]!.layerDiffId, layer(0));
    assert.match(sbom.unknowns[0]!.reason, /^\d{6,} bytes, over the 10 byte cap of tiny-cap$/);
  });

  it('marks the first layer that listed an OS package, and language packages whose files an OS package owns', async () => {
    const status: Cataloger = {
      id: 'fake-dpkg', version: 1, wants: (path) => path === '/var/lib/dpkg/status',
      parse: (file) => ({
        packages: [...file.content.toString('utf8').matchAll(/^Package: (.+)\nStatus: .*\n(?:.+\n)*?Version: (.+)$/gm)]
          .map((match) => ({ type: 'deb' as const, name: match[1]!, version: match[2]!, files: match[1] === 'curl' ? ['/app/config'] : undefined })),
      }),
    };
    const config = perFile('config-files', (path) => path === '/app/config/production.json');
    const sbom = await catalogImage(image, { catalogers: [status, config] });
    const adduser = sbom.packages.find((pkg) => pkg.name === 'adduser')!;
    assert.equal(adduser.locations[0]!.layerDiffId, layer(1), 'the apt-get layer rewrote the status file');
    assert.equal(adduser.introducedLayerDiffId, layer(0));
    assert.equal(sbom.packages.find((pkg) => pkg.name === 'curl')!.introducedLayerDiffId, layer(1));
    const production = sbom.packages.find((pkg) => pkg.name === 'production.json')!;
    assert.equal(production.ownedBy, sbom.packages.find((pkg) => pkg.name === 'curl')!.id);
    assert.ok(sbom.relationships.some((relation) => relation.kind === 'owns' && relation.to === production.id));
  });

  it('reuses per-layer results from the cache without reading any layer', async () => {
    const config = perFile('config-files', (path) => path.startsWith('/app/config/'));
    const first = await catalogImage(image, { catalogers: [config], cacheDir: cache });
    const unreadable: Image = { ...image, layers: image.layers.map((entry) => ({ ...entry, open: () => Promise.reject(new Error('read a layer')) })) };
    const second = await catalogImage(unreadable, { catalogers: [config], cacheDir: cache });
    assert.deepEqual(second.packages, first.packages);
    const bumped = { ...config, version: 2 };
    await assert.rejects(catalogImage(unreadable, { catalogers: [bumped], cacheDir: cache }), /read a layer/);
  });
});
