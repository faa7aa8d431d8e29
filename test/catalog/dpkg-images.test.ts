// Every fixture image through the whole engine: exactly the deb packages of its manifest
// (../shared/fixtures/manifests/<image>.json, made with dpkg-query and packageurl-js), with the
// layer that last wrote their metadata and the layer that first listed them, and the distribution.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import { FIXTURE_MANIFESTS, fixtureArchives } from '../helpers/fixtures.ts';

interface ManifestPackage { type: string; name: string; [field: string]: unknown }
interface Manifest { image: string; os: { id: string; versionId: string; codename: string }; packages: ManifestPackage[] }

const FIELDS = ['name', 'version', 'arch', 'source', 'sourceVersion', 'purl', 'layerDiffId', 'path', 'introducedLayerDiffId'] as const;
const key = (pkg: Record<string, unknown>) => `${String(pkg.name)}\0${String(pkg.arch)}\0${String(pkg.path)}`;

describe('dpkg on the fixture images', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-dpkg-images-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  for (const file of readdirSync(FIXTURE_MANIFESTS).filter((name) => name.endsWith('.json')).sort()) {
    const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, file), 'utf8')) as Manifest;
    const expected = manifest.packages.filter((pkg) => pkg.type === 'deb');
    it(`${manifest.image}: ${expected.length} debs and ${manifest.os.id} ${manifest.os.versionId} (${manifest.os.codename})`, async () => {
      const image = await openImage(`archive://${join(fixtureArchives(), `${manifest.image}.docker.tar`)}`, { cacheDir });
      const sbom = await catalogImage(image, { cacheDir });
      assert.deepEqual(
        { id: sbom.distro?.id, versionId: sbom.distro?.versionId, codename: sbom.distro?.codename },
        manifest.os,
      );
      const found = sbom.packages.filter((pkg) => pkg.type === 'deb').map((pkg) => ({
        name: pkg.name, version: pkg.version, arch: pkg.arch, source: pkg.sourceName, sourceVersion: pkg.sourceVersion, purl: pkg.purl,
        layerDiffId: pkg.locations[0]!.layerDiffId, path: pkg.locations[0]!.path, introducedLayerDiffId: pkg.introducedLayerDiffId,
      }));
      // Only the fields the manifest records (multiarch's have no introducedLayerDiffId).
      const project = (pkg: Record<string, unknown>, fields: readonly string[]) => Object.fromEntries(fields.map((field) => [field, pkg[field]]));
      const fieldsOf = (pkg: Record<string, unknown>) => FIELDS.filter((field) => field in pkg);
      const want = new Map(expected.map((pkg) => [key(pkg), project(pkg, fieldsOf(pkg))]));
      const got = new Map(found.map((pkg) => [key(pkg), pkg as Record<string, unknown>]));
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [id, pkg] of want) assert.deepEqual(project(got.get(id)!, Object.keys(pkg)), pkg, id.replace(/\0/g, ' '));
      assert.deepEqual(sbom.unknowns.filter((unknown) => unknown.cataloger === 'dpkg'), []);
    });
  }

  it('app-bullseye: each deb carries the files of its info list and, where the copyright file is DEP-5, licences', async () => {
    // The uncompressed root filesystem make-archives.sh unpacks beside the archives: read directly.
    const rootfs = join(fixtureArchives(), 'app-bullseye.rootfs');
    const image = await openImage(`archive://${join(fixtureArchives(), 'app-bullseye.docker.tar')}`, { cacheDir });
    const debs = (await catalogImage(image, { cacheDir })).packages.filter((pkg) => pkg.type === 'deb');
    let dep5 = 0;
    for (const pkg of debs) {
      const info = join(rootfs, 'var/lib/dpkg/info');
      const list = [`${pkg.name}:${pkg.arch}.list`, `${pkg.name}.list`].map((name) => join(info, name)).find((path) => existsSync(path));
      assert.ok(list, `${pkg.name} has an info list`);
      const listed = readFileSync(list, 'utf8').split('\n').filter((line) => line !== '' && line !== '/.');
      assert.deepEqual(pkg.files, listed, pkg.name);
      const copyright = join(rootfs, 'usr/share/doc', pkg.name, 'copyright');
      const machineReadable = existsSync(copyright) && /^Format:/m.test(readFileSync(copyright, 'utf8').split('\n\n', 1)[0]!);
      if (machineReadable) dep5++;
      assert.equal(pkg.licenses.length > 0, machineReadable, `${pkg.name}: licences only from a DEP-5 copyright file`);
    }
    assert.ok(dep5 > 20, `${dep5} DEP-5 copyright files`);
  });
});
