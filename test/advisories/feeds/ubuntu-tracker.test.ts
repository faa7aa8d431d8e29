// The ubuntu-tracker feed over the shared Ubuntu CVE Tracker files (uct/: active, ignored, retired), bad
// input, the Ubuntu OSV samples through the osv feed, and end to end through the database and the matcher.
// Expected rows are computed here from the raw text with the status rules of the task (released → fixed at
// the version, needs-triage → affected, ignored → ignored with its note, DNE/upstream/devel → no row) and a
// release table written out here from https://wiki.ubuntu.com/Releases, independently of the feed's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { osvFeed } from '../../../src/advisories/feeds/osv/osv-feed.ts';
import { releaseNamespace } from '../../../src/advisories/feeds/ubuntu-tracker/trackerAdvisory.ts';
import { ubuntuTrackerFeed } from '../../../src/advisories/feeds/ubuntu-tracker/ubuntuTrackerFeed.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import type { AffectedPackage } from '../../../src/advisories/model.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Distro, Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { rate } from '../../../src/severity/rate.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const UBUNTU = join(SHARED, 'data/advisories/ubuntu-tracker');
const UCT = join(UBUNTU, 'uct');

/** The releases the shared files name, from the Ubuntu wiki's release table. */
const VERSION_OF: Record<string, string> = { dapper: '6.06', edgy: '6.10', feisty: '7.04', trusty: '14.04', xenial: '16.04', bionic: '18.04', focal: '20.04', jammy: '22.04' };

/** The namespace a raw `<release>` should give; undefined: no row (`upstream`, `devel`). */
function expectedNamespace(release: string): string | undefined {
  if (release === 'upstream' || release === 'devel') return undefined;
  if (release.endsWith('/esm')) return `ubuntu-pro:${VERSION_OF[release.slice(0, -4)]}`;
  if (release.startsWith('esm-infra/')) return `ubuntu-pro:${VERSION_OF[release.slice(10)]}`;
  assert.ok(VERSION_OF[release], `release ${release} in the table of this test`);
  return `ubuntu:${VERSION_OF[release]}`;
}

type Row = [namespace: string, packageName: string, status: string, reason: string | undefined, fixed: string[]];

/** The rows the raw text of one file should give, read line by line without the feed's parser. */
function expectedRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || /^(Patches|Tags|Priority)_/.test(line)) continue;
    const match = /^([a-z/-]+)_([a-z0-9.+-]+): (\S+)(?: \((.*)\))?\s*$/.exec(line);
    if (!match) continue;
    const [, release, pkg, status, note] = match as unknown as [string, string, string, string, string | undefined];
    const namespace = expectedNamespace(release);
    if (namespace === undefined || status === 'DNE') continue;
    if (status === 'released') rows.push([namespace, pkg, 'fixed', undefined, [note!]]);
    else if (status === 'needs-triage') rows.push([namespace, pkg, 'affected', 'needs-triage', []]);
    else if (status === 'ignored') rows.push([namespace, pkg, 'ignored', note, []]);
    else assert.fail(`status ${status} not expected in the shared files`);
  }
  return rows;
}

