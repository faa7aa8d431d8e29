// The wolfi-secdb and chainguard-secdb feeds: Alpine's secdb reader with a fixed, rolling namespace.
// No Wolfi or Chainguard file is in ../shared, so data/wolfi/security.json is HAND-WRITTEN after the documented
// format: the wolfi-secdb tool's README ("Specification": urlprefix, apkurl, reponame, archs, packages[].pkg
// {name, secfixes}) and the Wolfi secdb test fixture of anchore/vunnel
// (tests/unit/providers/wolfi/test-fixtures/input/secdb/os/security.json: reponame "os", urlprefix
// https://packages.wolfi.dev, secfixes version "0" for issues a package was never affected by, GHSA ids
// beside CVEs), with its package names, versions and ids. Expected values are read from that JSON here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alpineSecdbFeed } from '../../../src/advisories/feeds/alpine-secdb/alpineSecdbFeed.ts';
import { chainguardSecdbFeed, wolfiSecdbFeed } from '../../../src/advisories/feeds/wolfi-secdb/rollingSecdbFeed.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Distro, Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const WOLFI = join(import.meta.dirname, 'data/wolfi');
const SAMPLE = join(WOLFI, 'security.json');

type Secdb = { reponame: string; packages: { pkg: { name: string; secfixes: Record<string, string[]> } }[] };
const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Secdb;

/** Every (id, package, status, fixed) the raw file states, for one namespace. */
function expectedRows(namespace: string): string[] {
  const rows: string[] = [];
  for (const { pkg } of raw.packages) {
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      for (const id of ids) rows.push(JSON.stringify([id, namespace, pkg.name, version === '0' ? 'not-affected' : 'fixed', version === '0' ? [] : [version]]));
    }
  }
  return rows.sort();
}

describe('wolfi-secdb and chainguard-secdb: the security.json format', () => {
  it('reads every secfix of the sample into the wolfi namespace', async () => {
    assert.equal(raw.reponame, 'os');
    const collected = await ingestAll(wolfiSecdbFeed, filesUnder(WOLFI));
    assert.deepEqual(collected.skipped, []);
    const rows = collected.advisories.flatMap((a) => a.affected.map((row) => JSON.stringify([a.id, row.namespace, row.packageName, row.status, row.fixedVersions])));
    assert.deepEqual(rows.sort(), expectedRows('wolfi'));
    assert.ok(rows.length >= 8);
    for (const advisory of collected.advisories) assert.equal(advisory.source, 'wolfi-secdb');
    const fixed = collected.advisories.find((a) => a.id === 'CVE-2022-37434')!.affected[0]!;
    assert.deepEqual(fixed.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.12-r3' }] }]);
  });

  it('reads the same format from Chainguard into the chainguard namespace', async () => {
    const collected = await ingestAll(chainguardSecdbFeed, filesOf({ name: 'security.json', content: readFileSync(SAMPLE) }));
    assert.deepEqual(collected.skipped, []);
    const rows = collected.advisories.flatMap((a) => a.affected.map((row) => JSON.stringify([a.id, row.namespace, row.packageName, row.status, row.fixedVersions])));
    assert.deepEqual(rows.sort(), expectedRows('chainguard'));
    for (const advisory of collected.advisories) assert.equal(advisory.source, 'chainguard-secdb');
  });

  it('wants security.json files only, and Alpine does not take them', () => {
    assert.equal(wolfiSecdbFeed.wants({ name: 'security.json' }), true);
    assert.equal(chainguardSecdbFeed.wants({ name: 'os/security.json' }), true);
    assert.equal(wolfiSecdbFeed.wants({ name: 'v3.18/main.json' }), false);
    assert.equal(alpineSecdbFeed.wants({ name: 'security.json' }), false);
    assert.deepEqual(wolfiSecdbFeed.defaultLocations, ['https://packages.wolfi.dev/os/security.json']);
    assert.deepEqual(chainguardSecdbFeed.defaultLocations, ['https://packages.cgr.dev/chainguard/security.json']);
  });

  it('counts malformed files, bad versions and bad ids as skipped and keeps the rest', async () => {
    const document = {
      reponame: 'os',
      packages: [
        { pkg: { name: 'good', secfixes: { '1.0-r1': ['CVE-2099-0001'] } } },
        { pkg: { name: 'badversion', secfixes: { '1.0.-r1': ['CVE-2099-0002'] } } },
        { pkg: { name: 'badid', secfixes: { '1.0-r1': ['CVE-99'] } } },
        { pkg: { secfixes: {} } },
      ],
    };
    const collected = await ingestAll(
      wolfiSecdbFeed,
      filesOf(
        { name: 'broken/security.json', content: '{"packages": [' },
        { name: 'other/security.json', content: '{"hello": 1}' },
        { name: 'security.json', content: JSON.stringify(document) },
      ),
    );
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((r) => [r.namespace, r.packageName, r.fixedVersions])]), [['CVE-2099-0001', [['wolfi', 'good', ['1.0-r1']]]]]);
    assert.deepEqual(
      collected.skipped.map((s) => s.where),
      ['broken/security.json', 'other/security.json', 'security.json badversion 1.0.-r1', 'security.json badid 1.0-r1', 'security.json packages[3]'],
    );
    assert.match(collected.skipped[0]!.reason, /^malformed JSON/);
    assert.equal(collected.skipped[1]!.reason, 'not a secdb document (no packages list)');
    assert.equal(collected.skipped[2]!.reason, 'invalid apk version "1.0.-r1"');
    assert.match(collected.skipped[3]!.reason, /malformed id "CVE-99"/);
  });
});

