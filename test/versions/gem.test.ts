// gem against RubyGems' Gem::Version#<=> (published: test/rubygems/test_gem_version.rb; generated:
// RubyGems 3.3.15 on Debian's ruby-* upstream versions), and the strings Gem::Version.new refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gem } from '../../src/versions/gem/gem.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { vectorMismatches } from './vector-mismatches.ts';

describe('gem', () => {
  // Row counts from the README's tables, so a truncated read cannot pass.
  for (const [file, count] of [['rubygems.published.tsv', 24], ['rubygems.generated.tsv', 1446]] as const) {
    it(`orders all ${count} rows of ${file} as Gem::Version does, both ways`, () => {
      assert.deepEqual(vectorMismatches(gem, file), { rows: count, wrong: [] });
    });
  }

  it('treats "-" as a prerelease and drops trailing zeros of each part', () => {
    assert.equal(gem.compare('1.0.0-rc1', '1.0.0.pre.rc1'), 0);
    assert.equal(gem.compare('1.0.b1', '1.0'), -1);
    assert.equal(gem.compare('1.0.0.0', '1'), 0);
  });

  it('rejects what Gem::Version.correct? rejects (test_gem_version.rb test_initialize_invalid)', () => {
    for (const version of ['junk', '1.0\n2.0', '1..2', '1.2 3.4', '2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.', '-1', 'v1.0']) {
      assert.equal(gem.valid(version), false, JSON.stringify(version));
      assert.throws(() => gem.compare(version, '1.0'), InvalidVersionError, version);
      assert.throws(() => gem.compare('1.0', version), InvalidVersionError, version);
    }
  });
});
