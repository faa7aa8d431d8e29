// rpm modularity streams: a row of one stream matches only packages whose MODULARITYLABEL names that stream, a row
// outside modules only packages without a label, and a row whose source does not say (OSV) any package, as Trivy
// matches Red Hat's data. Red Hat's document here is written in Red Hat's own modular form (`rpmmod` purls and
// `ruby:2.7/ruby` component references; none of the shared Red Hat samples is modular); the Rocky case is the real
// RLSA-2024:3671 (ruby:3.3) OSV record, which names no stream.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFeedInput } from '../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../src/advisories/update.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { Distro, Package } from '../../src/core/package.ts';
import { matchSbom, packageModule } from '../../src/match/match.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { minimalSbom } from '../helpers/sbom.ts';

const RLSA_3671_CVES = (JSON.parse(readFileSync(join(SHARED, 'data/advisories/rocky/osv/RLSA-2024_3671.json'), 'utf8')) as { related: string[] }).related;
const RUBY_31 = '3.1.4-143.module+el8.9.0+20826+5e1c1c0b';

function redHatModularVex(): unknown {
  const version = (id: string, purl: string) => ({ category: 'product_version', name: id, product: { name: id, product_id: id, product_identification_helper: { purl } } });
  const relationship = (platform: string, reference: string) => ({
    category: 'default_component_of',
    full_product_name: { name: `${reference} as a component of ${platform}`, product_id: `${platform}:${reference}` },
    product_reference: reference,
    relates_to_product_reference: platform,
  });
  return {
    document: { category: 'csaf_vex', csaf_version: '2.0', title: 'ruby: test issue', tracking: { id: 'CVE-2099-1000', current_release_date: '2099-01-01T00:00:00+00:00' }, aggregate_severity: { text: 'Moderate' } },
    product_tree: {
      branches: [{
        category: 'vendor', name: 'Red Hat', branches: [
          { category: 'product_family', name: 'Red Hat Enterprise Linux 8', branches: [{ category: 'product_name', name: 'Red Hat Enterprise Linux 8', product: { name: 'Red Hat Enterprise Linux 8', product_id: 'red_hat_enterprise_linux_8', product_identification_helper: { cpe: 'cpe:/o:redhat:enterprise_linux:8' } } }] },
          { category: 'product_family', name: 'Red Hat Enterprise Linux', branches: [{ category: 'product_name', name: 'Red Hat Enterprise Linux AppStream (v. 8)', product: { name: 'Red Hat Enterprise Linux AppStream (v. 8)', product_id: 'AppStream-8.9.0.Z.MAIN', product_identification_helper: { cpe: 'cpe:/a:redhat:enterprise_linux:8::appstream' } } }] },
          { category: 'architecture', name: 'x86_64', branches: [
            version(`ruby-0:${RUBY_31}.x86_64`, `pkg:rpm/redhat/ruby@${RUBY_31.replace(/\+/g, '%2B')}?arch=x86_64&rpmmod=ruby:3.1:8090020231211121502:8cf767d6`),
            version('ruby-0:2.5.9-111.el8_9.x86_64', 'pkg:rpm/redhat/ruby@2.5.9-111.el8_9?arch=x86_64'),
          ] },
          { category: 'product_version', name: 'ruby:2.7/ruby', product: { name: 'ruby:2.7/ruby', product_id: 'ruby:2.7/ruby', product_identification_helper: { purl: 'pkg:rpm/redhat/ruby?arch=src&rpmmod=ruby:2.7' } } },
        ],
      }],
      relationships: [
        relationship('AppStream-8.9.0.Z.MAIN', `ruby-0:${RUBY_31}.x86_64`),
        relationship('AppStream-8.9.0.Z.MAIN', 'ruby-0:2.5.9-111.el8_9.x86_64'),
        relationship('red_hat_enterprise_linux_8', 'ruby:2.7/ruby'),
      ],
    },
    vulnerabilities: [{
      cve: 'CVE-2099-1000',
      product_status: { fixed: [`AppStream-8.9.0.Z.MAIN:ruby-0:${RUBY_31}.x86_64`, 'AppStream-8.9.0.Z.MAIN:ruby-0:2.5.9-111.el8_9.x86_64'], known_affected: ['red_hat_enterprise_linux_8:ruby:2.7/ruby'] },
      remediations: [
        { category: 'vendor_fix', details: 'update', url: 'https://access.redhat.com/errata/RHSA-2099:0001', product_ids: [`AppStream-8.9.0.Z.MAIN:ruby-0:${RUBY_31}.x86_64`, 'AppStream-8.9.0.Z.MAIN:ruby-0:2.5.9-111.el8_9.x86_64'] },
        { category: 'no_fix_planned', details: 'Will not fix', product_ids: ['red_hat_enterprise_linux_8:ruby:2.7/ruby'] },
      ],
      threats: [{ category: 'impact', details: 'Moderate' }],
    }],
  };
}

