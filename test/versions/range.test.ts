// OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation): hand-made cases from the
// spec's text, and real records from ../shared/data/advisories/osv/ (Go vulndb, GHSA npm) probed just
// below, at and above each event, with the expected answer worked out in the test from the record's
// intervals and node-semver's own ordering.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as nodeSemver from 'semver';
import type { RangeEvent, VersionRange } from '../../src/advisories/model.ts';
import { deb } from '../../src/versions/deb/deb.ts';
import { go } from '../../src/versions/go/go.ts';
import { affectedBy, invalidRangeVersion } from '../../src/versions/range.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { npm } from '../../src/versions/semver/semver.ts';
import { SHARED } from '../helpers/fixtures.ts';

const OSV = join(SHARED, 'data/advisories/osv');

const range = (type: VersionRange['type'], ...events: RangeEvent[]): VersionRange => ({ type, events });

describe('OSV evaluation, cases from the spec text', () => {
  it('introduced "0" affects everything before fixed; fixed is exclusive', () => {
    const affected = { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.2.3' })] };
    assert.equal(affectedBy('0.0.1', affected, npm), true);
    assert.equal(affectedBy('1.2.2', affected, npm), true);
    assert.equal(affectedBy('1.2.3-rc.1', affected, npm), true);
    assert.equal(affectedBy('1.2.3', affected, npm), false);
    assert.equal(affectedBy('2.0.0', affected, npm), false);
  });

  it('introduced is inclusive, last_affected inclusive', () => {
    const affected = { ranges: [range('ECOSYSTEM', { introduced: '1.0.0' }, { last_affected: '1.4.0' })] };
    assert.equal(affectedBy('0.9.9', affected, npm), false);
    assert.equal(affectedBy('1.0.0', affected, npm), true);
    assert.equal(affectedBy('1.4.0', affected, npm), true);
    assert.equal(affectedBy('1.4.1', affected, npm), false);
  });

  it('several introduced/fixed pairs in one range, in any order (events are sorted first)', () => {
    const affected = {
      ranges: [range('ECOSYSTEM', { fixed: '2.5.0' }, { introduced: '2.0.0' }, { fixed: '1.5.0' }, { introduced: '1.0.0' })],
    };
    const want: [string, boolean][] = [['0.5.0', false], ['1.0.0', true], ['1.4.9', true], ['1.5.0', false], ['1.9.0', false], ['2.0.0', true], ['2.4.0', true], ['2.5.0', false], ['3.0.0', false]];
    for (const [version, expected] of want) assert.equal(affectedBy(version, affected, npm), expected, version);
  });

  it('an introduced with no fix affects every later version', () => {
    const affected = { ranges: [range('ECOSYSTEM', { introduced: '1.0.0' })] };
    assert.equal(affectedBy('0.1.0', affected, npm), false);
    assert.equal(affectedBy('99.0.0', affected, npm), true);
  });

  it('limit bounds the range from above (exclusive); "*" bounds nothing', () => {
    const limited = { ranges: [range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '1.5.0' })] };
    assert.equal(affectedBy('1.4.0', limited, npm), true);
    assert.equal(affectedBy('1.5.0', limited, npm), false);
    const star = { ranges: [range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '*' })] };
    assert.equal(affectedBy('9.0.0', star, npm), true);
  });

  it('ranges are OR-ed; the versions list adds exact versions', () => {
    const affected = {
      ranges: [range('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.1.0' }), range('ECOSYSTEM', { introduced: '3.0.0' }, { fixed: '3.1.0' })],
      versions: ['2.0.0'],
    };
    assert.equal(affectedBy('1.0.5', affected, npm), true);
    assert.equal(affectedBy('3.0.5', affected, npm), true);
    assert.equal(affectedBy('2.0.0', affected, npm), true);
    assert.equal(affectedBy('2.0.1', affected, npm), false);
    assert.equal(affectedBy('5.0.0', { ranges: [], versions: ['5.0.0'] }, npm), true);
  });

  it('GIT ranges are never matched', () => {
    const affected = { ranges: [range('GIT', { introduced: '0' }, { fixed: 'a1b2c3d' })] };
    assert.equal(affectedBy('1.0.0', affected, npm), false);
  });

  it('ECOSYSTEM ranges use the namespace scheme (dpkg: epoch and ~)', () => {
    const affected = { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1:1.2-1' })] };
    assert.equal(affectedBy('1.9-1', affected, deb), true, 'no epoch is epoch 0');
    assert.equal(affectedBy('1:1.2~rc1-1', affected, deb), true, '~ sorts before the release');
    assert.equal(affectedBy('1:1.2-1', affected, deb), false);
  });

  it('SEMVER ranges compare with semver whatever the ecosystem', () => {
    // dpkg reads "1.0.0-rc.1" as upstream 1.0.0, revision rc.1: above 1.0.0. SemVer: a prerelease, below.
    assert.equal(deb.compare('1.0.0-rc.1', '1.0.0'), 1);
    const affected = { ranges: [range('SEMVER', { introduced: '0' }, { fixed: '1.0.0' })] };
    assert.equal(affectedBy('1.0.0-rc.1', affected, deb), true);
    assert.equal(affectedBy('1.0.0-rc.1', { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.0.0' })] }, deb), false);
  });

  it('an unreadable version throws InvalidVersionError; invalidRangeVersion finds bad events', () => {
    const affected = { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: 'not a version' })] };
    assert.equal(invalidRangeVersion(affected, npm), 'not a version');
    assert.throws(() => affectedBy('1.0.0', affected, npm), InvalidVersionError);
    const good = { ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.0.0' }, { limit: '*' })] };
    assert.equal(invalidRangeVersion(good, npm), undefined);
    assert.throws(() => affectedBy('bad', good, npm), InvalidVersionError);
  });
});

