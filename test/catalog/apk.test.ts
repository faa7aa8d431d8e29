// The apk cataloger on every apk fixture case: exactly the packages trivy lists (EXPECTED.json),
// with the architecture of their purls and the origin trivy names as source; the Alpine minirootfs
// also through openImage('fs://') and the engine, with its distribution.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { apkCataloger } from '../../src/catalog/apk/cataloger.ts';
import { apkLicenses, parseApkInstalled } from '../../src/catalog/apk/installed.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import { byName, caseNames, FIXTURE_CASES, readJson, runCase, type Expected, type TrivyReference } from './os-package-cases.ts';

const toImagePath = (path: string) => `/${path.replace(/^rootfs\//, '')}`;

/** name, version, arch (purl qualifier) and source (trivy's src_name) of the reference list. */
function expectedOf(caseDir: string) {
  const expected = readJson<Expected>(join(caseDir, 'EXPECTED.json'));
  const sources = new Map(readJson<TrivyReference>(join(caseDir, 'TRIVY-REFERENCE.json')).packages.map((pkg) => [`${pkg.name}@${pkg.version}`, pkg.src_name]));
  return expected.packages.map((pkg) => ({
    name: pkg.name!, version: pkg.version!,
    arch: PackageURL.fromString(pkg.purl!).qualifiers?.arch ?? null,
    source: sources.get(`${pkg.name}@${pkg.version}`) ?? null,
  })).sort(byName);
}

describe('apk cataloger: fixtures', () => {
  for (const name of caseNames('apk')) {
    const caseDir = join(FIXTURE_CASES, 'apk', name);
    it(`${name}: exactly the reference list`, async () => {
      const run = await runCase(apkCataloger, caseDir, toImagePath);
      assert.deepEqual(run.errors, []);
      const found = run.packages.map((pkg) => ({ name: pkg.name, version: pkg.version, arch: pkg.arch ?? null, source: pkg.sourceName ?? null })).sort(byName);
      assert.deepEqual(found, expectedOf(caseDir));
    });
  }

  it('syft-corrupt: a line that is not a field is recorded, the package after it kept', async () => {
    const run = await runCase(apkCataloger, join(FIXTURE_CASES, 'apk/syft-corrupt'), toImagePath);
    assert.equal(run.packages.length, 1);
    assert.ok(run.results.some(({ result }) => (result.warnings ?? []).some((warning) => /not a field/.test(warning))));
  });

  describe('the Alpine 3.20.3 minirootfs as an image', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-apk-'));
    after(() => rmSync(cacheDir, { recursive: true, force: true }));
    it('gives the reference packages, their files, and the distribution trivy detected', async () => {
      const caseDir = join(FIXTURE_CASES, 'apk/alpine-3.20.3-x86_64-minirootfs');
      const image = await openImage(`fs://${join(caseDir, 'rootfs')}`, { cacheDir });
      const sbom = await catalogImage(image, { cacheDir, catalogers: [apkCataloger] });
      const os = readJson<TrivyReference>(join(caseDir, 'TRIVY-REFERENCE.json')).packages.find((pkg) => pkg.type === 'operating-system')!;
      assert.equal(sbom.distro?.id, os.name);
      assert.equal(sbom.distro?.versionId, os.version);
      const found = sbom.packages.map((pkg) => ({ name: pkg.name, version: pkg.version, arch: pkg.arch ?? null, source: pkg.sourceName ?? null })).sort(byName);
      assert.deepEqual(found, expectedOf(caseDir));
      assert.ok(sbom.packages.every((pkg) => pkg.locations[0]!.path === '/lib/apk/db/installed'));
      const busybox = sbom.packages.find((pkg) => pkg.name === 'busybox')!;
      assert.ok(busybox.files?.includes('/bin/busybox'), 'R: lines joined to their F: directory');
      assert.match(busybox.purl, /^pkg:apk\/alpine\/busybox@[^?]+\?arch=x86_64&distro=alpine-3\.20\.3$/);
    });
  });
});

describe('apk cataloger: parsing', () => {
  it('keeps an SPDX expression whole and splits an old space-separated list', () => {
    assert.deepEqual(apkLicenses('MIT AND BSD-2-Clause AND GPL-2.0-or-later'), ['MIT AND BSD-2-Clause AND GPL-2.0-or-later']);
    assert.deepEqual(apkLicenses('MIT BSD GPL2+'), ['MIT', 'BSD', 'GPL2+']);
  });

  it('skips a paragraph without a version, bounded warnings, and throws on a file with no package at all', () => {
    const { packages, warnings } = parseApkInstalled('P:noversion\nA:x86_64\n\nP:ok\nV:1.0-r0\n');
    assert.deepEqual(packages.map((pkg) => pkg.name), ['ok']);
    assert.equal(warnings.length, 1);
    assert.throws(() => parseApkInstalled('\u0000\u0001garbage\nmore garbage\n'), /not an apk database/);
    const many = parseApkInstalled(`${'junk line\n'.repeat(10_000)}\nP:ok\nV:1\n`);
    assert.ok(many.warnings.length <= 101);
  });
});
