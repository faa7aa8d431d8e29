// The SUSE feed over SUSE's own documents: the two real CVRF advisories (vuln-list's JSON form) that
// touch the SLES 15.3 BCI rpm database, and the whole CSAF, CSAF VEX, CVRF XML and OSV samples. End to
// end, the SLES 15.3 fixture against those two advisories gives exactly their two findings. Expected
// values come from the raw documents and the fixture's reference package list (see the data's SOURCE.md).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { suseFeed } from '../../../src/advisories/feeds/suse/suseFeed.ts';
import { splitPackageReference, suseNamespace } from '../../../src/advisories/feeds/suse/products.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import { parseRpmDatabase } from '../../../src/catalog/rpm/rpmdb.ts';
import { packageUrl } from '../../../src/catalog/purl.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Distro, Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const SUSE = join(SHARED, 'data/advisories/suse');
const CVRF_JSON = join(SUSE, 'vuln-list-cvrf');
const FIXTURE = join(SHARED, 'data/fixtures/rpm/ndb-sles15.3-bci');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('suse: product names and package references', () => {
  it('maps SLE and Leap products to the release os-release names', () => {
    assert.equal(suseNamespace('SUSE Linux Enterprise Server 15 SP3'), 'suse:15.3');
    assert.equal(suseNamespace('SUSE Linux Enterprise Module for Basesystem 15 SP3'), 'suse:15.3');
    assert.equal(suseNamespace('SUSE Linux Enterprise Server 11 SP2-LTSS'), 'suse:11.2');
    assert.equal(suseNamespace('SUSE Linux Enterprise Server 15'), 'suse:15');
    assert.equal(suseNamespace('openSUSE Leap 15.3'), 'opensuse:15.3');
    assert.equal(suseNamespace('SUSE Package Hub 12'), undefined);
    assert.equal(suseNamespace('Container bci/bci-minimal:15.3'), undefined);
    assert.equal(suseNamespace('SUSE Linux Enterprise Micro 5.2'), undefined);
  });
  it('splits NAME-VERSION-RELEASE[.ARCH]', () => {
    assert.deepEqual(splitPackageReference('libz1-1.2.11-150000.3.30.1'), { name: 'libz1', evr: '1.2.11-150000.3.30.1' });
    assert.deepEqual(splitPackageReference('bind-9.9.4P2-0.6.1.i586'), { name: 'bind', evr: '9.9.4P2-0.6.1', arch: 'i586' });
    assert.deepEqual(splitPackageReference('xz-devel-5.2.3-150000.4.7.1'), { name: 'xz-devel', evr: '5.2.3-150000.4.7.1' });
    assert.equal(splitPackageReference('libdcerpc-binding0'), undefined);
  });
});

describe('suse: the CVRF JSON advisories', () => {
  it('gives one advisory per CVE, aliased to the SUSE-SU id, with every SLE 15 SP3 fix of the raw file', async () => {
    const collected = await ingestAll(suseFeed, filesUnder(CVRF_JSON));
    assert.deepEqual(collected.skipped, []);
    const files = [
      ['2022/SUSE-SU-2022-1061-1.json', 'CVE-2018-25032', 'SUSE-SU-2022:1061-1'],
      ['2022/SUSE-SU-2022-1158-1.json', 'CVE-2022-1271', 'SUSE-SU-2022:1158-1'],
    ] as const;
    assert.deepEqual(collected.advisories.map((a) => a.id).sort(), files.map((f) => f[1]).sort());
    for (const [file, cve, suseId] of files) {
      const raw = readJson(join(CVRF_JSON, file)) as { Vulnerabilities: { CVE: string; ProductStatuses: { Type: string; ProductID: string[] }[] }[] };
      const advisory = collected.advisories.find((a) => a.id === cve);
      assert.ok(advisory);
      assert.equal(advisory.source, 'suse');
      assert.deepEqual(advisory.aliases, [suseId]);
      assert.ok(advisory.severity.some((s) => s.by === 'suse' && s.rating === 'important'));
      // Independently: the packages SUSE lists as fixed for the SLES 15 SP3 products.
      const prefix = /^SUSE Linux Enterprise (?:Server|Module for [^:]+) 15 SP3:(.+)-([^-]+-[^-]+)$/;
      const expected = new Map<string, string>();
      for (const id of raw.Vulnerabilities[0]!.ProductStatuses.find((s) => s.Type === 'Fixed')!.ProductID) {
        const match = prefix.exec(id);
        if (match) expected.set(match[1]!, match[2]!);
      }
      assert.ok(expected.size > 0);
      const rows = advisory.affected.filter((a) => a.namespace === 'suse:15.3');
      for (const [name, evr] of expected) {
        const row = rows.find((a) => a.packageName === name);
        assert.ok(row, `${cve} ${name}`);
        assert.equal(row.status, 'fixed');
        assert.deepEqual(row.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: evr }] }]);
      }
    }
    const zlib = collected.advisories.find((a) => a.id === 'CVE-2018-25032')!;
    // CVSSScoreSets {BaseScore "5", Vector "AV:N/AC:L/Au:N/C:N/I:N/A:P"}: a CVSS 2.0 vector.
    assert.ok(zlib.severity.some((s) => s.by === 'suse' && s.cvssVersion === '2.0' && s.vector?.endsWith('AV:N/AC:L/Au:N/C:N/I:N/A:P') && s.score === 5));
    const libz1 = zlib.affected.find((a) => a.namespace === 'suse:15.3' && a.packageName === 'libz1');
    assert.deepEqual(libz1?.fixedVersions, ['1.2.11-150000.3.30.1']);
  });
});