interface OsvRecord {
  id: string;
  affected: { package: { ecosystem: string; name: string }; ranges?: VersionRange[]; versions?: string[] }[];
}

/** The record's affected intervals, pairing each introduced with the fixed / last_affected written after it. */
function intervals(events: RangeEvent[]): { from: string; to?: string; inclusive: boolean }[] {
  const result: { from: string; to?: string; inclusive: boolean }[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    assert.ok('introduced' in event, 'records alternate introduced and fixed/last_affected');
    const next = events[index + 1];
    if (next !== undefined && 'fixed' in next) result.push({ from: event.introduced, to: next.fixed, inclusive: false });
    else if (next !== undefined && 'last_affected' in next) result.push({ from: event.introduced, to: next.last_affected, inclusive: true });
    else result.push({ from: event.introduced, inclusive: false });
    if (next !== undefined) index++;
  }
  return result;
}

function expectedAffected(version: string, ranges: VersionRange[]): boolean {
  return ranges.some((r) =>
    intervals(r.events).some(({ from, to, inclusive }) => {
      const aboveFrom = from === '0' || nodeSemver.gte(version, from);
      const belowTo = to === undefined || (inclusive ? nodeSemver.lte(version, to) : nodeSemver.lt(version, to));
      return aboveFrom && belowTo;
    }),
  );
}

/** Just below (smallest prerelease of a release), at, and just above (next patch) each event. */
function probes(ranges: VersionRange[]): string[] {
  const versions = new Set<string>(['0.0.0']);
  for (const r of ranges) {
    for (const event of r.events) {
      const version = Object.values(event)[0] as string;
      if (version === '0') continue;
      versions.add(version);
      const parsed = nodeSemver.parse(version);
      assert.ok(parsed, `${version} is semver`);
      if (parsed.prerelease.length === 0) versions.add(`${version}-0`);
      versions.add(nodeSemver.inc(version, 'patch')!);
    }
  }
  return [...versions];
}

function records(dir: string): OsvRecord[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as OsvRecord);
}

describe('OSV evaluation on real records', () => {
  it('Go vulndb records (SEMVER ranges; module, stdlib and toolchain spellings of the version)', () => {
    const all = records(join(OSV, 'go/records'));
    assert.equal(all.length, 264, 'SOURCE.md: 264 records');
    let checked = 0;
    for (const record of all) {
      for (const affected of record.affected) {
        const ranges = affected.ranges ?? [];
        for (const version of probes(ranges)) {
          const expected = expectedAffected(version, ranges);
          assert.equal(affectedBy(version, { ranges, versions: affected.versions }, go), expected, `${record.id} ${version}`);
          assert.equal(affectedBy(`v${version}`, { ranges, versions: affected.versions }, go), expected, `${record.id} v${version}`);
          const release = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
          // Toolchain names: go1.20.5; go1.21.0 is spelt go1.21 from Go 1.21 on.
          if (release !== null && release[1] === '1') {
            const toolchain = release[3] === '0' ? `go1.${release[2]}` : `go1.${release[2]}.${release[3]}`;
            assert.equal(affectedBy(toolchain, { ranges, versions: affected.versions }, go), expected, `${record.id} ${toolchain}`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 1000, `checked ${checked}`);
  });

  it('GHSA npm records (ECOSYSTEM ranges with the npm scheme)', () => {
    const all = records(join(OSV, 'ghsa/npm'));
    assert.ok(all.length >= 13);
    let checked = 0;
    for (const record of all) {
      for (const affected of record.affected) {
        assert.equal(affected.package.ecosystem, 'npm');
        const ranges = affected.ranges ?? [];
        for (const version of probes(ranges)) {
          assert.equal(affectedBy(version, { ranges, versions: affected.versions }, npm), expectedAffected(version, ranges), `${record.id} ${version}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 50, `checked ${checked}`);
  });
});
