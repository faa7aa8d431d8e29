// nuget against NuGet.Versioning's VersionComparer.Default (published: NuGet.Client's
// VersionComparerTests, NuGetVersionTest and SemVer201SpecTests), and strings NuGetVersion refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nuget } from '../../src/versions/nuget/nuget.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { vectorMismatches } from './vector-mismatches.ts';

describe('nuget', () => {
  // Row count from the README's table (there is no generated file: no .NET runtime to compute one).
  it('orders all 48 rows of nuget.published.tsv as NuGet does, both ways', () => {
    assert.deepEqual(vectorMismatches(nuget, 'nuget.published.tsv'), { rows: 48, wrong: [] });
  });

  it('pads to four parts, ignores metadata and the case of labels', () => {
    assert.equal(nuget.compare('1', '1.0.0.0'), 0);
    assert.equal(nuget.compare('1.0.0.1', '1.0.0'), 1);
    assert.equal(nuget.compare('1.0.0-RC.1+build.5', '1.0.0-rc.1'), 0);
    assert.equal(nuget.compare('1.0.0-rc.2', '1.0.0-rc.10'), -1);
    // System.Version reads each part with int.TryParse, blanks allowed; NuGet then drops the spaces.
    assert.equal(nuget.compare('1. 2 .3', '1.2.3'), 0);
  });

  it('rejects what NuGetVersion.TryParse rejects', () => {
    for (const version of ['', 'a.b.c', '1.0.0.0.0', '1.0.0-', '1.0.0+', '1.0.0-beta..1', '1.0.0-beta_1', '1.0.0-01', '1.0.0+a..b', '2147483648.0', 'v1.0', '1..0', '-1.0']) {
      assert.equal(nuget.valid(version), false, version);
      assert.throws(() => nuget.compare(version, '1.0'), InvalidVersionError, version);
      assert.throws(() => nuget.compare('1.0', version), InvalidVersionError, version);
    }
  });
});
