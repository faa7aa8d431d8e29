import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalogImage } from '../../src/catalog/engine.ts';
import { npmPackageCataloger, packageJsonRole } from '../../src/catalog/npm/package-json.ts';
import { CATALOGERS } from '../../src/catalog/registry.ts';
import { openImage } from '../../src/image/open.ts';
import {
  LANGUAGE_FIXTURES, assertMatchesReference, catalogCase, catalogFixtureImage, fixtureCases, manifestLines, readExpected, sbomLines,
} from './language-cases.ts';

const catalogers = [npmPackageCataloger];

describe('npm: installed package.json files', () => {
  for (const caseName of fixtureCases('node')) {
    it(`${caseName} gives exactly the reference's packages`, async () => {
      const sbom = await catalogCase(caseName, catalogers);
      assertMatchesReference(sbom, readExpected(caseName));
      assert.deepEqual(sbom.unknowns, []);
    });
  }

  it('keeps licences as the reference reads them, and legacy arrays as declared', async () => {
    const caseName = 'node/trivy-packagejson-variants';
    const sbom = await catalogCase(caseName, catalogers);
    const reference = JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, caseName, 'TRIVY-REFERENCE.json'), 'utf8')) as {
      packages: { name: string; licenses: string[] | null }[];
    };
    const licensesOf = (name: string) => sbom.packages.find((pkg) => pkg.name === name)!.licenses;
    for (const pkg of reference.packages) {
      if (pkg.licenses) assert.deepEqual(licensesOf(pkg.name), pkg.licenses, pkg.name);
    }
    // trivy drops licence arrays; the legacy `license: [{type}]` form declares each type.
    const legacy = JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, caseName, 'rootfs/app/node_modules/legacy_array_package/package.json'), 'utf8')) as {
      license: { type: string }[];
    };
    assert.deepEqual(licensesOf('tv4'), legacy.license.map((license) => license.type));
    assert.deepEqual(licensesOf('mixed-array-license'), ['MIT']);
    assert.deepEqual(licensesOf('null-license'), []);
    assert.deepEqual(licensesOf('empty-array-license'), []);
    assert.deepEqual(licensesOf('unknown-license-object'), []);
  });

  it('decides by path shape which package.json files are package manifests', () => {
    const cases: [string, string | undefined][] = [
      ['/app/node_modules/express/package.json', 'installed'],
      ['/app/node_modules/@esbuild/linux-x64/package.json', 'installed'],
      ['/app/node_modules/send/node_modules/ms/package.json', 'installed'],
      ['/app/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json', 'installed'],
      ['/app/node_modules/.pnpm/@types+node@20.1.0/node_modules/@types/node/package.json', 'installed'],
      ['/usr/lib/node_modules/npm/package.json', 'installed'],
      ['/usr/local/lib/node_modules/npm/node_modules/semver/package.json', 'installed'],
      ['/usr/share/nodejs/debug/package.json', 'installed'],
      ['/app/package.json', 'root'],
      ['/usr/src/app/package.json', 'root'],
      ['/app/node_modules/x/test/fixtures/package.json', undefined],
      ['/app/node_modules/x/lib/package.json', undefined],
      ['/app/node_modules/.bin/package.json', undefined],
      ['/app/node_modules/@scope/package.json', undefined],
      ['/app/node_modules/package.json', undefined],
      ['/usr/share/nodejs/debug/src/package.json', undefined],
      ['/usr/share/doc/foo/package.json', undefined],
      ['/usr/local/share/.cache/yarn/v6/npm-ms-2.1.3-abc/node_modules/ms/package.json', undefined],
      ['/root/.npm/_cacache/package.json', undefined],
      ['/app/.next/package.json', undefined],
      ['/app/node_modules/express/package.json.bak', undefined],
    ];
    for (const [path, role] of cases) {
      assert.equal(packageJsonRole(path), role, path);
      assert.equal(npmPackageCataloger.wants(path, { size: 100, mode: 0o644 }), role !== undefined, path);
    }
  });

  it('reports no package for a manifest without a name or version (private apps, module markers)', () => {
    const parse = (path: string, json: string) => npmPackageCataloger.parse({ path, content: Buffer.from(json), mode: 0o644, layerDiffId: 'sha256:00' });
    assert.deepEqual(parse('/app/package.json', '{"private": true, "dependencies": {}}'), { packages: [] });
    assert.deepEqual(parse('/app/node_modules/a/package.json', '{"name": "a"}'), { packages: [] });
    assert.deepEqual(parse('/app/package.json', '{"name": "app", "version": "2.0.0", "license": "Apache 2.0"}'), {
      packages: [{ type: 'npm', name: 'app', version: '2.0.0', licenses: ['Apache-2.0'], root: true }],
    });
  });
});

