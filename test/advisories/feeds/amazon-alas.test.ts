// The amazon-alas feed over the shared ALAS samples (../shared/data/advisories/amazon, see its SOURCE.md):
// every updateinfo excerpt, ALAS page and RSS file. Expected values are read in the test from the raw
// files with regular expressions, independently of the feed's XML reader. End to end, an AL2023 and an
// Amazon Linux AMI (VERSION_ID 2018.03) package below the fix gives a finding, one at the fix none.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { amazonAlasFeed } from '../../../src/advisories/feeds/amazon-alas/amazonAlasFeed.ts';
import type { Advisory } from '../../../src/advisories/model.ts';
import { FEEDS } from '../../../src/advisories/feeds/registry.ts';
import { distroNamespace } from '../../../src/match/namespaces.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';
import { rpmFindings, smallDatabase, type SmallDatabase } from './rpm-feed-match.ts';

const AMAZON = join(SHARED, 'data/advisories/amazon');
const UPDATEINFO = join(AMAZON, 'updateinfo-excerpts');

interface RawUpdate {
  id: string;
  collection: string;
  severity: string;
  cves: string[];
  /** name → [epoch:]version-release, epoch 0 left out. */
  packages: Map<string, string>;
}

/** One excerpt's `<update>`, read with regular expressions. */
function rawUpdate(file: string): RawUpdate {
  const xml = gunzipSync(readFileSync(join(UPDATEINFO, file))).toString('utf8');
  const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  const packages = new Map<string, string>();
  for (const [tag] of xml.matchAll(/<package [^>]*>/g)) {
    const epoch = attribute(tag, 'epoch');
    packages.set(attribute(tag, 'name'), `${epoch === '0' ? '' : `${epoch}:`}${attribute(tag, 'version')}-${attribute(tag, 'release')}`);
  }
  return {
    id: /<id>([^<]+)<\/id>/.exec(xml)![1]!,
    collection: /<collection short="([^"]+)"/.exec(xml)![1]!,
    severity: /<severity>([^<]+)<\/severity>/.exec(xml)![1]!,
    cves: [...xml.matchAll(/<reference [^>]*id="(CVE-[^"]+)"[^>]*type="cve"/g)].map((m) => m[1]!).sort(),
    packages,
  };
}

/** The advisories of one ALAS: one per CVE, aliased to the ALAS id. */
const ofAlas = (advisories: Advisory[], alas: string): Advisory[] => advisories.filter((a) => a.aliases.includes(alas));
const alasIds = (advisories: Advisory[]): string[] => [...new Set(advisories.flatMap((a) => a.aliases))].sort();

const NAMESPACES: Record<string, string> = { 'amazon-linux-ami': 'amazon:2018', 'amazon-linux-2': 'amazon:2', 'amazon-linux-2022': 'amazon:2022', 'amazon-linux-2023': 'amazon:2023' };

