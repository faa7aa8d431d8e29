import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CatalogResult } from '../../src/catalog/cataloger.ts';
import { normaliseLicenses } from '../../src/catalog/license.ts';
import { gemspecCataloger } from '../../src/catalog/ruby/gemspec.ts';
import { LANGUAGE_FIXTURES, assertMatchesReference, catalogCase, fixtureCases, readExpected } from './language-cases.ts';

const catalogers = [gemspecCataloger];

function parse(source: string): CatalogResult {
  return gemspecCataloger.parse({ path: '/usr/local/bundle/specifications/x.gemspec', content: Buffer.from(source), mode: 0o644, layerDiffId: 'sha256:00' }) as CatalogResult;
}

describe('ruby: installed gemspecs', () => {
  for (const caseName of fixtureCases('ruby-gemspec')) {
    it(`${caseName} gives the reference's packages, with its licences as SPDX`, async () => {
      const sbom = await catalogCase(caseName, catalogers);
      assertMatchesReference(sbom, readExpected(caseName));
      const reference = JSON.parse(readFileSync(join(LANGUAGE_FIXTURES, caseName, 'TRIVY-REFERENCE.json'), 'utf8')) as {
        packages: { name: string; file_path: string; licenses: string[] | null }[];
      };
      for (const pkg of reference.packages) {
        const ours = sbom.packages.find((found) => found.locations[0]!.path === `/${pkg.file_path}`)!;
        assert.deepEqual(ours.licenses, normaliseLicenses(pkg.licenses ?? []), pkg.name);
      }
    });
  }

  it('makes the malformed gemspecs (wrong block variable, no version) unknowns and still reads the rest', async () => {
    const sbom = await catalogCase('ruby-gemspec/trivy-gemspecs', catalogers);
    assert.deepEqual(sbom.unknowns.map((unknown) => `${unknown.path}: ${unknown.reason}`).sort(), [
      '/usr/local/bundle/specifications/malformed00.gemspec: no spec.name in the gemspec',
      '/usr/local/bundle/specifications/malformed01.gemspec: no s.version in the gemspec',
    ]);
  });

  it('reads the forms RubyGems writes: .freeze, Gem::Version.new, %q<>, single quotes, comments, license vs licenses', () => {
    const found = parse([
      "spec = Gem::Specification.new do |s|",
      "  s.name = %q<nokogiri>.freeze",
      "  s.version = Gem::Version.new('1.15.4')",
      "  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if s.respond_to? :required_rubygems_version=",
      "  s.licenses = [\"MIT\".freeze, 'Apache 2.0'] # two",
      "end",
    ].join('\n')).packages;
    assert.deepEqual(found, [{ type: 'gem', name: 'nokogiri', version: '1.15.4', licenses: ['MIT', 'Apache-2.0'] }]);
  });

  it('asks only for specifications/[default/]*.gemspec and throws a short reason for binary garbage', () => {
    assert.ok(gemspecCataloger.wants('/usr/local/bundle/specifications/rake-13.0.3.gemspec', { size: 1, mode: 0o644 }));
    assert.ok(gemspecCataloger.wants('/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec', { size: 1, mode: 0o644 }));
    assert.ok(!gemspecCataloger.wants('/usr/lib/ruby/gems/3.1.0/gems/rake-13.0.3/rake.gemspec', { size: 1, mode: 0o644 }));
    assert.ok(!gemspecCataloger.wants('/app/rake.gemspec', { size: 1, mode: 0o644 }));
    assert.throws(() => parse('\0\x01\x02ELF'), { message: 'binary content, not a gemspec' });
    assert.throws(() => parse('puts "hello"'), { message: 'no Gem::Specification.new block' });
  });
});
