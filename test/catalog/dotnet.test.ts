import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogResult } from '../../src/catalog/cataloger.ts';
import { dotnetDepsCataloger } from '../../src/catalog/dotnet/deps-json.ts';
import { assertMatchesReference, catalogCase, fixtureCases, readExpected } from './language-cases.ts';

const catalogers = [dotnetDepsCataloger];

function parse(json: string | Buffer): CatalogResult {
  return dotnetDepsCataloger.parse({ path: '/app/App.deps.json', content: Buffer.from(json), mode: 0o644, layerDiffId: 'sha256:00' }) as CatalogResult;
}

describe('dotnet: deps.json', () => {
  for (const caseName of fixtureCases('dotnet-deps')) {
    it(`${caseName} gives exactly the reference's packages (type package only)`, async () => {
      const sbom = await catalogCase(caseName, catalogers);
      assertMatchesReference(sbom, readExpected(caseName));
      assert.deepEqual(sbom.unknowns, []);
    });
  }

  it('asks for *.deps.json only', () => {
    assert.ok(dotnetDepsCataloger.wants('/app/MyApp.deps.json', { size: 1, mode: 0o644 }));
    assert.ok(!dotnetDepsCataloger.wants('/app/MyApp.runtimeconfig.json', { size: 1, mode: 0o644 }));
  });

  it('throws a short reason for invalid JSON, binary garbage and a file without libraries', () => {
    assert.throws(() => parse('{"libraries": {'), /^Error: invalid JSON: /);
    assert.throws(() => parse(Buffer.from([0x4d, 0x5a, 0x90, 0, 3])), /^Error: invalid JSON: /);
    assert.throws(() => parse('[]'), { message: 'deps.json is not a JSON object' });
    assert.throws(() => parse('{"targets": {}}'), { message: 'deps.json has no libraries object' });
  });
});
