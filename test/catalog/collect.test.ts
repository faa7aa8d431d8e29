// catalogAndCollect: files a collector wants (OpenVEX's `*.vex.json`) come back whole beside the Sbom,
// from the same walk over the layers: on a small real image (an `fs://` directory holding a go-vex
// document), and on the app-bullseye fixture, where only the files that survive the later layers'
// whiteouts come back, from the layer that last wrote them (the fixture README's /app/config case,
// compared with the umoci-unpacked rootfs).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cataloger } from '../../src/catalog/cataloger.ts';
import type { FileCollector } from '../../src/catalog/collect.ts';
import { catalogAndCollect, catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import type { Image } from '../../src/image/model.ts';
import { VEX_FILE_COLLECTOR, vexDocumentsFromImage } from '../../src/match/vex.ts';
import { FIXTURE_OCI, SHARED, expectedImage, fixtureArchives } from '../helpers/fixtures.ts';

const GO_VEX_DOCUMENT = join(SHARED, 'data/specs/openvex/go-vex-testdata/vex__v0.2.0.json');

/** One package per package.json, enough to see that the Sbom is the same with and without collecting. */
const packageJson: Cataloger = {
  id: 'test-package-json', version: 1, wants: (path) => path.endsWith('/package.json'),
  parse: (file) => {
    const json = JSON.parse(file.content.toString('utf8')) as { name: string; version: string };
    return { packages: [{ type: 'npm', name: json.name, version: json.version }] };
  },
};

describe('collecting files while cataloguing', () => {
  let cache: string;
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-collect-'));
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('hands back the *.vex.json files of an fs:// image beside an unchanged Sbom', async () => {
    const root = join(cache, 'rootfs');
    mkdirSync(join(root, 'app/node_modules/qs'), { recursive: true });
    mkdirSync(join(root, 'usr/share/vex'), { recursive: true });
    writeFileSync(join(root, 'app/node_modules/qs/package.json'), JSON.stringify({ name: 'qs', version: '6.7.0' }));
    const vexText = readFileSync(GO_VEX_DOCUMENT, 'utf8');
    writeFileSync(join(root, 'usr/share/vex/alpine.vex.json'), vexText);
    writeFileSync(join(root, 'app/settings.json'), '{}');
    writeFileSync(join(root, 'app/vex.json.bak'), vexText);
    const image = await openImage(`fs://${root}`, { cacheDir: cache });
    try {
      const plain = await catalogImage(image, { catalogers: [packageJson] });
      const { sbom, collected, uncollected } = await catalogAndCollect(image, { catalogers: [packageJson], collect: VEX_FILE_COLLECTOR });
      assert.deepEqual({ ...sbom, createdAt: '' }, { ...plain, createdAt: '' });
      assert.deepEqual(sbom.catalogers, ['test-package-json@1']);
      assert.deepEqual(collected, [{ path: '/usr/share/vex/alpine.vex.json', layerDiffId: image.layers[0]!.diffId, text: vexText }]);
      assert.deepEqual(uncollected, []);
      const { documents, warnings } = vexDocumentsFromImage(collected);
      assert.deepEqual(warnings, []);
      assert.equal(documents[0]!.origin, 'image:/usr/share/vex/alpine.vex.json');
      assert.equal(documents[0]!.statements.length, (JSON.parse(vexText) as { statements: unknown[] }).statements.length);
    } finally {
      await image.close();
    }
  });

  it('reports a wanted file over the collector\'s cap as uncollected, not as an Sbom unknown', async () => {
    const root = join(cache, 'capped');
    mkdirSync(root);
    writeFileSync(join(root, 'big.vex.json'), readFileSync(GO_VEX_DOCUMENT));
    const image = await openImage(`fs://${root}`, { cacheDir: cache });
    try {
      const tiny: FileCollector = { ...VEX_FILE_COLLECTOR, maxFileBytes: 100 };
      const { sbom, collected, uncollected } = await catalogAndCollect(image, { catalogers: [packageJson], collect: tiny });
      assert.deepEqual(collected, []);
      assert.deepEqual(sbom.unknowns, []);
      const size = readFileSync(GO_VEX_DOCUMENT).length;
      assert.deepEqual(uncollected, [{ path: '/big.vex.json', layerDiffId: image.layers[0]!.diffId, cataloger: 'collect:openvex-files', reason: `${size} bytes, over the 100 byte cap of collect:openvex-files` }]);
    } finally {
      await image.close();
    }
  });

  describe('on the app-bullseye fixture', () => {
    let image: Image;
    const layers = expectedImage('app-bullseye').layers;
    const config: FileCollector = { id: 'app-config', version: 1, wants: (path) => path.startsWith('/app/config/'), maxFileBytes: 1024 * 1024 };
    before(async () => {
      image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir: cache, ref: 'app-bullseye' });
    });
    after(() => image.close());

    it('collects only the files that survive whiteouts, from the layer that last wrote them', async () => {
      const { collected } = await catalogAndCollect(image, { catalogers: [], collect: config });
      const rootfs = join(fixtureArchives(), 'app-bullseye.rootfs');
      assert.deepEqual(collected, [{ path: '/app/config/production.json', layerDiffId: layers[3]!.diffId, text: readFileSync(join(rootfs, 'app/config/production.json'), 'utf8') }]);
    });

    it('caches collected files per layer under a key of their own', async () => {
      const first = await catalogAndCollect(image, { catalogers: [packageJson], collect: config, cacheDir: cache });
      const unreadable: Image = { ...image, layers: image.layers.map((entry) => ({ ...entry, open: () => Promise.reject(new Error('read a layer')) })) };
      const second = await catalogAndCollect(unreadable, { catalogers: [packageJson], collect: config, cacheDir: cache });
      assert.deepEqual(second.collected, first.collected);
      assert.deepEqual(second.sbom.packages, first.sbom.packages);
      // The same catalogers without the collector, or with another version of it, are other cache entries.
      await assert.rejects(catalogImage(unreadable, { catalogers: [packageJson], cacheDir: cache }), /read a layer/);
      await assert.rejects(catalogAndCollect(unreadable, { catalogers: [packageJson], collect: { ...config, version: 2 }, cacheDir: cache }), /read a layer/);
    });
  });
});
