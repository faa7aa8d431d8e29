import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { rubysecFeed } from '../../../src/advisories/feeds/rubysec/rubysec-feed.ts';
import type { VersionRange } from '../../../src/advisories/model.ts';
import { gem } from '../../../src/versions/gem/gem.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { CollectingSink, feedFiles, filesUnder, memoryFiles } from './language-feed-files.ts';

const ROOT = join(SHARED, 'data/advisories/rubysec');
const files = filesUnder(ROOT).filter((name) => /^(gems|rubies)\/.*\.yml$/.test(name));

interface RubyAdvisory {
  gem?: string; engine?: string; cve?: string; ghsa?: string; osvdb?: number; url: string; title: string; date: string;
  description: string; cvss_v2?: number; cvss_v3?: number; patched_versions?: string[]; unaffected_versions?: string[];
  related?: { url?: string[] };
}

async function ingestShared(): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await rubysecFeed.ingest(feedFiles(ROOT, filesUnder(ROOT).filter((name) => rubysecFeed.wants({ name }))), sink);
  return sink;
}

const parsed = (name: string): RubyAdvisory => parseYaml(readFileSync(join(ROOT, name), 'utf8')) as RubyAdvisory;
const idOf = (name: string): string => name.replace(/\.yml$/, '');

// Gem::Requirement#satisfied_by? (rubygems lib/rubygems/requirement.rb), written out here on its own.
function releaseOf(version: string): string {
  const segments = version.replaceAll('-', '.pre.').split('.');
  const first = segments.findIndex((segment) => /[a-z]/i.test(segment));
  return first === -1 ? version : segments.slice(0, first).join('.') || '0';
}
function bump(version: string): string {
  const release = releaseOf(version).split('.');
  if (release.length > 1) release.pop();
  release[release.length - 1] = String(Number(release.at(-1)) + 1);
  return release.join('.');
}
function satisfies(version: string, requirement: string): boolean {
  return requirement.split(',').every((constraint) => {
    const [, op = '=', bound] = /^\s*(~>|>=|<=|!=|>|<|=)?\s*(\S+)\s*$/.exec(constraint)!;
    const order = gem.compare(version, bound!);
    switch (op) {
      case '~>': return order >= 0 && gem.compare(releaseOf(version), bump(bound!)) < 0;
      case '>=': return order >= 0;
      case '>': return order > 0;
      case '<': return order < 0;
      case '<=': return order <= 0;
      default: return order === 0;
    }
  });
}
// OSV's evaluation (https://ossf.github.io/osv-schema/#evaluation) over events already in order.
function inRange(version: string, range: VersionRange): boolean {
  let affected = false;
  for (const event of range.events) {
    if ('introduced' in event && (event.introduced === '0' || gem.compare(version, event.introduced) >= 0)) affected = true;
    if ('fixed' in event && gem.compare(version, event.fixed) >= 0) affected = false;
    if ('last_affected' in event && gem.compare(version, event.last_affected) > 0) affected = false;
  }
  return affected;
}

