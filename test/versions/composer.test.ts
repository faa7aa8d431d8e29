// composer against composer/semver (published: tests/ComparatorTest.php; generated: php-composer-semver
// 3.3.2's Comparator on normalised Debian php-* versions) and VersionParser's own normalisation tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composer } from '../../src/versions/composer/composer.ts';
import { normalizeComposerVersion, normalizeDefaultBranch } from '../../src/versions/composer/normalize.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { vectorMismatches } from './vector-mismatches.ts';

describe('composer', () => {
  // Row counts from the README's tables, so a truncated read cannot pass.
  for (const [file, count] of [['composer.published.tsv', 11], ['composer.generated.tsv', 1426]] as const) {
    it(`orders all ${count} rows of ${file} as composer/semver does, both ways`, () => {
      assert.deepEqual(vectorMismatches(composer, file), { rows: count, wrong: [] });
    });
  }

  it('normalises as VersionParser does (composer/semver tests/VersionParserTest.php, successfulNormalizedVersions)', () => {
    const cases: [string, string][] = [
      ['1.0.0', '1.0.0.0'], ['1.2.3.4', '1.2.3.4'], ['1.0.0RC1dev', '1.0.0.0-RC1-dev'], ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
      ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'], ['1.0.0-rc1', '1.0.0.0-RC1'], ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
      ['1.0-dev', '1.0.0.0-dev'], ['0', '0.0.0.0'], ['10.4.13-beta', '10.4.13.0-beta'], ['10.4.13beta2', '10.4.13.0-beta2'],
      ['10.4.13beta.2', '10.4.13.0-beta2'], ['10.4.13-b', '10.4.13.0-beta'], ['10.4.13-b5', '10.4.13.0-beta5'], ['v1.0.0', '1.0.0.0'],
      ['2010.01', '2010.01.0.0'], ['2010.01.02', '2010.01.02.0'], ['2010.1.555', '2010.1.555.0'], ['v20100102', '20100102'],
      ['2010-01-02', '2010.01.02'], ['2010-01-02.5', '2010.01.02.5'], ['20100102-203040', '20100102.203040'],
      ['20150920.0.0', '20150920.0.0'], ['20100102203040-10', '20100102203040.10'], ['20100102-203040-p1', '20100102.203040-patch1'],
      ['dev-master', '9999999-dev'], ['dev-trunk', '9999999-dev'], ['1.x-dev', '1.9999999.9999999.9999999-dev'],
      ['dev-feature-foo', 'dev-feature-foo'], ['DEV-FOOBAR', 'dev-FOOBAR'], ['dev-feature/foo', 'dev-feature/foo'],
      ['dev-feature+issue-1', 'dev-feature+issue-1'], ['dev-master as 1.0.0', '9999999-dev'], ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
      ['1.0.0+foo', '1.0.0.0'], ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'], ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
      ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'], ['1.0.0+foo as 2.0', '1.0.0.0'],
    ];
    for (const [input, expected] of cases) {
      const normalized = normalizeComposerVersion(input);
      assert.equal(normalized === undefined ? undefined : normalizeDefaultBranch(normalized), expected, input);
    }
  });

  it('puts -dev before alpha, a branch before every version, and orders dates', () => {
    assert.equal(composer.compare('1.0.0-dev', '1.0.0-alpha1'), -1);
    assert.equal(composer.compare('1.0.0-RC1', '1.0.0'), -1);
    assert.equal(composer.compare('1.0.0', '1.0.0-p1'), -1);
    assert.equal(composer.compare('dev-feature', '0.0.1'), -1);
    assert.equal(composer.compare('dev-master', '99.0.0'), 1);
    assert.equal(composer.compare('dev-b', 'dev-a'), 1, 'two branches: name order, since Composer defines none');
  });

  it('rejects what VersionParser::normalize rejects (failingNormalizedVersions)', () => {
    for (const version of ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar']) {
      assert.equal(composer.valid(version), false, version);
      assert.throws(() => composer.compare(version, '1.0'), InvalidVersionError, version);
      assert.throws(() => composer.compare('1.0', version), InvalidVersionError, version);
    }
  });
});
