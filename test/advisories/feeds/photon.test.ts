// The photon feed. No real Photon OS CVE metadata is in ../shared, so data/photon/cve_data_photon4.0.json is
// HAND-WRITTEN after the format published at https://packages.broadcom.com/photon/photon_cve_metadata/
// (formerly packages.vmware.com), as learned from anchore/vunnel's Photon provider and its test input
// (https://github.com/anchore/vunnel/tree/main/tests/unit/providers/photon): a JSON array of
// {cve_id, pkg, cve_score, aff_ver, res_ver, status?}. Expected values are read from the file in the test.
// End to end, a Photon 4.0 curl below the fix gives the finding, at the fix nothing, and an unfixed entry
// gives a not-fixed finding whatever the version.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { photonFeed } from '../../../src/advisories/feeds/photon/photonFeed.ts';
import { FEEDS } from '../../../src/advisories/feeds/registry.ts';
import { distroNamespace } from '../../../src/match/namespaces.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';
import { rpmFindings, smallDatabase, type SmallDatabase } from './rpm-feed-match.ts';

const DATA = join(import.meta.dirname, 'data/photon');
interface RawEntry {
  cve_id: string;
  pkg: string;
  cve_score: number | null;
  aff_ver: string;
  res_ver: string;
  status?: string;
}
const raw = JSON.parse(readFileSync(join(DATA, 'cve_data_photon4.0.json'), 'utf8')) as RawEntry[];

describe('photon: the CVE metadata sample', () => {
  it('reads every entry: one advisory per CVE, fixed, unfixed (res_ver NA) and not-affected rows', async () => {
    const collected = await ingestAll(photonFeed, filesUnder(DATA));
    const bdsa = raw.filter((entry) => entry.cve_id.startsWith('BDSA-'));
    assert.deepEqual(collected.skipped, bdsa.map((entry) => ({ where: `cve_data_photon4.0.json ${entry.cve_id} ${entry.pkg}`, reason: 'a Black Duck (BDSA) id: no public record' })));
    const cves = raw.filter((entry) => entry.cve_id.startsWith('CVE-'));
    assert.deepEqual(collected.advisories.map((a) => a.id).sort(), [...new Set(cves.map((entry) => entry.cve_id))].sort());
    for (const entry of cves) {
      const advisory = collected.advisories.find((a) => a.id === entry.cve_id)!;
      assert.equal(advisory.source, 'photon');
      const row = advisory.affected.find((r) => r.packageName === entry.pkg);
      assert.ok(row, `${entry.cve_id} ${entry.pkg}`);
      assert.equal(row.namespace, 'photon:4.0');
      if (entry.status === 'Not Affected') {
        assert.deepEqual([row.status, row.ranges, row.fixedVersions], ['not-affected', [], []]);
      } else if (entry.res_ver === 'NA') {
        assert.deepEqual([row.status, row.ranges, row.fixedVersions], ['affected', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], []]);
      } else {
        assert.deepEqual([row.status, row.ranges, row.fixedVersions], ['fixed', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: entry.res_ver }] }], [entry.res_ver]]);
        assert.equal(entry.aff_ver, `all versions before ${entry.res_ver} are vulnerable`);
      }
    }
    // The score is rated on FIRST's bands (9.8 critical, 7.5 high, 5.9 medium); a null score rates nothing.
    const rating = (id: string) => collected.advisories.find((a) => a.id === id)!.severity;
    assert.deepEqual(rating('CVE-2023-38545'), [{ by: 'photon', rating: 'critical' }]);
    assert.deepEqual(rating('CVE-2023-44487'), [{ by: 'photon', rating: 'high' }]);
    assert.deepEqual(rating('CVE-2024-2511'), [{ by: 'photon', rating: 'medium' }]);
    assert.deepEqual(rating('CVE-2023-50447'), []);
    // The entry without a status (older files) is read by its res_ver.
    assert.equal(raw.find((entry) => entry.cve_id === 'CVE-2024-2511')!.status, undefined);
  });

  it('counts malformed entries as skipped with the reason and keeps the rest', async () => {
    const good = { cve_id: 'CVE-2099-0001', pkg: 'foo', cve_score: 5, aff_ver: 'all versions before 1.0-1.ph5 are vulnerable', res_ver: '1.0-1.ph5', status: 'Fixed' };
    const entries = [good, { ...good, pkg: 'bar', status: 'Investigating' }, { ...good, cve_id: 'CVE-99' }, { ...good, pkg: 'baz', res_ver: '1.0 beta' }, { ...good, pkg: 'qux', cve_score: 'high' }, 7];
    const collected = await ingestAll(photonFeed, filesOf(
      { name: 'cve_data_photon5.0.json', content: JSON.stringify(entries) },
      { name: 'cve_data_photon3.0.json', content: '[{"cve_id": ' },
      { name: 'cve_data_photon2.0.json', content: '{"cve_id": "CVE-2099-0002"}' },
    ));
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((r) => `${r.namespace} ${r.packageName} ${r.fixedVersions}`)]), [['CVE-2099-0001', ['photon:5.0 foo 1.0-1.ph5']]]);
    assert.deepEqual(collected.skipped.map((s) => [s.where, s.reason.replace(/^(malformed JSON):.*/, '$1')]), [
      ['cve_data_photon5.0.json CVE-2099-0001 bar', 'unknown status "Investigating"'],
      ['cve_data_photon5.0.json CVE-99 foo', 'cve_id "CVE-99" is not a CVE id'],
      ['cve_data_photon5.0.json CVE-2099-0001 baz', 'res_ver "1.0 beta" is not an rpm version'],
      ['cve_data_photon5.0.json CVE-2099-0001 qux', 'cve_score "high" is not a CVSS score'],
      ['cve_data_photon5.0.json [5]', 'not an object'],
      ['cve_data_photon3.0.json', 'malformed JSON'],
      ['cve_data_photon2.0.json', 'not a JSON array of CVE entries'],
    ]);
  });
});