const rowOf = (a: AffectedPackage): Row => [a.namespace, a.packageName, a.status, a.statusReason, a.fixedVersions];
const sortRows = (rows: Row[]): Row[] => [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

describe('ubuntu-tracker: release names', () => {
  it('maps codenames, ESM streams and leaves upstream/devel without a row', () => {
    assert.equal(releaseNamespace('jammy'), 'ubuntu:22.04');
    assert.equal(releaseNamespace('noble'), 'ubuntu:24.04');
    assert.equal(releaseNamespace('oracular'), 'ubuntu:24.10');
    assert.equal(releaseNamespace('plucky'), 'ubuntu:25.04');
    assert.equal(releaseNamespace('questing'), 'ubuntu:25.10');
    assert.equal(releaseNamespace('trusty/esm'), 'ubuntu-pro:14.04');
    assert.equal(releaseNamespace('esm-infra/xenial'), 'ubuntu-pro:16.04');
    assert.equal(releaseNamespace('esm-apps/jammy'), 'ubuntu-pro:22.04');
    assert.equal(releaseNamespace('esm-infra-legacy/trusty'), 'ubuntu-pro:14.04');
    assert.equal(releaseNamespace('fips-updates/focal'), 'ubuntu-pro-fips-updates:20.04');
    assert.equal(releaseNamespace('upstream'), null);
    assert.equal(releaseNamespace('devel'), null);
    assert.equal(releaseNamespace('snowflake'), undefined);
    assert.equal(releaseNamespace('realtime/jammy'), undefined);
    assert.equal(releaseNamespace('esm-infra/snowflake'), undefined);
  });
});

describe('ubuntu-tracker: the shared tracker files', () => {
  it('reads every CVE file of active/, ignored/ and retired/ into the rows its raw lines give, and not 00boilerplate', async () => {
    const collected = await ingestAll(ubuntuTrackerFeed, filesUnder(UCT));
    assert.deepEqual(collected.skipped, []);
    const files = ['active', 'ignored', 'retired'].flatMap((dir) => readdirSync(join(UCT, dir)).filter((name) => name.startsWith('CVE-')).map((name) => ({ dir, name })));
    assert.equal(files.length, 4);
    assert.deepEqual(collected.advisories.map((a) => a.id).sort(), files.map((f) => f.name).sort());
    assert.equal(ubuntuTrackerFeed.wants({ name: 'active/00boilerplate' }), false);
    for (const { dir, name } of files) {
      const text = readFileSync(join(UCT, dir, name), 'utf8');
      const advisory = collected.advisories.find((a) => a.id === name)!;
      assert.equal(advisory.source, 'ubuntu-tracker');
      assert.equal(advisory.id, /^Candidate: (\S+)/m.exec(text)?.[1]);
      assert.deepEqual(sortRows(advisory.affected.map(rowOf)), sortRows(expectedRows(text)), name);
      // Every reference URL of the raw `References:` block.
      const block = /^References:[^\n]*\n((?: [^\n]*\n)*)/m.exec(text)?.[1] ?? '';
      assert.deepEqual(advisory.references, block.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('http')));
      // `Priority: untriaged` rates nothing.
      if (/^Priority: untriaged/m.test(text)) assert.ok(!advisory.severity.some((s) => s.by === 'ubuntu'));
    }
  });

  it('keeps priority, CVSS, description and date of CVE-2022-36879 as written', async () => {
    const collected = await ingestAll(ubuntuTrackerFeed, filesUnder(UCT));
    const kernel = collected.advisories.find((a) => a.id === 'CVE-2022-36879')!;
    // Raw: `Priority: medium`, ` nvd: CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H [5.5 MEDIUM]`, `PublicDate: 2022-07-27 04:15:00 UTC`.
    assert.deepEqual(kernel.severity, [
      { by: 'ubuntu', rating: 'medium' },
      { by: 'nvd', cvssVersion: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', score: 5.5, rating: 'MEDIUM' },
    ]);
    assert.equal(kernel.published, '2022-07-27T04:15:00Z');
    assert.equal(
      kernel.details,
      'An issue was discovered in the Linux kernel through 5.18.14. xfrm_expand_policies in net/xfrm/xfrm_policy.c can cause a refcount to be dropped twice.',
    );
    for (const row of kernel.affected) assert.equal(row.urgency, 'medium');
    // The retired cpio CVE: `released (2.6-10)` for dapper, edgy, feisty; devel and upstream give no row.
    const cpio = collected.advisories.find((a) => a.id === 'CVE-1999-1572')!;
    assert.deepEqual(
      cpio.affected.map((a) => [a.namespace, a.ranges]),
      ['6.06', '6.10', '7.04'].map((v) => [`ubuntu:${v}`, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.6-10' }] }]]),
    );
    assert.equal(cpio.published, '2005-02-04');
  });
});

describe('ubuntu-tracker: bad input', () => {
  const good = [
    'Candidate: CVE-2099-0001',
    'PublicDate: 2099-01-02',
    'References:',
    ' https://example.org/advisory',
    'Description:',
    ' Something bad.',
    'Priority: high',
    ' (a reason, on its own line)',
    'Priority_foo_jammy: low',
    'CVSS:',
    ' nvd: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H [9.8 CRITICAL]',
    ' nvd: not-a-vector [1.0 LOW]',
    '',
    'Patches_foo:',
    ' upstream: https://example.org/fix.patch',
    'upstream_foo: released (1.2)',
    'jammy_foo: released (1.2-1ubuntu0.1)',
    'noble_foo: deferred (2099-02-01)',
    'focal_foo: needed',
    'bionic_foo: pending (1.0-1ubuntu0.2)',
    'xenial_foo: not-affected (code not present)',
    'esm-apps/xenial_foo: frobnicated',
    'snowflake_foo: needed',
    'trusty_foo: released (not a version!)',
    'this line has no colon',
    'devel_foo: needs-triage',
  ].join('\n');

  it('counts unknown statuses, unknown releases, bad versions, vectors and lines as skipped and keeps the rest', async () => {
    const collected = await ingestAll(
      ubuntuTrackerFeed,
      filesOf(
        { name: 'active/CVE-2099-0001', content: good },
        { name: 'active/CVE-2099-0002', content: 'PublicDate: 2099-01-01\nDescription: no candidate\n' },
        { name: 'retired/CVE-2099-0003', content: 'Candidate: not-a-cve\n' },
        { name: 'active/00boilerplate', content: 'Candidate:\n' },
        { name: 'ignored/CVE-2099-0004', content: 'Candidate: CVE-2099-0004\nPriority: urgentish\n' },
      ),
    );
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.severity]), [['CVE-2099-0001', collected.advisories[0]!.severity], ['CVE-2099-0004', []]]);
    const [advisory] = collected.advisories;
    assert.deepEqual(
      advisory!.affected.map((a) => [a.namespace, a.status, a.statusReason, a.fixedVersions, a.urgency]),
      [
        ['ubuntu:22.04', 'fixed', undefined, ['1.2-1ubuntu0.1'], 'low'],
        ['ubuntu:24.04', 'postponed', 'deferred (2099-02-01)', [], 'high'],
        ['ubuntu:20.04', 'affected', undefined, [], 'high'],
        ['ubuntu:18.04', 'affected', 'pending (1.0-1ubuntu0.2)', [], 'high'],
        ['ubuntu:16.04', 'not-affected', 'code not present', [], 'high'],
      ],
    );
    assert.deepEqual(advisory!.references, ['https://example.org/advisory']);
    assert.deepEqual(advisory!.severity.map((s) => [s.by, s.rating, s.score]), [['ubuntu', 'high', undefined], ['nvd', 'CRITICAL', 9.8]]);
    assert.deepEqual(
      collected.skipped.map((s) => [s.where, s.reason.replace(/:.*/s, '')]),
      [
        ['active/CVE-2099-0001 line 25', 'unreadable line "this line has no colon"'],
        ['active/CVE-2099-0001 esm-apps/xenial_foo', 'unknown status "frobnicated"'],
        ['active/CVE-2099-0001 snowflake_foo', 'unknown release "snowflake"'],
        ['active/CVE-2099-0001 trusty_foo', 'released version "not a version!" is not a Debian version'],
        ['active/CVE-2099-0001 CVSS', collected.skipped[4]!.reason.replace(/:.*/s, '')],
        ['active/CVE-2099-0002', 'malformed header'],
        ['retired/CVE-2099-0003', 'malformed header'],
        ['ignored/CVE-2099-0004 Priority', 'unknown priority "urgentish"'],
      ],
    );
    assert.match(collected.skipped[4]!.reason, /not-a-vector/);
    assert.equal(collected.skipped[5]!.reason, 'malformed header: Candidate "" is not a CVE id');
    assert.equal(collected.skipped[6]!.reason, 'malformed header: Candidate "not-a-cve" is not a CVE id');
  });
});

