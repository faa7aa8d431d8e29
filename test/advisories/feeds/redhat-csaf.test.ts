// The Red Hat CSAF feed over Red Hat's own documents: the loose CSAF VEX and advisory samples and both archives
// (every member), each vulnerability's verdicts checked against the raw document read here, malformed input
// counted as skipped, and an end-to-end match of package lists taken from the raw VEX documents on RHEL 9 and
// CentOS 8 (which reads Red Hat's data). Expected values come from the raw JSON, never from the feed's output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redHatCsafFeed } from '../../../src/advisories/feeds/redhat-csaf/redhatCsafFeed.ts';
import { cpeNamespace, readReference, readRpmPurl } from '../../../src/advisories/feeds/redhat-csaf/products.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import type { Advisory, AffectedPackage } from '../../../src/advisories/model.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Distro, Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { distroNamespace } from '../../../src/match/namespaces.ts';
import { rate } from '../../../src/severity/rate.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, filesUnder, ingestAll, type Collected } from './scoring-sink.ts';

const REDHAT = join(SHARED, 'data/advisories/redhat');
const ARCHIVES = [join(REDHAT, 'csaf-advisories/redhat-csaf-advisories-5.tar.xz'), join(REDHAT, 'csaf-vex/redhat-csaf-vex-5.tar.xz')];

// The raw CSAF shape, as much of it as the test reads.
interface RawBranch { category: string; name: string; product?: { product_id: string; product_identification_helper?: { cpe?: string; purl?: string } }; branches?: RawBranch[] }
interface RawVulnerability {
  cve: string;
  product_status: Record<string, string[]>;
  remediations?: { category: string; details?: string; url?: string; product_ids?: string[] }[];
  threats?: { category: string; details: string }[];
  scores?: { cvss_v3?: { vectorString: string; baseScore: number } }[];
}
interface RawDocument {
  document: { tracking: { id: string } };
  product_tree: { branches: RawBranch[]; relationships: { full_product_name: { product_id: string }; product_reference: string; relates_to_product_reference: string }[] };
  vulnerabilities: RawVulnerability[];
}

/** Every document of both archives, extracted with the system tar into a temporary folder. */
function rawDocuments(folder: string): Map<string, RawDocument> {
  const documents = new Map<string, RawDocument>();
  for (const archive of ARCHIVES) {
    const out = mkdtempSync(join(folder, 'x-'));
    // `tar -xJf` is what SOURCE.md made them with; the test reads the members independently of the feed's input layer.
    const result = spawnTar(archive, out);
    assert.equal(result, 0, `tar -xJf ${archive}`);
    for (const kind of readdirSync(out)) {
      for (const year of readdirSync(join(out, kind))) {
        for (const file of readdirSync(join(out, kind, year))) documents.set(`${kind}/${year}/${file}`, JSON.parse(readFileSync(join(out, kind, year, file), 'utf8')) as RawDocument);
      }
    }
  }
  return documents;
}

function spawnTar(archive: string, out: string): number | null {
  return spawnSync('tar', ['-xJf', archive, '-C', out], { stdio: 'ignore' }).status;
}

/** Independently of the feed: which platforms are RHEL's main stream, read off the CPE with plain string tests. */
function mainStreams(doc: RawDocument): Map<string, string> {
  const platforms = new Map<string, string>();
  const walk = (branches: RawBranch[] | undefined) => {
    for (const branch of branches ?? []) {
      const cpe = branch.product?.product_identification_helper?.cpe;
      if (branch.category === 'product_name' && cpe !== undefined) {
        const parts = cpe.split(':'); // cpe:/o:redhat:enterprise_linux:9::baseos
        if (parts[2] === 'redhat' && parts[3] === 'enterprise_linux') platforms.set(branch.product!.product_id, `rhel:${parts[4]}`);
      }
      walk(branch.branches);
    }
  };
  walk(doc.product_tree.branches);
  return platforms;
}

function purls(doc: RawDocument): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (branches: RawBranch[] | undefined) => {
    for (const branch of branches ?? []) {
      const purl = branch.product?.product_identification_helper?.purl;
      if (purl !== undefined) found.set(branch.product!.product_id, purl);
      walk(branch.branches);
    }
  };
  walk(doc.product_tree.branches);
  return found;
}

/** `pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src&epoch=1` → ['openssl', '1:3.0.7-27.el9']. */
function nameAndEvr(purl: string): [string, string | undefined] {
  const [path, query = ''] = purl.slice('pkg:rpm/redhat/'.length).split('?');
  const [name, version] = path!.split('@');
  const epoch = query.split('&').find((q) => q.startsWith('epoch='))?.slice(6);
  return [name!, version === undefined ? undefined : epoch && epoch !== '0' ? `${epoch}:${version}` : version];
}