describe('suse: the format samples', () => {
  it('reads the CSAF advisories: SLES 11 SP2 bind fixes (arch stripped) and openSUSE Package Hub (no scanned release)', async () => {
    const collected = await ingestAll(suseFeed, filesUnder(join(SUSE, 'csaf')));
    assert.deepEqual(collected.skipped, []);
    const raw = readJson(join(SUSE, 'csaf/suse-su-2015_0011-2.json')) as { vulnerabilities: { cve: string }[] };
    const bindIds = raw.vulnerabilities.map((v) => v.cve);
    for (const cve of bindIds) {
      const advisory = collected.advisories.find((a) => a.id === cve && a.aliases.includes('SUSE-SU-2015:0011-2'));
      assert.ok(advisory, cve);
      const bind = advisory.affected.find((a) => a.namespace === 'suse:11.2' && a.packageName === 'bind');
      assert.ok(bind, `${cve} bind in suse:11.2`);
      assert.deepEqual(bind.fixedVersions, ['9.9.4P2-0.6.1']);
    }
    const chromium = collected.advisories.filter((a) => a.aliases.includes('openSUSE-SU-2016:1623-1'));
    assert.ok(chromium.length > 0);
    for (const advisory of chromium) assert.deepEqual(advisory.affected, []); // SUSE Package Hub 12 only
    const cvss = chromium.find((a) => a.id === 'CVE-2016-1704')!.severity.find((s) => s.cvssVersion !== undefined);
    assert.deepEqual(cvss, { by: 'suse', cvssVersion: '3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', score: 8.8, rating: 'HIGH' });
  });

  it('skips, with a reason, the VEX without vulnerabilities, CVRF XML and OSV records', async () => {
    const vex = await ingestAll(suseFeed, filesUnder(join(SUSE, 'csaf-vex')));
    assert.deepEqual(vex.advisories, []);
    assert.deepEqual(vex.skipped, [{ where: 'cve-1999-0003.json', reason: 'CSAF document CVE-1999-0003 has no vulnerabilities list' }]);
    const xml = await ingestAll(suseFeed, filesUnder(join(SUSE, 'cvrf')));
    assert.equal(xml.advisories.length, 0);
    assert.equal(xml.skipped.length, 2);
    for (const skipped of xml.skipped) assert.match(skipped.reason, /CVRF XML is not read/);
    const osv = await ingestAll(suseFeed, filesUnder(join(SUSE, 'osv')));
    assert.equal(osv.advisories.length, 0);
    assert.deepEqual(osv.skipped.map((s) => s.reason), ['an OSV record: read SUSE OSV with the osv source', 'an OSV record: read SUSE OSV with the osv source']);
  });

  it('reads the CSAF VEX samples of the archive: known_not_affected as not-affected rows for SLES 15 SP3', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-suse-'));
    try {
      const input = await openFeedInput(join(SUSE, 'suse-format-samples.tar.xz'), { cacheDir, accept: (name) => suseFeed.wants({ name }) });
      const collected = await ingestAll(suseFeed, input.files);
      const samba = collected.advisories.find((a) => a.id === 'CVE-2023-5568');
      assert.ok(samba);
      assert.deepEqual(samba.aliases, []);
      const notAffected = samba.affected.filter((a) => a.status === 'not-affected' && a.namespace === 'suse:15.3');
      assert.ok(notAffected.some((a) => a.packageName === 'samba'), 'samba is not affected in SLES 15 SP3');
      assert.ok(samba.severity.some((s) => s.rating === 'moderate'));
      // Every document of the archive is an advisory or a skipped record with a reason.
      for (const skipped of collected.skipped) assert.ok(skipped.reason.length > 0);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('counts malformed records as skipped and keeps the rest', async () => {
    const good = { document: { category: 'csaf_security_advisory', csaf_version: '2.0', tracking: { id: 'SUSE-SU-2099:1-1' } }, vulnerabilities: [{ cve: 'CVE-2099-0001', product_status: { recommended: ['SUSE Linux Enterprise Server 15 SP3:foo-1.0-1.1.x86_64', 'SUSE Linux Enterprise Server 15 SP3:garbage'] } }, { cve: 'not-a-cve' }] };
    const collected = await ingestAll(suseFeed, filesOf({ name: 'broken.json', content: '{"document": ' }, { name: 'other.json', content: '{"hello": 1}' }, { name: 'good.json', content: JSON.stringify(good) }));
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((r) => [r.namespace, r.packageName, r.fixedVersions])]), [['CVE-2099-0001', [['suse:15.3', 'foo', ['1.0-1.1']]]]]);
    assert.deepEqual(
      collected.skipped.map((s) => s.where),
      ['broken.json', 'other.json', 'good.json CVE-2099-0001', 'good.json not-a-cve'],
    );
    assert.match(collected.skipped[0]!.reason, /^malformed JSON/);
    assert.equal(collected.skipped[1]!.reason, 'neither SUSE CSAF nor SUSE CVRF JSON');
    assert.match(collected.skipped[2]!.reason, /1 product id\(s\) without a readable package-version-release/);
  });
});

