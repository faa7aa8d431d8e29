// maven against Maven's ComparableVersion (published: ComparableVersionTest.java; generated: the class
// compiled from apache/maven @ 540897d3 run on real Maven Central versions).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maven } from '../../src/versions/maven/maven.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { vectorMismatches } from './vector-mismatches.ts';

describe('maven', () => {
  // Row counts from the README's tables, so a truncated read cannot pass.
  for (const [file, count] of [['maven.published.tsv', 1013], ['maven.generated.tsv', 1655]] as const) {
    it(`orders all ${count} rows of ${file} as ComparableVersion does, both ways`, () => {
      assert.deepEqual(vectorMismatches(maven, file), { rows: count, wrong: [] });
    });
  }

  it('reads any string, up to ComparableVersion.MAX_VERSION_LENGTH (256) characters', () => {
    for (const version of ['', 'foo', '1.0-SNAPSHOT', '-', '...', 'ζέβρα', 'x'.repeat(256)]) {
      assert.equal(maven.valid(version), true, version);
    }
    // Maven 4's bound on nesting depth and BigInteger cost for repository metadata.
    const tooLong = '1.'.repeat(129);
    assert.equal(maven.valid(tooLong), false);
    assert.throws(() => maven.compare(tooLong, '1'), InvalidVersionError);
    assert.throws(() => maven.compare('1', tooLong), InvalidVersionError);
  });
});