describe('photon: matching through the database', () => {
  let db: SmallDatabase;
  before(async () => {
    db = await smallDatabase(photonFeed, [DATA]);
    assert.deepEqual(db.outcomes.map((o) => o.outcome), ['updated']);
  });
  after(async () => db?.close());

  it('is registered and photon:<N>.0 is the matcher\'s namespace (os-release VERSION_ID "4.0")', () => {
    assert.ok(FEEDS.includes(photonFeed));
    assert.equal(distroNamespace({ id: 'photon', versionId: '4.0' }), 'photon:4.0');
    assert.ok(photonFeed.defaultLocations.every((url) => /\/photon_cve_metadata\/cve_data_photon\d\.0\.json$/.test(url)));
  });

  it('finds curl below the fix, nothing at it, python3 unfixed and httpd not affected', async () => {
    const distro = { id: 'photon', versionId: '4.0' };
    const curl = raw.find((entry) => entry.pkg === 'curl')!;
    const python = raw.find((entry) => entry.pkg === 'python3')!;
    const findings = await rpmFindings(db.store, distro, [['curl', '7.88.1-3.ph4'], ['python3', '3.10.13-1.ph4'], ['httpd', '2.4.57-1.ph4']]);
    assert.deepEqual(findings, [
      { id: curl.cve_id, aliases: [], package: 'curl', installed: '7.88.1-3.ph4', fixed: [curl.res_ver], status: 'fixed', rated: 'critical by photon' },
      { id: python.cve_id, aliases: [], package: 'python3', installed: '3.10.13-1.ph4', fixed: [], status: 'not-fixed', rated: 'unspecified' },
    ]);
    assert.deepEqual(await rpmFindings(db.store, distro, [['curl', curl.res_ver]]), []);
  });
});