const rowsOf = (advisory: Advisory, namespace: string, name: string) => advisory.affected.filter((row) => row.namespace === namespace && row.packageName === name);

describe('redhat-csaf: platforms and package references', () => {
  it('maps the main stream to rhel:N and leaves EUS, AUS, E4S, TUS and layered products out', () => {
    assert.equal(cpeNamespace('cpe:/o:redhat:enterprise_linux:9'), 'rhel:9');
    assert.equal(cpeNamespace('cpe:/a:redhat:enterprise_linux:8::appstream'), 'rhel:8');
    assert.equal(cpeNamespace('cpe:/o:redhat:enterprise_linux:7::server'), 'rhel:7');
    assert.equal(cpeNamespace('cpe:/a:redhat:rhel_eus:9.2::appstream'), undefined);
    assert.equal(cpeNamespace('cpe:/a:redhat:rhel_aus:8.2::appstream'), undefined);
    assert.equal(cpeNamespace('cpe:/a:redhat:rhel_e4s:8.2::highavailability'), undefined);
    assert.equal(cpeNamespace('cpe:/o:redhat:rhel_tus:8.2::baseos'), undefined);
    assert.equal(cpeNamespace('cpe:/a:redhat:openstack:17.1::el9'), undefined);
  });
  it('reads purls (epoch only when not zero, rpmmod as name:stream) and versionless or modular component references', () => {
    assert.deepEqual(readRpmPurl('pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src&epoch=1'), { name: 'openssl', evr: '1:3.0.7-27.el9', arch: 'src' });
    assert.deepEqual(readRpmPurl('pkg:rpm/redhat/libtiff@4.4.0-12.el9?arch=x86_64'), { name: 'libtiff', evr: '4.4.0-12.el9', arch: 'x86_64' });
    assert.deepEqual(readRpmPurl('pkg:rpm/redhat/edk2?arch=src'), { name: 'edk2', arch: 'src' });
    assert.deepEqual(
      readRpmPurl('pkg:rpm/redhat/ruby@3.1.4-143.module%2Bel8.9.0%2B20826%2B5e1c1c0b?arch=x86_64&rpmmod=ruby:3.1:8090020231211121502:8cf767d6'),
      { name: 'ruby', evr: '3.1.4-143.module+el8.9.0+20826+5e1c1c0b', arch: 'x86_64', module: 'ruby:3.1' },
    );
    assert.deepEqual(readReference('openssl-1:3.0.7-27.el9.aarch64'), { name: 'openssl', evr: '1:3.0.7-27.el9', arch: 'aarch64' });
    assert.deepEqual(readReference('libtiff'), { name: 'libtiff' });
    assert.deepEqual(readReference('ruby:3.1/ruby'), { name: 'ruby', module: 'ruby:3.1' });
  });
});