describe('amazon-alas: updateinfo.xml', () => {
  it('reads every core excerpt as one advisory per CVE aliased to the ALAS id, and skips the extras repositories', async () => {
    const collected = await ingestAll(amazonAlasFeed, filesUnder(UPDATEINFO));
    const files = readdirSync(UPDATEINFO).sort();
    assert.equal(files.length, 7);
    const raws = files.map(rawUpdate);
    const core = raws.filter((raw) => !raw.collection.includes('---'));
    assert.deepEqual(core.map((raw) => raw.collection).sort(), Object.keys(NAMESPACES).sort());
    assert.deepEqual(alasIds(collected.advisories), core.map((raw) => raw.id).sort());
    for (const raw of core) {
      const advisories = ofAlas(collected.advisories, raw.id);
      assert.deepEqual(advisories.map((a) => a.id).sort(), raw.cves);
      for (const advisory of advisories) {
      assert.equal(advisory.source, 'amazon-alas');
      assert.deepEqual(advisory.aliases, [raw.id]);
      assert.deepEqual(advisory.severity, [{ by: 'amazon', rating: raw.severity.toLowerCase() }]);
      assert.deepEqual(
        advisory.affected.map((row) => [row.namespace, row.packageName, row.status, row.fixedVersions]).sort(),
        [...raw.packages].map(([name, evr]) => [NAMESPACES[raw.collection], name, 'fixed', [evr]]).sort(),
      );
      for (const row of advisory.affected) assert.deepEqual(row.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixedVersions[0] }] }]);
      }
    }
    // AL2023 writes "Important"; the 61 packages of ALAS2023-2023-001 are 21 names over three architectures.
    assert.equal(rawUpdate('updateinfo_2023.xml.gz').severity, 'Important');
    assert.equal(ofAlas(collected.advisories, 'ALAS2023-2023-001')[0]!.affected.length, 21);
    // vim carries epoch 2 in AL2022's updateinfo.
    assert.ok(ofAlas(collected.advisories, 'ALAS2022-2021-001')[0]!.affected.every((row) => row.fixedVersions[0]!.startsWith('2:')));
    const extras = raws.filter((raw) => raw.collection.includes('---'));
    assert.deepEqual(
      collected.skipped.map((s) => s.where).sort(),
      extras.map((raw) => `${files[raws.indexOf(raw)]} ${raw.id}`).sort(),
    );
    for (const skipped of collected.skipped) assert.match(skipped.reason, /^extras repository "amazon-linux-(?:2|2023)---[\w.-]+" is not read/);
  });
});

