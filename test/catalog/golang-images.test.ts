import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import { FIXTURE_MANIFESTS, fixtureArchives } from '../helpers/fixtures.ts';

interface ManifestPackage { type: string; name: string; version: string; purl: string; path: string; layerDiffId: string; main?: boolean }

const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-golang-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('Go binaries in the fixture images', () => {
  for (const image of ['app-bullseye', 'app-bookworm']) {
    it(`${image}: exactly the manifest's golang packages, at both paths of the hard-linked esbuild`, async () => {
      const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${image}.json`), 'utf8')) as { packages: ManifestPackage[] };
      const expected = manifest.packages.filter((pkg) => pkg.type === 'golang');
      assert.ok(expected.length > 0);
      const sbom = await catalogImage(await openImage(`archive://${join(fixtureArchives(), `${image}.docker.tar`)}`, { cacheDir }), { cacheDir });
      const found = sbom.packages.filter((pkg) => pkg.type === 'golang');
      const row = (name: string, version: string, purl: string, path: string, layer: string, main: string) => [name, version, purl, path, layer, main].join(' ');
      assert.deepEqual(
        found.map((pkg) => row(pkg.name, pkg.version, pkg.purl, pkg.locations[0]!.path, pkg.locations[0]!.layerDiffId, pkg.metadata?.main ?? '-')).sort(),
        expected.map((pkg) => row(pkg.name, pkg.version, pkg.purl, pkg.path, pkg.layerDiffId, pkg.main === undefined ? '-' : String(pkg.main))).sort(),
      );
      // Each binary's stdlib and dependencies are contained in its main module.
      for (const pkg of found.filter((candidate) => !candidate.root)) {
        const main = found.find((candidate) => candidate.root && candidate.locations[0]!.path === pkg.locations[0]!.path)!;
        assert.equal(pkg.parent, main.id);
        assert.ok(sbom.relationships.some((rel) => rel.kind === 'contains' && rel.from === main.id && rel.to === pkg.id));
      }
    });
  }
});