describe('modularity: the package side', () => {
  it('reads name:stream from MODULARITYLABEL, empty without one', () => {
    const pkg = (metadata?: Record<string, string>): Package => ({ id: 'x', type: 'rpm', name: 'ruby', version: '1-1', purl: 'pkg:rpm/redhat/ruby@1-1', licenses: [], locations: [], ...(metadata ? { metadata } : {}) });
    assert.equal(packageModule(pkg({ modularityLabel: 'ruby:3.3:9040020240514101923:9b92b157' })), 'ruby:3.3');
    assert.equal(packageModule(pkg({ modularityLabel: 'perl-IO-Socket-SSL:2.066:8030020201222215140:1e4bbb35' })), 'perl-IO-Socket-SSL:2.066');
    assert.equal(packageModule(pkg()), '');
    assert.equal(packageModule(pkg({ vendor: 'Red Hat' })), '');
  });
});

describe('modularity: matching by stream', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-modularity-'));
    const vex = join(work, 'vex');
    mkdirSync(vex);
    writeFileSync(join(vex, 'cve-2099-1000.json'), JSON.stringify(redHatModularVex()));
    const outcomes = await updateDatabase(
      join(work, 'data'),
      [{ name: 'redhat-csaf', location: vex }, { name: 'osv', location: join(SHARED, 'data/advisories/rocky/osv') }],
      { openInput: openFeedInput, cacheDir: join(work, 'cache') },
    );
    assert.deepEqual(outcomes.map((o) => o.outcome), ['updated', 'updated']);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps each row\'s stream through the database', async () => {
    const rows = await store.affected('rhel:8', 'ruby');
    assert.deepEqual(
      rows.map((r) => [r.affected.module, r.affected.status, r.affected.fixedVersions]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [['', 'fixed', ['2.5.9-111.el8_9']], ['ruby:2.7', 'will-not-fix', []], ['ruby:3.1', 'fixed', [RUBY_31]]],
    );
    const rocky = await store.affected('rocky:9', 'ruby');
    // One record per CVE the notice names under `related`, each aliased to RLSA-2024:3671.
    assert.deepEqual(rocky.map((r) => [r.advisoryId, r.affected.module]), RLSA_3671_CVES.map((cve) => [cve, undefined]));
    assert.ok(rocky.every((r) => r.aliases.includes('RLSA-2024:3671')));
  });

  const layerDiffId = `sha256:${'0'.repeat(64)}` as Digest;
  const ruby = (id: string, version: string, label?: string): Package => ({
    id, type: 'rpm', name: 'ruby', version, purl: `pkg:rpm/redhat/ruby@${version}`, sourceName: 'ruby', licenses: [], locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId }],
    ...(label ? { metadata: { modularityLabel: label } } : {}),
  });
  async function matched(distro: Distro, packages: Package[]) {
    const { findings } = await matchSbom(minimalSbom(packages, { distro }), store);
    return findings.map((f) => [f.packageId, f.id, f.status, f.statusReason ?? '', f.fixedVersions]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  }

  it('RHEL 8: each ruby gets only its own stream\'s verdict', async () => {
    const found = await matched({ id: 'rhel', versionId: '8.9' }, [
      ruby('ruby-3.1', '3.1.2-141.module+el8.8.0+18745+f1bef313', 'ruby:3.1:8080020230321075622:63b34585'),
      ruby('ruby-3.0', '3.1.2-141.module+el8.8.0+18745+f1bef313', 'ruby:3.0:8080020230321075622:63b34585'),
      ruby('ruby-2.7', '2.7.8-139.module+el8.8.0+18745+f1bef313', 'ruby:2.7:8080020230321075622:63b34585'),
      ruby('ruby-base', '2.5.9-110.el8'),
      ruby('ruby-3.1-fixed', RUBY_31, 'ruby:3.1:8090020231211121502:8cf767d6'),
    ]);
    assert.deepEqual(found, [
      ['ruby-2.7', 'CVE-2099-1000', 'not-fixed', 'will-not-fix: Will not fix', []],
      ['ruby-3.1', 'CVE-2099-1000', 'fixed', '', [RUBY_31]],
      ['ruby-base', 'CVE-2099-1000', 'fixed', '', ['2.5.9-111.el8_9']],
    ]);
  });

  it('Rocky 9: the OSV record names no stream, so a ruby:3.3 package and a plain one both match it', async () => {
    const fix = '0:3.3.1-2.module+el9.4.0+20787+4c237fd3'; // RLSA-2024_3671.json, affected[0] ruby
    const found = await matched({ id: 'rocky', versionId: '9.3' }, [
      ruby('ruby-3.3', '3.3.0-1.module+el9.3.0+16000+aaaaaaaa', 'ruby:3.3:9030020231212000000:9b92b157'),
      ruby('ruby-plain', '3.0.4-160.el9_0'),
    ]);
    assert.deepEqual(found, ['ruby-3.3', 'ruby-plain'].flatMap((pkg) => RLSA_3671_CVES.map((cve) => [pkg, cve, 'fixed', '', [fix]])));
  });
});