describe('amazon-alas: ALAS pages and RSS', () => {
  /** The NEVRAs of a page's "New Packages:" block, read with one regular expression. */
  function pageNevras(file: string): string[] {
    const html = readFileSync(join(AMAZON, 'alas-html', file), 'utf8');
    return [...html.matchAll(/&nbsp;&nbsp;&nbsp; ([^<]+)<br \/>/g)].map((m) => m[1]!);
  }

  it('reads each page as its release\'s advisories (the ALAS id as updateinfo writes it), with the RSS item\'s CVEs too', async () => {
    const collected = await ingestAll(amazonAlasFeed, (async function* () {
      yield* filesUnder(join(AMAZON, 'alas-html'));
      yield* filesUnder(join(AMAZON, 'alas-rss'));
    })());
    assert.deepEqual(collected.skipped, []);
    const expected = [
      ['AL2-ALAS-2018-939.html', 'ALAS2-2018-939', 'amazon:2', 'critical', '2_rss.xml'],
      ['AL2022-ALAS-2021-001.html', 'ALAS2022-2021-001', 'amazon:2022', 'medium', '2022_rss.xml'],
      ['AL2023-ALAS-2023-126.html', 'ALAS2023-2023-126', 'amazon:2023', 'important', '2023_rss.xml'],
    ] as const;
    assert.deepEqual(alasIds(collected.advisories), expected.map((e) => e[1]));
    for (const [file, id, namespace, severity, rss] of expected) {
      const rssText = readFileSync(join(AMAZON, 'alas-rss', rss), 'utf8');
      const rssCves = /<description>\s*([^<]+?)\s*<\/description>\s*<pubDate>/.exec(rssText)![1]!.split(/,\s*/).sort();
      const pageCves = [...readFileSync(join(AMAZON, 'alas-html', file), 'utf8').matchAll(/href='\/cve\/html\/(CVE-[\d-]+)\.html'/g)].map((m) => m[1]).sort();
      // AL2022's page links two of the four CVEs its RSS item (and updateinfo) lists: the advisory has them all.
      assert.deepEqual(ofAlas(collected.advisories, id).map((a) => a.id).sort(), [...new Set([...pageCves, ...rssCves])].sort());
      if (id === 'ALAS2022-2021-001') assert.deepEqual([pageCves.length, rssCves.length], [2, 4]);
      const advisory = ofAlas(collected.advisories, id)[0]!;
      assert.deepEqual(advisory.severity, [{ by: 'amazon', rating: severity }]);
      assert.deepEqual(advisory.references, [/<link>(https:[^<]+)<\/link>\s*<\/item>/.exec(rssText)![1]]);
      // Every NEVRA's name at its version-release (source RPMs included), one row per name.
      const rows = new Map<string, string>();
      for (const nevra of pageNevras(file)) {
        const [, name, vr] = /^(.+)-([^-]+-[^-]+)\.[a-z0-9_]+$/.exec(nevra)!;
        rows.set(name!, vr!);
      }
      assert.deepEqual(
        advisory.affected.map((row) => [row.namespace, row.packageName, row.fixedVersions[0]]).sort(),
        [...rows].map(([name, vr]) => [namespace, name, vr]).sort(),
      );
    }
    // The page and updateinfo agree on AL2's kernel fix; AL2022's page writes vim without its epoch 2.
    const kernel = ofAlas(collected.advisories, 'ALAS2-2018-939')[0]!.affected.find((row) => row.packageName === 'kernel');
    assert.deepEqual(kernel?.fixedVersions, [rawUpdate('updateinfo_2.xml.gz').packages.get('kernel')]);
    const vim = ofAlas(collected.advisories, 'ALAS2022-2021-001')[0]!.affected.find((row) => row.packageName === 'vim-minimal');
    assert.deepEqual(vim?.fixedVersions, ['8.2.3512-1.amzn2022']);
  });

  it('reads updateinfo in place of a page for the same advisory, and skips RSS items without a page', async () => {
    const both = await ingestAll(amazonAlasFeed, filesUnder(AMAZON));
    assert.deepEqual(alasIds(both.advisories), ['ALAS-2011-1', 'ALAS2-2018-939', 'ALAS2022-2021-001', 'ALAS2023-2023-001', 'ALAS2023-2023-126']);
    assert.deepEqual(both.skipped.filter((s) => s.where.startsWith('alas-html/')).map((s) => [s.where, s.reason]), [
      ['alas-html/AL2-ALAS-2018-939.html', 'ALAS2-2018-939 is read from updateinfo already'],
      ['alas-html/AL2022-ALAS-2021-001.html', 'ALAS2022-2021-001 is read from updateinfo already'],
    ]);
    const rssOnly = await ingestAll(amazonAlasFeed, filesUnder(join(AMAZON, 'alas-rss')));
    assert.deepEqual(rssOnly.advisories, []);
    assert.deepEqual(rssOnly.skipped.map((s) => s.where), ['2022_rss.xml ALAS-2021-001', '2023_rss.xml ALAS-2023-126', '2_rss.xml ALAS-2018-939']);
    for (const skipped of rssOnly.skipped) assert.match(skipped.reason, /^no advisory page for ALAS20?2?2?3?-\d{4}-\d+: the fixed packages are only on the page$/);
  });

  it('counts malformed records as skipped with the reason and keeps the rest', async () => {
    const update = (id: string, collection: string, severity: string, pkg: string) =>
      `<update type="security"><id>${id}</id><severity>${severity}</severity><references><reference id="CVE-2099-0001" type="cve" href="x"/></references><pkglist><collection short="${collection}">${pkg}</collection></pkglist></update>`;
    const good = '<package name="foo" epoch="0" version="1.0" release="1.amzn2023" arch="x86_64"/>';
    const updateinfo = `<?xml version="1.0"?><updates>${[
      update('ALAS2023-2099-001', 'amazon-linux-2023', 'low', good),
      update('ALAS2023-2099-002', 'amazon-linux-2099', 'low', good),
      update('ALAS2023-2099-003', 'amazon-linux-2023', 'urgent', good),
      update('ALAS2023-2099-004', 'amazon-linux-2023', 'low', '<package name="foo" epoch="x" version="1.0" release="1" arch="x86_64"/>'),
      update('ALAS2-2099-005', 'amazon-linux-2023', 'low', good),
    ].join('')}</updates>`;
    const page = readFileSync(join(AMAZON, 'alas-html/AL2023-ALAS-2023-126.html'), 'utf8');
    const collected = await ingestAll(amazonAlasFeed, filesOf(
      { name: 'a/updateinfo.xml', content: updateinfo },
      { name: 'b/updateinfo.xml', content: '<updates><update>' },
      { name: 'AL2023/ALAS-2023-126.html', content: page.replace('kpartx-0.8.7-16.amzn2023.0.1.x86_64', 'kpartx 0.8.7') },
      { name: 'AL2023/ALAS-2023-127.html', content: '<html>nothing</html>' },
      { name: 'bad_rss.xml', content: '<rss><channel><item><title>hello</title></item></channel></rss>' },
    ));
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.aliases, a.affected.map((row) => `${row.namespace} ${row.packageName} ${row.fixedVersions}`)]), [['CVE-2099-0001', ['ALAS2023-2099-001'], ['amazon:2023 foo 1.0-1.amzn2023']]]);
    assert.deepEqual(collected.skipped.map((s) => [s.where, s.reason]), [
      ['a/updateinfo.xml ALAS2023-2099-002', 'unknown collection "amazon-linux-2099"'],
      ['a/updateinfo.xml ALAS2023-2099-003', 'unknown severity "urgent"'],
      ['a/updateinfo.xml ALAS2023-2099-004', 'package foo: invalid rpm version "x:1.0-1"'],
      ['a/updateinfo.xml ALAS2-2099-005', 'id ALAS2-2099-005 does not belong to amazon-linux-2023'],
      ['b/updateinfo.xml', collected.skipped[4]!.reason],
      ['AL2023/ALAS-2023-126.html', 'New Packages: unexpected line "kpartx 0.8.7"'],
      ['AL2023/ALAS-2023-127.html', 'not an ALAS page (no "Security Advisory:" line)'],
      ['bad_rss.xml item[0]', 'item without "ALAS-… (severity): package" title or advisory link ("hello")'],
    ]);
    assert.match(collected.skipped[4]!.reason, /^malformed XML: /);
  });
});