describe('npm: fixture images', () => {
  let cacheDir: string;
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-npm-'));
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  for (const name of ['app-bullseye', 'app-bookworm']) {
    it(`${name}: exactly the manifest's npm packages (installed tree only: no whiteout-deleted minimist, one @esbuild)`, async () => {
      const sbom = await catalogFixtureImage(name, catalogers, cacheDir);
      assert.deepEqual(sbomLines(sbom, 'npm'), manifestLines(name, 'npm'));
      assert.deepEqual(sbom.unknowns, []);
    });
  }

  it('app-bullseye with every registered cataloger: the same npm and python packages, none owned by a deb', async () => {
    const sbom = await catalogFixtureImage('app-bullseye', CATALOGERS, cacheDir);
    assert.deepEqual(sbomLines(sbom, 'npm'), manifestLines('app-bullseye', 'npm'));
    assert.deepEqual(sbomLines(sbom, 'pypi'), manifestLines('app-bullseye', 'python'));
    assert.deepEqual(sbom.packages.filter((pkg) => (pkg.type === 'npm' || pkg.type === 'pypi') && pkg.ownedBy), []);
  });
});

describe('npm: bad input', () => {
  let dir: string;
  let cacheDir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-npm-bad-'));
    cacheDir = join(dir, 'cache');
    const write = (path: string, content: string | Buffer) => {
      mkdirSync(dirname(join(dir, 'rootfs', path)), { recursive: true });
      writeFileSync(join(dir, 'rootfs', path), content);
    };
    // 80 MB: over every cap, skipped while the layer streams, never parsed.
    write('app/node_modules/huge/package.json', `{"name":"huge","version":"1.0.0","readme":"${'a'.repeat(80 * 1024 * 1024)}"}`);
    // 9 MB: read with the layer (other catalogers may take that much) but over this cataloger's cap.
    write('app/node_modules/large/package.json', `{"name":"large","version":"1.0.0","readme":"${'a'.repeat(9 * 1024 * 1024)}"}`);
    write('app/node_modules/broken/package.json', '{"name": "broken", "version": ');
    write('app/node_modules/garbage/package.json', randomBytes(4096));
    write('app/node_modules/array/package.json', '[1, 2, 3]');
    write('app/node_modules/good/package.json', '{"name": "good", "version": "1.2.3", "license": "MIT"}');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('turns oversized, invalid and binary manifests into unknowns with their paths, and still reports the rest', async () => {
    const image = await openImage(`fs://${join(dir, 'rootfs')}`, { cacheDir });
    const sbom = await catalogImage(image, { catalogers });
    await image.close();
    assert.deepEqual(sbom.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.licenses.join(',')}`), ['good@1.2.3 MIT']);
    const unknowns = new Map(sbom.unknowns.map((unknown) => [unknown.path, unknown]));
    assert.deepEqual([...unknowns.keys()].sort(), [
      '/app/node_modules/array/package.json',
      '/app/node_modules/broken/package.json',
      '/app/node_modules/garbage/package.json',
      '/app/node_modules/huge/package.json',
      '/app/node_modules/large/package.json',
    ]);
    assert.match(unknowns.get('/app/node_modules/broken/package.json')!.reason, /^invalid JSON: /);
    assert.match(unknowns.get('/app/node_modules/garbage/package.json')!.reason, /^invalid JSON: /);
    assert.equal(unknowns.get('/app/node_modules/array/package.json')!.reason, 'package.json is not a JSON object');
    // Whether the layer walk or the engine stops it, the reason names the size and this cataloger's cap.
    assert.match(unknowns.get('/app/node_modules/large/package.json')!.reason, /9437230 bytes, over the 8388608 byte cap/);
    assert.match(unknowns.get('/app/node_modules/huge/package.json')!.reason, /83886125 bytes, over the 8388608 byte cap/);
    for (const unknown of sbom.unknowns) assert.equal(unknown.layerDiffId, image.layers[0]!.diffId);
  });
});