describe('rubysec feed', () => {
  it('reads every real advisory (SOURCE.md: 152 gem files + 15 rubies)', async () => {
    const sink = await ingestShared();
    assert.deepEqual(sink.skips, []);
    assert.equal(sink.advisories.length, files.length);
    const source = readFileSync(join(ROOT, 'SOURCE.md'), 'utf8');
    assert.equal(files.filter((name) => name.startsWith('gems/')).length, Number(/= (\d+) files/.exec(source)![1]));
    assert.equal(files.filter((name) => name.startsWith('rubies/')).length, Number(/the (\d+) highest-sorted/.exec(source)![1]));
  });

  it('keeps every field of a record', async () => {
    const sink = await ingestShared();
    for (const name of ['gems/rack/CVE-2011-5036.yml', 'gems/rack/CVE-2018-16470.yml', 'rubies/ruby/CVE-2019-16255.yml']) {
      const record = parsed(name);
      const advisory = sink.byId(idOf(name));
      assert.equal(advisory.source, 'rubysec');
      assert.equal(advisory.summary, record.title);
      assert.equal(advisory.details, record.description);
      assert.equal(advisory.published, record.date);
      assert.deepEqual(advisory.aliases, [
        ...(record.cve ? [`CVE-${record.cve}`] : []), ...(record.ghsa ? [`GHSA-${record.ghsa}`] : []), ...(record.osvdb ? [`OSVDB-${record.osvdb}`] : []),
      ]);
      assert.deepEqual(advisory.references, [...new Set([record.url, ...(record.related?.url ?? [])])]);
      assert.deepEqual(advisory.severity, [
        ...(record.cvss_v2 !== undefined ? [{ by: 'rubysec', cvssVersion: '2.0', score: record.cvss_v2 }] : []),
        ...(record.cvss_v3 !== undefined ? [{ by: 'rubysec', cvssVersion: '3.0', score: record.cvss_v3 }] : []),
      ]);
      const [affected] = advisory.affected;
      assert.equal(advisory.affected.length, 1);
      assert.deepEqual([affected!.namespace, affected!.packageName], record.gem ? ['rubygems', record.gem] : ['ruby', record.engine]);
      assert.equal(affected!.status, record.patched_versions?.length ? 'fixed' : 'affected');
      assert.ok(affected!.statusReason!.includes(`patched: ${record.patched_versions!.join(' | ')}`));
    }
    // `~> 1.1.3` holds 1.1.3 up to (not including) 1.2 and its prereleases: the fixed versions are the lower ends.
    assert.deepEqual(sink.byId('gems/rack/CVE-2011-5036').affected[0]!.fixedVersions, ['1.1.3', '1.2.5', '1.3.6', '1.4.0']);
  });

  it('the range holds exactly the versions no safe requirement allows, for every real advisory', async () => {
    const sink = await ingestShared();
    let probed = 0;
    for (const name of files) {
      const record = parsed(name);
      const safe = [...(record.patched_versions ?? []), ...(record.unaffected_versions ?? [])];
      const [affected] = sink.byId(idOf(name)).affected;
      const boundaries = safe.flatMap((requirement) => requirement.split(',').map((constraint) => constraint.replace(/^\s*(~>|>=|<=|!=|>|<|=)?\s*/, '').trim()));
      // Each version named, just below and above it, prereleases of it and of the next release line.
      const probes = ['0.0.1', '999', ...boundaries.flatMap((version) => {
        const release = releaseOf(version);
        return [version, `${release}.rc1`, `${release}.0.1`, `${release}.1`, bump(version), `${bump(version)}.0.rc1`, `${bump(version)}.0`, `${release.replace(/\d+$/, (last) => String(Math.max(0, Number(last) - 1)))}`];
      })];
      const approximate = affected!.statusReason?.startsWith('range approximate') ?? false;
      for (const version of probes) {
        const expected = !safe.some((requirement) => satisfies(version, requirement));
        // An approximate range counts the `<= v` boundary itself as affected; everything else is exact.
        if (approximate && boundaries.includes(version) && !expected) continue;
        assert.equal(inRange(version, affected!.ranges[0]!), expected, `${name}: ${version}`);
        probed++;
      }
    }
    assert.ok(probed > 1000);
  });

  it('skips malformed YAML and unreadable requirements, keeping the rest', async () => {
    const good = readFileSync(join(ROOT, files[0]!), 'utf8');
    const sink = new CollectingSink();
    await rubysecFeed.ingest(memoryFiles({
      'gems/x/bad.yml': 'gem: [unclosed',
      'gems/x/op.yml': good.replace(/patched_versions:\n/, 'patched_versions:\n  - "!= 1.0"\n'),
      'gems/x/version.yml': good.replace(/patched_versions:\n/, 'patched_versions:\n  - ">= not a version"\n'),
      'gems/x/no-gem.yml': good.replace(/^gem: .*$/m, ''),
      [files[0]!]: good,
      'README.md': '# not an advisory',
    }), sink);
    assert.deepEqual(sink.advisories.map((advisory) => advisory.id), [idOf(files[0]!)]);
    assert.deepEqual(sink.skips.map((skip) => skip.where), ['gems/x/bad.yml', 'gems/x/op.yml', 'gems/x/version.yml', 'gems/x/no-gem.yml']);
    assert.match(sink.skips[0]!.reason, /^not valid YAML/);
    assert.match(sink.skips[1]!.reason, /!= is not supported/);
    assert.match(sink.skips[2]!.reason, /cannot read requirement ">= not a version"/);
    assert.equal(sink.skips[3]!.reason, 'advisory names no gem');
  });
});
