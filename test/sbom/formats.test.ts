// The three SBOM formats: valid against their official schemas, and decoding what was encoded gives the
// same packages. Each validator is first shown to reject documents the spec says are invalid.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import parseSpdxExpression from 'spdx-expression-parse';
import type { Package } from '../../src/core/package.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { decode, encode, type SbomFormat } from '../../src/sbom/format.ts';
import { encodeSpdx } from '../../src/sbom/spdx/encode.ts';
import { encodeCycloneDx } from '../../src/sbom/cyclonedx/encode.ts';
import { sampleSbom } from './sample-sbom.ts';
import { SPECS, cycloneDxValidator, errorsText, spdxValidator, spyglassValidator } from './schemas.ts';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;

/** What a round trip must keep of each package. */
function essentials(pkg: Package) {
  return { name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl, licenses: pkg.licenses, locations: pkg.locations };
}

describe('schema validators', () => {
  it('SPDX: the official 2.3 example passes, a document without spdxVersion fails', () => {
    const validate = spdxValidator();
    const example = readJson(join(SPECS, 'spdx/SPDXJSONExample-v2.3.spdx.json')) as Record<string, unknown>;
    assert.ok(validate(example), errorsText(validate.errors));
    const { spdxVersion: _dropped, ...broken } = example;
    assert.equal(validate(broken), false);
  });

  it('CycloneDX: the spec\'s invalid-*-1.6.json fixtures fail, valid ones without JSF signatures pass', () => {
    const validate = cycloneDxValidator();
    const dir = join(SPECS, 'cyclonedx/test-resources-1.6');
    const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
    const invalid = files.filter((name) => name.startsWith('invalid-'));
    assert.ok(invalid.length >= 20);
    for (const name of invalid) assert.equal(validate(readJson(join(dir, name))), false, name);
    // SOURCE.md: these three fail only on their JSF signature objects, with any validator.
    const signed = new Set(['valid-attestation-1.6.json', 'valid-signatures-1.6.json', 'valid-standard-1.6.json']);
    for (const name of files.filter((file) => file.startsWith('valid-') && !signed.has(file))) {
      assert.ok(validate(readJson(join(dir, name))), `${name}: ${errorsText(validate.errors)}`);
    }
  });
});

describe('encoders', () => {
  it('Spyglass JSON is valid against docs/sbom.schema.json', () => {
    const validate = spyglassValidator();
    assert.ok(validate(JSON.parse(encode(sampleSbom(), 'json'))), errorsText(validate.errors));
    assert.equal(validate({ ...sampleSbom(), schemaVersion: 2 }), false);
  });

  it('SPDX 2.3 is valid against the official schema, with valid licence expressions and purls', () => {
    const validate = spdxValidator();
    const document = JSON.parse(encode(sampleSbom(), 'spdx')) as ReturnType<typeof encodeSpdx>;
    assert.ok(validate(document), errorsText(validate.errors));
    assert.equal(document.spdxVersion, 'SPDX-2.3');
    assert.match(document.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const packages = document.packages!.filter((pkg) => pkg.externalRefs);
    assert.equal(packages.length, sampleSbom().packages.length);
    for (const pkg of packages) {
      for (const field of [pkg.licenseDeclared!, pkg.licenseConcluded!]) {
        if (field !== 'NOASSERTION') assert.doesNotThrow(() => parseSpdxExpression(field), field);
      }
      assert.deepEqual(pkg.externalRefs!.map((ref) => [ref.referenceCategory, ref.referenceType]), [['PACKAGE-MANAGER', 'purl']]);
    }
    const libssl = packages.find((pkg) => pkg.name === 'libssl3')!;
    assert.equal(libssl.licenseDeclared, 'Apache-2.0 AND LicenseRef-GPL-2-with-OpenSSL-exception AND (MIT OR BSD-3-Clause)');
    assert.deepEqual(document.hasExtractedLicensingInfos, [{ licenseId: 'LicenseRef-GPL-2-with-OpenSSL-exception', extractedText: 'GPL-2+ with OpenSSL exception', name: 'GPL-2+ with OpenSSL exception' }]);
    assert.equal(packages.find((pkg) => pkg.name === 'python3-six')!.licenseDeclared, 'NOASSERTION');
    const image = document.packages!.find((pkg) => pkg.primaryPackagePurpose === 'CONTAINER')!;
    assert.deepEqual(document.relationships!.filter((r) => r.relationshipType === 'DESCRIBES'), [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image.SPDXID }]);
    assert.equal(document.relationships!.filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS').length, packages.length + 1);
  });

  it('CycloneDX 1.6 is valid against the official schema', () => {
    const validate = cycloneDxValidator();
    const bom = JSON.parse(encode(sampleSbom(), 'cyclonedx')) as ReturnType<typeof encodeCycloneDx>;
    assert.ok(validate(bom), errorsText(validate.errors));
    assert.equal(bom.metadata!.component!.type, 'container');
    const libssl = bom.components!.find((component) => component.name === 'libssl3')!;
    assert.deepEqual(libssl.licenses, [{ license: { id: 'Apache-2.0' } }, { license: { name: 'GPL-2+ with OpenSSL exception' } }, { license: { name: 'MIT OR BSD-3-Clause' } }]);
    assert.deepEqual(bom.components!.find((component) => component.name === 'app')!.licenses, [{ expression: 'MIT AND Apache-2.0' }]);
    assert.deepEqual(bom.components!.find((component) => component.name === 'python3-six')!.licenses, undefined);
    const refs = new Set(bom.components!.map((component) => component['bom-ref']));
    for (const dependency of bom.dependencies!) for (const ref of dependency.dependsOn ?? []) assert.ok(refs.has(ref), ref);
  });
});

describe('round trips', () => {
  for (const format of ['json', 'spdx', 'cyclonedx'] as SbomFormat[]) {
    it(`${format}: decode(encode(sbom)) gives the same packages, relationships, distro and source`, () => {
      const original = sampleSbom();
      const decoded: Sbom = decode(encode(original, format), `sample.${format}.json`);
      assert.deepEqual(decoded.packages.map(essentials), original.packages.map(essentials));
      assert.deepEqual(decoded.distro, original.distro);
      assert.deepEqual(decoded.source, original.source);
      const byName = (sbom: Sbom) => new Map(sbom.packages.map((pkg) => [pkg.id, pkg.name]));
      const named = (sbom: Sbom) => sbom.relationships.map((r) => `${byName(sbom).get(r.from)} ${r.kind} ${byName(sbom).get(r.to)}`).sort();
      assert.deepEqual(named(decoded), named(original));
      const detail = (sbom: Sbom) => sbom.packages.map((pkg) => [pkg.arch, pkg.sourceName, pkg.root, pkg.metadata, pkg.introducedLayerDiffId, pkg.parent !== undefined, pkg.ownedBy !== undefined]);
      assert.deepEqual(detail(decoded), detail(original));
      if (format === 'json') assert.deepEqual(decoded, original);
    });
  }
});