describe('redhat-csaf: every shared document', () => {
  let work: string;
  let raw: Map<string, RawDocument>;
  let collected: Collected;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-redhat-'));
    raw = rawDocuments(work);
    collected = { advisories: [], kev: [], epss: [], skipped: [] };
    for (const archive of ARCHIVES) {
      const input = await openFeedInput(archive, { cacheDir: join(work, 'cache'), accept: (name) => redHatCsafFeed.wants({ name }) });
      const one = await ingestAll(redHatCsafFeed, input.files);
      collected.advisories.push(...one.advisories);
      collected.skipped.push(...one.skipped);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('reads both archives (the input layer opens .tar.xz): one advisory per CVE of the ten documents, nothing skipped', () => {
    assert.equal(raw.size, 10);
    assert.deepEqual(collected.skipped, []);
    const expected = [...raw.values()].flatMap((doc) => doc.vulnerabilities.map((v) => v.cve)).sort();
    assert.deepEqual(collected.advisories.map((a) => a.id).sort(), expected);
    for (const advisory of collected.advisories) assert.equal(advisory.source, 'redhat-csaf');
  });

  it('gives every verdict of the main stream as the raw document states it, and nothing for other streams', () => {
    for (const [file, doc] of raw) {
      const main = mainStreams(doc);
      const purlOf = purls(doc);
      const relationship = new Map(doc.product_tree.relationships.map((r) => [r.full_product_name.product_id, r]));
      for (const vulnerability of doc.vulnerabilities) {
        const advisory = collected.advisories.find((a) => a.id === vulnerability.cve && (file.startsWith('vex/') || a.aliases.includes(doc.document.tracking.id)));
        assert.ok(advisory, `${file} ${vulnerability.cve}`);
        for (const row of advisory.affected) assert.match(row.namespace, /^rhel:\d+$/);
        // The RHSA ids of the vendor fixes (and the advisory's own id) are the aliases.
        const rhsa = new Set((vulnerability.remediations ?? []).filter((r) => r.category === 'vendor_fix').flatMap((r) => r.url?.match(/RHSA-\d{4}:\d+/g) ?? []));
        if (file.startsWith('csaf/')) rhsa.add(doc.document.tracking.id);
        assert.deepEqual([...advisory.aliases].sort(), [...rhsa].sort(), `${file} ${vulnerability.cve} aliases`);
        const impact = vulnerability.threats?.find((t) => t.category === 'impact')?.details;
        if (impact) assert.ok(advisory.severity.some((s) => s.by === 'redhat' && s.rating === impact && s.vector === undefined));
        const v3 = vulnerability.scores?.[0]?.cvss_v3;
        if (v3) assert.ok(advisory.severity.some((s) => s.by === 'redhat' && s.vector === v3.vectorString && s.score === v3.baseScore));
        const fixedNames = new Set<string>();
        for (const id of vulnerability.product_status.fixed ?? []) {
          const r = relationship.get(id)!;
          const namespace = main.get(r.relates_to_product_reference);
          if (namespace === undefined) continue;
          const [name, evr] = nameAndEvr(purlOf.get(r.product_reference)!);
          fixedNames.add(`${namespace} ${name}`);
          const row: AffectedPackage | undefined = rowsOf(advisory, namespace, name).find((x) => x.status === 'fixed');
          assert.ok(row, `${file} ${vulnerability.cve} fixed ${namespace} ${name}`);
          assert.ok(row.fixedVersions.includes(evr!), `${name} ${evr} in ${row.fixedVersions.join(', ')}`);
          assert.deepEqual(row.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixedVersions[0]! }] }]);
          assert.equal(row.module, '');
        }
        for (const id of vulnerability.product_status.known_affected ?? []) {
          const r = relationship.get(id)!;
          const namespace = main.get(r.relates_to_product_reference);
          if (namespace === undefined || fixedNames.has(`${namespace} ${r.product_reference}`)) continue;
          const remediation = (vulnerability.remediations ?? []).find((x) => x.product_ids?.includes(id) && x.category !== 'vendor_fix');
          const [row] = rowsOf(advisory, namespace, r.product_reference);
          assert.ok(row, `${file} ${vulnerability.cve} affected ${id}`);
          if (remediation?.category === 'no_fix_planned') {
            assert.equal(row.status, 'will-not-fix');
            assert.equal(row.statusReason, remediation.details);
          } else {
            assert.equal(row.status, 'affected');
          }
          assert.deepEqual(row.fixedVersions, []);
        }
        for (const id of vulnerability.product_status.known_not_affected ?? []) {
          const r = relationship.get(id)!;
          const namespace = main.get(r.relates_to_product_reference);
          if (namespace === undefined) continue;
          const name = purlOf.has(r.product_reference) ? nameAndEvr(purlOf.get(r.product_reference)!)[0] : r.product_reference;
          if (fixedNames.has(`${namespace} ${name}`)) continue;
          assert.ok(rowsOf(advisory, namespace, name).some((x) => x.status === 'not-affected'), `${file} ${vulnerability.cve} not affected ${id}`);
        }
      }
    }
  });

  it('states the known cases exactly: openssl fixed in RHEL 9, edk2 affected, libtiff will-not-fix with the reason', () => {
    const openssl = collected.advisories.find((a) => a.id === 'CVE-2023-6237')!;
    assert.deepEqual(openssl.aliases, ['RHSA-2024:2447']);
    assert.deepEqual(rowsOf(openssl, 'rhel:9', 'openssl-libs'), [
      { namespace: 'rhel:9', packageName: 'openssl-libs', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:3.0.7-27.el9' }] }], fixedVersions: ['1:3.0.7-27.el9'], module: '' },
    ]);
    assert.deepEqual(rowsOf(openssl, 'rhel:9', 'edk2').map((r) => r.status), ['affected']);
    assert.deepEqual(rowsOf(openssl, 'rhel:9', 'openssl-fips-provider').map((r) => r.status), ['not-affected']);
    const libtiff = collected.advisories.find((a) => a.id === 'CVE-2023-6228')!;
    assert.deepEqual(rowsOf(libtiff, 'rhel:8', 'compat-libtiff3').map((r) => [r.status, r.statusReason]), [['will-not-fix', 'Will not fix']]);
    assert.deepEqual(rowsOf(libtiff, 'rhel:7', 'libtiff').map((r) => [r.status, r.statusReason]), [['will-not-fix', 'Out of support scope']]);
    assert.deepEqual(rowsOf(libtiff, 'rhel:8', 'libtiff').map((r) => [r.status, r.statusReason]), [['affected', undefined]]);
    // The RHSA documents are all EUS/AUS/E4S/TUS or OpenStack: read, aliased, with no main-stream rows.
    for (const id of ['RHSA-2023:7434', 'RHSA-2023:7435', 'RHSA-2023:7436', 'RHSA-2023:7438', 'RHSA-2023:7464']) {
      const advisories = collected.advisories.filter((a) => a.aliases.includes(id) && a.affected.length === 0);
      assert.equal(advisories.length, [...raw.values()].find((d) => d.document.tracking.id === id)!.vulnerabilities.length, id);
    }
  });

  it('reads the loose files as their archive copies', async () => {
    const loose = await ingestAll(redHatCsafFeed, filesUnder(REDHAT));
    assert.deepEqual(loose.skipped, []);
    for (const advisory of loose.advisories) {
      const twin = collected.advisories.find((a) => a.id === advisory.id && a.aliases.join() === advisory.aliases.join());
      assert.deepEqual(advisory, twin);
    }
    assert.equal(loose.advisories.length, 5); // 1 + 1 + 1 + 1 + 1 vulnerabilities in the five loose documents
  });
});

