import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CatalogResult } from '../../src/catalog/cataloger.ts';
import { composerInstalledCataloger } from '../../src/catalog/php/installed-json.ts';
import { LANGUAGE_FIXTURES, assertMatchesReference, catalogCase, fixtureCases, readExpected } from './language-cases.ts';

const catalogers = [composerInstalledCataloger];

function parse(json: string | Buffer): CatalogResult {
  return composerInstalledCataloger.parse({ path: '/app/vendor/composer/installed.json', content: Buffer.from(json), mode: 0o644, layerDiffId: 'sha256:00' }) as CatalogResult;
}

describe('php: composer installed.json', () => {
  for (const caseName of fixtureCases('composer')) {
    it(`${caseName} gives the reference's packages and licences`, async () => {
      const sbom = await catalogCase(caseName, catalogers);
      assertMatchesReference(sbom, readExpected(caseName));
      assert.deepEqual(sbom.unknowns, []);
      const reference = JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, caseName, 'PACKAGES-REFERENCE.json'), 'utf8')) as {
        packages: { name: string; licenses: string[] }[];
      };
      for (const pkg of reference.packages) assert.deepEqual(sbom.packages.find((found) => found.name === pkg.name)!.licenses, pkg.licenses, pkg.name);
      for (const pkg of sbom.packages) assert.equal(pkg.locations[0]!.path, '/app/vendor/composer/installed.json');
    });
  }

  it('marks Composer 2 dev packages (dev-package-names) in metadata', async () => {
    const sbom = await catalogCase('composer/syft-composer2', catalogers);
    const installed = JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, 'composer/syft-composer2/rootfs/app/vendor/composer/installed.json'), 'utf8')) as {
      'dev-package-names': string[];
    };
    assert.deepEqual(sbom.packages.filter((pkg) => pkg.metadata?.dev === 'true').map((pkg) => pkg.name), installed['dev-package-names']);
  });

  it('throws a short reason for invalid JSON, binary garbage and an unexpected shape; skips entries without name or version', () => {
    assert.throws(() => parse('{"packages": ['), /^Error: invalid JSON: /);
    assert.throws(() => parse(Buffer.from([0xff, 0xfe, 0, 1, 2, 3])), /^Error: invalid JSON: /);
    assert.throws(() => parse('{"packages": 3}'), { message: 'installed.json is neither a package array nor {packages: [...]}' });
    assert.deepEqual(parse('[{"name": "a/b"}, {"version": "1.0"}, 7, {"name": "c/d", "version": "2.0", "license": "MIT"}]').packages, [
      { type: 'composer', name: 'c/d', version: '2.0', licenses: ['MIT'] },
    ]);
  });
});