describe('ubuntu: the shared Ubuntu OSV records through the osv feed', () => {
  const files = [
    ...readdirSync(join(UBUNTU, 'osv')).map((name) => join(UBUNTU, 'osv', name)),
    ...readdirSync(join(SHARED, 'data/advisories/osv/ubuntu')).map((name) => join(SHARED, 'data/advisories/osv/ubuntu', name)),
  ];

  /** `Ubuntu:22.04:LTS` → `ubuntu:22.04`, `Ubuntu:Pro:16.04:LTS` → `ubuntu-pro:16.04`, `Ubuntu:24.10` → `ubuntu:24.10`. */
  function namespaceOf(ecosystem: string): string {
    const parts = ecosystem.split(':').filter((part) => part !== 'LTS');
    const release = parts.pop()!;
    return `${parts.join('-').toLowerCase()}:${release}`;
  }

  it('puts every affected entry in ubuntu:/ubuntu-pro: with its source package and fixed version', async () => {
    assert.equal(files.length, 4);
    for (const path of files) {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as { id: string; affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[] };
      const collected = await ingestAll(osvFeed, filesOf({ name: path.split('/').pop()!, content: readFileSync(path) }));
      assert.deepEqual(collected.skipped, [], path);
      const advisory = collected.advisories.find((a) => a.id === raw.id);
      assert.ok(advisory, raw.id);
      const expected = raw.affected.map((entry) => {
        const fixed = entry.ranges.flatMap((range) => range.events.map((event) => event.fixed).filter((v) => v !== undefined));
        return [namespaceOf(entry.package.ecosystem), entry.package.name, fixed.length > 0 ? 'fixed' : 'affected', fixed];
      });
      assert.deepEqual(
        advisory.affected.map((a) => [a.namespace, a.packageName, a.status, a.fixedVersions]),
        expected,
        raw.id,
      );
      for (const [namespace] of expected) assert.match(namespace as string, /^ubuntu(-pro)?:\d+\.\d+$/);
    }
  });
});