describe('redhat-csaf: bad input', () => {
  it('counts malformed documents, vulnerabilities and product ids as skipped with the reason, and keeps the rest', async () => {
    const tree = {
      branches: [{ category: 'product_name', name: 'Red Hat Enterprise Linux 9', product: { product_id: 'red_hat_enterprise_linux_9', product_identification_helper: { cpe: 'cpe:/o:redhat:enterprise_linux:9' } } }],
      relationships: [],
    };
    const good = {
      document: { category: 'csaf_vex', csaf_version: '2.0', tracking: { id: 'CVE-2099-0001' } },
      product_tree: tree,
      vulnerabilities: [
        { cve: 'CVE-2099-0001', product_status: { known_affected: ['red_hat_enterprise_linux_9:foo', 'nowhere:bar'], first_affected: ['red_hat_enterprise_linux_9:foo'], fixed: ['red_hat_enterprise_linux_9:baz'] } },
        { cve: 'not-a-cve' },
      ],
    };
    const collected = await ingestAll(
      redHatCsafFeed,
      filesOf(
        { name: 'broken.json', content: '{"document": ' },
        { name: 'other.json', content: '{"hello": 1}' },
        { name: 'advisory.json', content: JSON.stringify({ document: { category: 'csaf_informational_advisory', csaf_version: '2.0', tracking: { id: 'X' } } }) },
        { name: 'novulns.json', content: JSON.stringify({ document: { category: 'csaf_vex', csaf_version: '2.0', tracking: { id: 'CVE-2099-0002' } }, product_tree: tree }) },
        { name: 'good.json', content: JSON.stringify(good) },
        { name: 'notes.txt', content: 'not wanted' },
      ),
    );
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((r) => [r.namespace, r.packageName, r.status])]), [['CVE-2099-0001', [['rhel:9', 'foo', 'affected']]]]);
    assert.deepEqual(collected.skipped, [
      { where: 'broken.json', reason: collected.skipped[0]!.reason },
      { where: 'other.json', reason: 'not a CSAF document (no document.csaf_version)' },
      { where: 'advisory.json', reason: 'CSAF category "csaf_informational_advisory" is not a VEX or an advisory' },
      { where: 'novulns.json', reason: 'CSAF document CVE-2099-0002 has no vulnerabilities list' },
      { where: 'good.json CVE-2099-0001', reason: 'product status "first_affected" is not read (1 product(s))' },
      { where: 'good.json CVE-2099-0001', reason: '2 product id(s) without a known platform or a readable package version, e.g. "nowhere:bar"' },
      { where: 'good.json not-a-cve', reason: 'vulnerability without a CVE id ("not-a-cve")' },
    ]);
    assert.match(collected.skipped[0]!.reason, /^malformed JSON/);
  });
});