describe('wolfi-secdb: end to end through the database and the matcher', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-wolfi-'));
    const outcomes = await updateDatabase(
      join(work, 'data'),
      [
        { name: 'wolfi-secdb', location: WOLFI },
        { name: 'chainguard-secdb', location: WOLFI },
      ],
      { openInput: openFeedInput, cacheDir: join(work, 'cache') },
    );
    assert.deepEqual(outcomes.map((o) => [o.outcome, 'source' in o ? o.source : '']), [['updated', 'wolfi-secdb'], ['updated', 'chainguard-secdb']]);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  function apkPackage(name: string, version: string, origin: string, distro: Distro): Package {
    return {
      id: `apk:${name}@${version}`,
      type: 'apk',
      name,
      version,
      sourceName: origin,
      sourceVersion: version,
      purl: `pkg:apk/${distro.id}/${name}@${version}?arch=x86_64`,
      licenses: [],
      locations: [{ path: '/lib/apk/db/installed', layerDiffId: `sha256:${'0'.repeat(64)}` as Digest }],
    };
  }

  const summary = async (distro: Distro, packages: Package[]) =>
    (await matchSbom(minimalSbom(packages, { distro }), store)).findings
      .map((f) => [f.id, f.status, f.fixedVersions, f.matches.map((m) => `${m.source} ${m.namespace}`)])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  it('a Wolfi package below a secfix → a finding with the fix; at it → none; a "0" entry → none', async () => {
    const wolfi: Distro = { id: 'wolfi', versionId: '20230201' };
    assert.deepEqual(await summary(wolfi, [apkPackage('busybox', '1.35.0-r2', 'busybox', wolfi)]), [
      ['CVE-2022-28391', 'fixed', ['1.35.0-r3'], ['wolfi-secdb wolfi']],
      ['CVE-2022-30065', 'fixed', ['1.35.0-r3'], ['wolfi-secdb wolfi']],
    ]);
    assert.deepEqual(await summary(wolfi, [apkPackage('busybox', '1.35.0-r3', 'busybox', wolfi)]), []);
    // Between zlib's two secfixes: only the later one applies (apk order: 1.2.12-r1 < 1.2.12-r3).
    assert.deepEqual(await summary(wolfi, [apkPackage('libz', '1.2.12-r1', 'zlib', wolfi)]), [['CVE-2022-37434', 'fixed', ['1.2.12-r3'], ['wolfi-secdb wolfi']]]);
    assert.deepEqual(await summary(wolfi, [apkPackage('coreutils', '9.1-r0', 'coreutils', wolfi)]), []);
  });

  it('a Chainguard image reads the chainguard namespace', async () => {
    const chainguard: Distro = { id: 'chainguard', versionId: '20230214' };
    assert.deepEqual(await summary(chainguard, [apkPackage('apko', '0.10.0-r5', 'apko', chainguard)]), [
      ['CVE-2023-39325', 'fixed', ['0.10.0-r6'], ['chainguard-secdb chainguard']],
      ['CVE-2023-3978', 'fixed', ['0.10.0-r6'], ['chainguard-secdb chainguard']],
    ]);
  });
});
