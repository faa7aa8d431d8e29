// pep440 against pypa/packaging's own ordering (published: tests/test_version.py VERSIONS; generated:
// packaging.version.Version run on real PyPI versions), and packaging's rejected strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pep440 } from '../../src/versions/pep440/pep440.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { vectorMismatches } from './vector-mismatches.ts';

describe('pep440', () => {
  // Row counts from the README's tables, so a truncated read cannot pass.
  for (const [file, count] of [['pep440.published.tsv', 4279], ['pep440.generated.tsv', 1507]] as const) {
    it(`orders all ${count} rows of ${file} as packaging does, both ways`, () => {
      assert.deepEqual(vectorMismatches(pep440, file), { rows: count, wrong: [] });
    });
  }

  it('applies PEP 440 normalisation: spellings, separators, case, padding, v prefix', () => {
    // https://packaging.python.org/en/latest/specifications/version-specifiers/#normalization
    const same: [string, string][] = [
      ['1.0a1', '1.0.0a1'], ['1.0-alpha-1', '1.0a1'], ['1.0.PREVIEW.2', '1.0rc2'], ['1.0c1', '1.0rc1'],
      ['1.0-post1', '1.0.post1'], ['1.0-1', '1.0.post1'], ['1.0rev', '1.0.post0'], ['v1.0', '1.0'],
      ['V1.0', '1.0'], ['  1.0\n', '1.0'], ['1.0.DEV', '1.0.dev0'], ['0!1.0', '1.0'], ['1.0+Ubuntu-1', '1.0+ubuntu.1'],
      ['01.02', '1.2'],
    ];
    for (const [a, b] of same) assert.equal(pep440.compare(a, b), 0, `${a} == ${b}`);
    assert.equal(pep440.compare('1!0.1', '2.0'), 1, 'an epoch outranks the release');
    assert.equal(pep440.compare('1.0.dev1', '1.0a1'), -1, 'a dev release of a final precedes its pre-releases');
    assert.equal(pep440.compare('1.0+abc', '1.0+5'), -1, 'numeric local segments sort after strings');
  });

  it('rejects what packaging.version.Version rejects (tests/test_version.py INVALID_VERSIONS)', () => {
    for (const version of ['french toast', '1.0+a+', '1.0++', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '', '1..0', '1.0-', 'a1.0']) {
      assert.equal(pep440.valid(version), false, version);
      assert.throws(() => pep440.compare(version, '1.0'), InvalidVersionError, version);
      assert.throws(() => pep440.compare('1.0', version), InvalidVersionError, version);
    }
    assert.equal(pep440.valid('1.0.post1.dev2+local.7'), true);
  });
});