describe('redhat-csaf: matching RHEL 9 and CentOS 8 packages against the VEX documents', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-redhat-db-'));
    const outcomes = await updateDatabase(join(work, 'data'), [{ name: 'redhat-csaf', location: join(REDHAT, 'csaf-vex') }], { openInput: openFeedInput, cacheDir: join(work, 'cache') });
    assert.deepEqual(outcomes.map((o) => [o.outcome, 'source' in o ? o.source : '']), [['updated', 'redhat-csaf']]);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const layerDiffId = `sha256:${'0'.repeat(64)}` as Digest;
  const rpmPackage = (name: string, version: string, extra: Omit<Partial<Package>, 'purl'> = {}): Package => ({
    id: `rpm:${name}@${version}${extra.metadata?.modularityLabel ? `#${extra.metadata.modularityLabel}` : ''}`,
    type: 'rpm',
    name,
    version,
    purl: `pkg:rpm/redhat/${name}@${version}`,
    licenses: [],
    locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId }],
    ...extra,
  });

  async function findings(distro: Distro, packages: Package[]) {
    const { findings } = await matchSbom(minimalSbom(packages, { distro }), store);
    const byId = new Map(packages.map((pkg) => [pkg.id, pkg]));
    return findings
      .map((f) => ({ id: f.id, aliases: f.aliases, package: byId.get(f.packageId)!.id, status: f.status, ...(f.statusReason ? { statusReason: f.statusReason } : {}), fixed: f.fixedVersions, rating: rate(f, { type: 'rpm' }) }))
      .sort((a, b) => `${a.package} ${a.id}`.localeCompare(`${b.package} ${b.id}`));
  }

  it('RHEL 9: openssl-libs below the fix is found, at the fix or not affected is not, edk2 is open, a module build is not matched', async () => {
    // Versions from cve-2023-6237.json: fixed in openssl 1:3.0.7-27.el9, known_affected red_hat_enterprise_linux_9:edk2,
    // known_not_affected openssl-fips-provider 3.0.7-2.el9; cve-2023-6228.json: libtiff fixed in 4.4.0-12.el9.
    const packages = [
      rpmPackage('openssl-libs', '1:3.0.7-24.el9', { sourceName: 'openssl', sourceVersion: '1:3.0.7-24.el9' }),
      rpmPackage('openssl', '1:3.0.7-27.el9', { sourceName: 'openssl', sourceVersion: '1:3.0.7-27.el9' }),
      rpmPackage('openssl-fips-provider', '3.0.7-2.el9', { sourceName: 'openssl-fips-provider' }),
      rpmPackage('edk2-ovmf', '20230524-4.el9_3', { sourceName: 'edk2' }),
      rpmPackage('libtiff', '4.4.0-10.el9', { sourceName: 'libtiff' }),
      rpmPackage('libtiff', '4.4.0-10.el9', { sourceName: 'libtiff', metadata: { modularityLabel: 'libtiff-compat:1:9040020240101:abcdef12' } }),
    ];
    const distro: Distro = { id: 'rhel', versionId: '9.4' };
    assert.equal(distroNamespace(distro), 'rhel:9');
    const found = await findings(distro, packages);
    assert.deepEqual(
      found.map(({ rating, ...rest }) => ({ ...rest, level: rating.level, by: rating.by })),
      [
        // The advisory's RHSA ids go with every package of the CVE, edk2's too (Red Hat's VEX names them per CVE).
        { id: 'CVE-2023-6237', aliases: ['RHSA-2024:2447'], package: 'rpm:edk2-ovmf@20230524-4.el9_3', status: 'not-fixed', fixed: [], level: 'low', by: 'redhat' },
        { id: 'CVE-2023-6228', aliases: ['RHSA-2024:2289'], package: 'rpm:libtiff@4.4.0-10.el9', status: 'fixed', fixed: ['4.4.0-12.el9'], level: 'low', by: 'redhat' },
        { id: 'CVE-2023-6237', aliases: ['RHSA-2024:2447'], package: 'rpm:openssl-libs@1:3.0.7-24.el9', status: 'fixed', fixed: ['1:3.0.7-27.el9'], level: 'low', by: 'redhat' },
      ],
    );
  });

  it('CentOS 8 reads rhel:8: libtiff open, compat-libtiff3 will not be fixed', async () => {
    const distro: Distro = { id: 'centos', versionId: '8' };
    assert.equal(distroNamespace(distro), 'rhel:8');
    const found = await findings(distro, [rpmPackage('libtiff', '4.0.9-27.el8', { sourceName: 'libtiff' }), rpmPackage('compat-libtiff3', '3.9.4-13.el8', { sourceName: 'compat-libtiff3' })]);
    assert.deepEqual(
      found.map((f) => [f.id, f.package, f.status, f.statusReason]),
      [
        ['CVE-2023-6228', 'rpm:compat-libtiff3@3.9.4-13.el8', 'not-fixed', 'will-not-fix: Will not fix'],
        ['CVE-2023-6228', 'rpm:libtiff@4.0.9-27.el8', 'not-fixed', undefined],
      ],
    );
  });
});