describe('suse: SLES 15.3 BCI rpm database against the two shared advisories', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-suse-db-'));
    const outcomes = await updateDatabase(join(work, 'data'), [{ name: 'suse', location: CVRF_JSON }], { openInput: openFeedInput, cacheDir: join(work, 'cache') });
    assert.deepEqual(outcomes.map((o) => [o.outcome, 'source' in o ? o.source : '']), [['updated', 'suse']]);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives exactly CVE-2018-25032 in libz1 and CVE-2022-1271 in liblzma5', async () => {
    // The fixture has no os-release; its SOURCE.md says it is bci-minimal:15.3 (os-release ID sles, VERSION_ID 15.3).
    const distro: Distro = { id: 'sles', versionId: '15.3' };
    const path = '/usr/lib/sysimage/rpm/Packages.db';
    const layerDiffId = `sha256:${'0'.repeat(64)}` as Digest;
    const found = parseRpmDatabase({ path, content: readFileSync(join(FIXTURE, 'Packages.db')), mode: 0o644, layerDiffId }).packages;
    assert.equal(found.length, 35);
    const packages: Package[] = found.map((pkg) => ({
      id: `rpm:${pkg.name}@${pkg.version}`,
      type: 'rpm',
      name: pkg.name,
      version: pkg.version,
      ...(pkg.arch ? { arch: pkg.arch } : {}),
      ...(pkg.sourceName ? { sourceName: pkg.sourceName } : {}),
      ...(pkg.sourceVersion ? { sourceVersion: pkg.sourceVersion } : {}),
      purl: packageUrl(pkg, distro),
      licenses: [],
      locations: [{ path, layerDiffId }],
    }));
    const { findings } = await matchSbom(minimalSbom(packages, { distro }), store);
    const byId = new Map(packages.map((pkg) => [pkg.id, pkg]));
    const summary = findings.map((f) => ({ id: f.id, aliases: f.aliases, package: byId.get(f.packageId)?.name, installed: byId.get(f.packageId)?.version, fixed: f.fixedVersions, status: f.status }));
    // SOURCE.md and EXPECTED.json: libz1 1.2.11-3.21.1 < 1.2.11-150000.3.30.1; liblzma5 5.2.3-4.3.1 < 5.2.3-150000.4.7.1.
    assert.deepEqual(
      summary.sort((a, b) => a.id.localeCompare(b.id)),
      [
        { id: 'CVE-2018-25032', aliases: ['SUSE-SU-2022:1061-1'], package: 'libz1', installed: '1.2.11-3.21.1', fixed: ['1.2.11-150000.3.30.1'], status: 'fixed' },
        { id: 'CVE-2022-1271', aliases: ['SUSE-SU-2022:1158-1'], package: 'liblzma5', installed: '5.2.3-4.3.1', fixed: ['5.2.3-150000.4.7.1'], status: 'fixed' },
      ],
    );
  });
});