describe('amazon-alas: matching through the database', () => {
  let db: SmallDatabase;
  before(async () => {
    db = await smallDatabase(amazonAlasFeed, [UPDATEINFO]);
    assert.deepEqual(db.outcomes.map((o) => o.outcome), ['updated']);
  });
  after(async () => db?.close());

  it('is registered and its namespaces are the matcher\'s', () => {
    assert.ok(FEEDS.includes(amazonAlasFeed));
    assert.equal(distroNamespace({ id: 'amzn', versionId: '2018.03' }), 'amazon:2018');
    assert.equal(distroNamespace({ id: 'amzn', versionId: '2' }), 'amazon:2');
    assert.equal(distroNamespace({ id: 'amzn', versionId: '2023' }), 'amazon:2023');
  });

  it('finds rsyslog below the AL2023 fix (Amazon\'s "Important" rates it high) and nothing at it', async () => {
    const fixed = rawUpdate('updateinfo_2023.xml.gz').packages.get('rsyslog')!;
    assert.equal(fixed, '8.2204.0-3.amzn2023.0.2');
    const below = await rpmFindings(db.store, { id: 'amzn', versionId: '2023' }, [['rsyslog', '8.2204.0-3.amzn2023.0.1']]);
    assert.deepEqual(below, ['CVE-2014-3634', 'CVE-2022-24903'].map((id) => ({ id, aliases: ['ALAS2023-2023-001'], package: 'rsyslog', installed: '8.2204.0-3.amzn2023.0.1', fixed: [fixed], status: 'fixed', rated: 'high by amazon' })));
    assert.deepEqual(await rpmFindings(db.store, { id: 'amzn', versionId: '2023' }, [['rsyslog', fixed]]), []);
    // The same package on AL2 is another release's.
    assert.deepEqual(await rpmFindings(db.store, { id: 'amzn', versionId: '2' }, [['rsyslog', '8.2204.0-3.amzn2023.0.1']]), []);
  });

  it('finds httpd-devel on the Amazon Linux AMI 2018.03 below its fix', async () => {
    const findings = await rpmFindings(db.store, { id: 'amzn', versionId: '2018.03' }, [['httpd-devel', '2.2.21-1.17.amzn1'], ['kernel', '4.9.76-38.79.amzn2']]);
    assert.deepEqual(findings, [{ id: 'CVE-2011-3192', aliases: ['ALAS-2011-1'], package: 'httpd-devel', installed: '2.2.21-1.17.amzn1', fixed: ['2.2.21-1.18.amzn1'], status: 'fixed', rated: 'medium by amazon' }]);
  });
});
