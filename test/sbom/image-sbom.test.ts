// The formats on a real Sbom: whatever the registered catalogers find in a fixture image is encoded in
// each format, valid against its schema, and decoded to the same packages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Package } from '../../src/core/package.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import { openImage } from '../../src/image/open.ts';
import { decode, encode, type SbomFormat } from '../../src/sbom/format.ts';
import { fixtureArchives } from '../helpers/fixtures.ts';
import { cycloneDxValidator, errorsText, spdxValidator, spyglassValidator } from './schemas.ts';

const essentials = (pkg: Package) => ({ name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl, licenses: pkg.licenses, locations: pkg.locations, ownedBy: pkg.ownedBy !== undefined });

describe('formats of a fixture image\'s Sbom', () => {
  let cache: string;
  let sbom: Sbom;
  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-sbom-image-'));
    const image = await openImage(`archive://${join(fixtureArchives(), 'app-bookworm.docker.tar')}`, { cacheDir: cache });
    try {
      sbom = await catalogImage(image, { cacheDir: cache });
    } finally {
      await image.close();
    }
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  const validators = { json: spyglassValidator, spdx: spdxValidator, cyclonedx: cycloneDxValidator };
  for (const format of ['json', 'spdx', 'cyclonedx'] as SbomFormat[]) {
    it(`${format}: valid, and read back with the same packages`, () => {
      assert.ok(sbom.packages.length > 0);
      const text = encode(sbom, format);
      const validate = validators[format]();
      assert.ok(validate(JSON.parse(text)), errorsText(validate.errors));
      const decoded = decode(text, `app-bookworm.${format}.json`);
      assert.deepEqual(decoded.packages.map(essentials), sbom.packages.map(essentials));
      assert.deepEqual(decoded.distro, sbom.distro);
      assert.equal(decoded.relationships.length, sbom.relationships.length);
    });
  }
});
