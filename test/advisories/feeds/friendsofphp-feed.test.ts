import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { friendsOfPhpFeed } from '../../../src/advisories/feeds/friendsofphp/friendsofphp-feed.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { CollectingSink, feedFiles, filesUnder, memoryFiles } from './language-feed-files.ts';

const ROOT = join(SHARED, 'data/advisories/friendsofphp');
const files = filesUnder(ROOT).filter((name) => name.endsWith('.yaml'));

interface Branch { time: string | null; versions: string[] }
interface PhpAdvisory { title: string; link: string; cve: string | null; reference: string; branches: Record<string, Branch> }

async function ingestShared(): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await friendsOfPhpFeed.ingest(feedFiles(ROOT, filesUnder(ROOT).filter((name) => friendsOfPhpFeed.wants({ name }))), sink);
  return sink;
}

describe('friendsofphp feed', () => {
  it('reads every real advisory, one per file (SOURCE.md: 165)', async () => {
    const sink = await ingestShared();
    assert.deepEqual(sink.skips, []);
    assert.equal(sink.advisories.length, files.length);
    const source = readFileSync(join(ROOT, 'SOURCE.md'), 'utf8');
    assert.equal(files.length, Number(/= (\d+) files/.exec(source)![1]));
    assert.equal(new Set(sink.advisories.map((advisory) => advisory.id)).size, files.length);
  });

  it('keeps every field, one range per branch', async () => {
    const sink = await ingestShared();
    // A record with several branches and a CVE, one with `<=`, one with an upper bound only.
    const withLastAffected = files.find((name) => readFileSync(join(ROOT, name), 'utf8').includes("'<="))!;
    const upperOnly = files.find((name) => /versions: \['<[^,]*\]/.test(readFileSync(join(ROOT, name), 'utf8')))!;
    for (const name of ['guzzlehttp/guzzle/CVE-2016-5385.yaml', withLastAffected, upperOnly]) {
      const record = parseYaml(readFileSync(join(ROOT, name), 'utf8')) as PhpAdvisory;
      const packageName = record.reference.replace('composer://', '');
      const advisory = sink.byId(`${packageName}/${name.split('/').pop()!.replace(/\.yaml$/, '')}`);
      assert.equal(advisory.source, 'friendsofphp');
      assert.equal(advisory.summary, record.title);
      assert.deepEqual(advisory.references, [record.link]);
      assert.deepEqual(advisory.aliases.filter((alias) => alias.startsWith('CVE-')), record.cve ? [record.cve] : []);
      assert.deepEqual(advisory.severity, []);
      assert.equal(advisory.affected.length, 1);
      const [affected] = advisory.affected;
      assert.equal(affected!.namespace, 'packagist');
      assert.equal(affected!.packageName, packageName);
      const expected = Object.values(record.branches).map((branch) => {
        const events = branch.versions.map((constraint) => {
          const version = constraint.replace(/^(>=|<=|<)/, '');
          if (constraint.startsWith('>=')) return { introduced: version };
          return constraint.startsWith('<=') ? { last_affected: version } : { fixed: version };
        });
        return { type: 'ECOSYSTEM', events: events.some((event) => 'introduced' in event) ? events : [{ introduced: '0' }, ...events] };
      });
      assert.deepEqual(affected!.ranges, expected, name);
      const fixed = Object.values(record.branches).flatMap((branch) => branch.versions.filter((constraint) => /^<[^=]/.test(constraint)).map((constraint) => constraint.slice(1)));
      assert.deepEqual(affected!.fixedVersions, [...new Set(fixed)]);
      assert.equal(affected!.status, fixed.length > 0 ? 'fixed' : 'affected');
    }
    assert.deepEqual(sink.byId('guzzlehttp/guzzle/CVE-2016-5385').affected[0]!.ranges.length, 3);
  });

  it('wants advisory files, not the repository\'s own', () => {
    assert.deepEqual(['symfony/symfony/CVE-2019-10909.yaml', 'security-advisories-master/twig/twig/2013-04-08.yaml', '.github/workflows/x.yaml', 'README.md'].map((name) => friendsOfPhpFeed.wants({ name })), [true, true, false, false]);
  });

  it('skips malformed YAML and operators without an OSV event, keeping the rest', async () => {
    const good = readFileSync(join(ROOT, files[0]!), 'utf8');
    const sink = new CollectingSink();
    await friendsOfPhpFeed.ingest(memoryFiles({
      'a/b/bad.yaml': 'title: [unclosed',
      'a/b/gt.yaml': good.replace(/versions: \[.*\]/, "versions: ['>1.0.0', '<2.0.0']"),
      'a/b/no-reference.yaml': good.replace(/reference: .*/, 'reference: github://x'),
      [files[0]!]: good,
    }), sink);
    assert.equal(sink.advisories.length, 1);
    assert.deepEqual(sink.skips.map((skip) => skip.where), ['a/b/bad.yaml', 'a/b/gt.yaml', 'a/b/no-reference.yaml']);
    assert.match(sink.skips[0]!.reason, /^not valid YAML/);
    assert.match(sink.skips[1]!.reason, /">1\.0\.0" has no OSV event/);
    assert.match(sink.skips[2]!.reason, /is not composer:\/\/vendor\/package/);
  });
});