describe('ubuntu-tracker: end to end through the database and the matcher', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-ubuntu-tracker-'));
    const outcomes = await updateDatabase(join(work, 'data'), [{ name: 'ubuntu-tracker', location: UCT }], { openInput: openFeedInput, cacheDir: join(work, 'cache') });
    assert.deepEqual(outcomes.map((o) => [o.outcome, 'source' in o ? o.source : '']), [['updated', 'ubuntu-tracker']]);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  function debPackage(name: string, version: string, source: { name: string; version: string }, distro: Distro): Package {
    return {
      id: `deb:${name}@${version}`,
      type: 'deb',
      name,
      version,
      sourceName: source.name,
      sourceVersion: source.version,
      purl: `pkg:deb/ubuntu/${name}@${version}?distro=ubuntu-${distro.versionId}`,
      licenses: [],
      locations: [{ path: '/var/lib/dpkg/status', layerDiffId: `sha256:${'0'.repeat(64)}` as Digest }],
    };
  }

  async function findingsFor(distro: Distro, packages: Package[]) {
    const { findings } = await matchSbom(minimalSbom(packages, { distro }), store);
    return findings;
  }

  it('a released line: below the fix → a finding with the fixed version; at it → none', async () => {
    // CVE-1999-1572 (retired): `dapper_cpio: released (2.6-10)`.
    const dapper: Distro = { id: 'ubuntu', versionId: '6.06' };
    const below = await findingsFor(dapper, [debPackage('cpio', '2.6-9', { name: 'cpio', version: '2.6-9' }, dapper)]);
    assert.deepEqual(below.map((f) => [f.id, f.status, f.fixedVersions]), [['CVE-1999-1572', 'fixed', ['2.6-10']]]);
    assert.equal(below[0]!.matches[0]!.source, 'ubuntu-tracker');
    assert.equal(below[0]!.matches[0]!.namespace, 'ubuntu:6.06');
    const at = await findingsFor(dapper, [debPackage('cpio', '2.6-10', { name: 'cpio', version: '2.6-10' }, dapper)]);
    assert.deepEqual(at, []);
  });

  it('needs-triage → an affected finding rated by Ubuntu; DNE → none', async () => {
    // CVE-2022-36879: `jammy_linux: needs-triage`, `bionic_linux-riscv: DNE`, `Priority: medium`.
    const jammy: Distro = { id: 'ubuntu', versionId: '22.04' };
    const kernel = debPackage('linux-libc-dev', '5.15.0-91.101', { name: 'linux', version: '5.15.0-91.101' }, jammy);
    const triage = await findingsFor(jammy, [kernel]);
    assert.deepEqual(triage.map((f) => [f.id, f.status, f.statusReason, f.fixedVersions]), [['CVE-2022-36879', 'not-fixed', 'needs-triage', []]]);
    const rating = rate(triage[0]!, { type: 'deb' });
    assert.deepEqual([rating.level, rating.by, rating.rating, rating.cvss?.score], ['medium', 'ubuntu', 'medium', 5.5]);
    const bionic: Distro = { id: 'ubuntu', versionId: '18.04' };
    const riscv = debPackage('linux-riscv-headers', '5.0.0-1', { name: 'linux-riscv', version: '5.0.0-1' }, bionic);
    assert.deepEqual(await findingsFor(bionic, [riscv]), []);
    // The same package on jammy, where the line says needs-triage, is affected.
    const riscvJammy = debPackage('linux-riscv-headers', '5.15.0-1', { name: 'linux-riscv', version: '5.15.0-1' }, jammy);
    assert.deepEqual((await findingsFor(jammy, [riscvJammy])).map((f) => f.id), ['CVE-2022-36879']);
  });
});
