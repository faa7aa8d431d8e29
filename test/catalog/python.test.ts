import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import type { CatalogResult } from '../../src/catalog/cataloger.ts';
import { pythonPackageCataloger } from '../../src/catalog/python/package-metadata.ts';
import {
  assertMatchesReference, catalogCase, catalogFixtureImage, fixtureCases, manifestLines, readExpected, sbomLines,
} from './language-cases.ts';

const catalogers = [pythonPackageCataloger];

/**
 * Packages the reference leaves out, from fixtures/INDEX.md: "trivy's python result drops
 * `distlib-0.3.1-py3.9.egg-info` (same name and version as distlib-0.3.1.dist-info) and
 * `Unidecode.egg-info/PKG-INFO`". distlib is still one distinct package; Unidecode is not.
 */
const NOT_IN_REFERENCE: Record<string, string[]> = {
  'python/trivy-packaging': ['Unidecode@0.4.1 pkg:pypi/unidecode@0.4.1'],
};

function parse(path: string, content: Buffer | string): CatalogResult {
  return pythonPackageCataloger.parse({ path, content: Buffer.from(content), mode: 0o644, layerDiffId: 'sha256:00' }) as CatalogResult;
}

describe('python: installed package metadata', () => {
  for (const caseName of fixtureCases('python')) {
    it(`${caseName} gives the reference's packages`, async () => {
      const sbom = await catalogCase(caseName, catalogers);
      assertMatchesReference(sbom, readExpected(caseName), NOT_IN_REFERENCE[caseName]);
      assert.deepEqual(sbom.unknowns, []);
    });
  }

  it('asks for wheel, egg-info (file or folder), EGG-INFO and zipped egg metadata only', () => {
    const wanted = [
      '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
      '/usr/lib/python3/site-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO',
      '/usr/lib/python3/site-packages/Python-2.7.egg-info',
      '/usr/lib/python3/site-packages/requests-2.22.0-py3.8.egg/EGG-INFO/PKG-INFO',
      '/usr/lib/python3/site-packages/requests-2.22.0-py3.8.egg',
    ];
    const unwanted = [
      '/usr/lib/python3/site-packages/six-1.16.0.dist-info/RECORD',
      '/usr/lib/python3/site-packages/nested/dist-name/dist-info/METADATA',
      '/usr/lib/python3/site-packages/x.egg-info/PKG-INFO-INVALID',
      '/usr/lib/python3/site-packages/six.py',
    ];
    for (const path of wanted) assert.ok(pythonPackageCataloger.wants(path, { size: 1, mode: 0o644 }), path);
    for (const path of unwanted) assert.ok(!pythonPackageCataloger.wants(path, { size: 1, mode: 0o644 }), path);
  });

  it('reads licences: License-Expression, then a short License field, then License classifiers', () => {
    const licenses = (headers: string) => parse('/x.dist-info/METADATA', `Metadata-Version: 2.4\nName: x\nVersion: 1\n${headers}\n\nbody\nLicense: GPL\n`).packages[0]!.licenses;
    assert.deepEqual(licenses('License-Expression: MIT OR Apache-2.0\nLicense: BSD'), ['MIT OR Apache-2.0']);
    assert.deepEqual(licenses('License: Apache 2.0\nClassifier: License :: OSI Approved :: MIT License'), ['Apache-2.0']);
    assert.deepEqual(licenses('License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved'), ['MIT']);
    assert.deepEqual(licenses('License: Copyright (c) 2024 Someone\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: Apache Software License'), ['Apache-2.0']);
    assert.deepEqual(licenses(''), []);
  });

  it('reads a zipped .egg through its EGG-INFO/PKG-INFO', () => {
    const egg = zipSync({
      'EGG-INFO/PKG-INFO': Buffer.from('Metadata-Version: 1.1\nName: Paste\nVersion: 3.5.0\nLicense: MIT\n'),
      'paste/__init__.py': Buffer.from('# code\n'),
    });
    assert.deepEqual(parse('/usr/lib/python2.7/site-packages/Paste-3.5.0-py2.7.egg', Buffer.from(egg)), {
      packages: [{ type: 'pypi', name: 'Paste', version: '3.5.0', licenses: ['MIT'] }],
    });
  });

  it('throws a short reason for binary garbage, a metadata file without Name, a broken egg and an egg without metadata', () => {
    assert.throws(() => parse('/a.dist-info/METADATA', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), { message: 'binary content, not Python package metadata' });
    assert.throws(() => parse('/a.dist-info/METADATA', 'Metadata-Version: 2.1\nVersion: 1.0\n'), { message: 'no Name field in Python package metadata' });
    assert.throws(() => parse('/a.egg', 'not a zip'), /^Error: unreadable \.egg zip: /);
    assert.throws(() => parse('/a.egg', Buffer.from(zipSync({ 'a/__init__.py': Buffer.from('') }))), /^Error: no EGG-INFO\/PKG-INFO/);
  });
});

describe('python: fixture images', () => {
  let cacheDir: string;
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-python-'));
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  for (const name of ['app-bullseye', 'app-bookworm']) {
    it(`${name}: exactly the manifest's python packages`, async () => {
      const sbom = await catalogFixtureImage(name, catalogers, cacheDir);
      assert.deepEqual(sbomLines(sbom, 'pypi'), manifestLines(name, 'python'));
      assert.deepEqual(sbom.unknowns, []);
    });
  }
});
