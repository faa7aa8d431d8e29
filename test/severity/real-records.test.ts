// The severity rule on findings built from real records of the fixture database (every shared feed), with the
// expected values read from the raw files in ../shared/data: GitHub's advisories, NVD's records, CISA's
// vulnrichment records, Debian's tracker entries and RubySec's advisories.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AdvisoryStore } from '../../src/advisories/store/store.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Finding, MatchReason, SourceView } from '../../src/core/finding.ts';
import type { PackageType } from '../../src/core/package.ts';
import { rate } from '../../src/severity/rate.ts';
import { DATA, fixtureDatabase } from '../helpers/feeds.ts';

type Json = Record<string, unknown>;
const raw = (path: string): Json => JSON.parse(readFileSync(join(DATA, path), 'utf8')) as Json;

/** A GHSA record's own rating (`database_specific.severity`) and its CVSS vectors, as published. */
function ghsa(file: string): { rating: string; vectors: string[] } {
  const record = raw(`advisories/osv/ghsa/npm/${file}`) as { severity?: { score: string }[]; database_specific: { severity: string } };
  return { rating: record.database_specific.severity, vectors: (record.severity ?? []).map((entry) => entry.score) };
}

/** NVD's published CVSS v3.1 metrics of a CVE (fkie-cad per-CVE record): source, vector, base score. */
function nvdV31(cve: string): { source: string; vector: string; score: number }[] {
  const record = raw(`scoring/nvd/fkie-cad-per-cve/${cve}.json`) as { metrics: { cvssMetricV31?: { source: string; cvssData: { vectorString: string; baseScore: number } }[] } };
  return (record.metrics.cvssMetricV31 ?? []).map((metric) => ({ source: metric.source, vector: metric.cvssData.vectorString, score: metric.cvssData.baseScore }));
}

/** Debian's urgency for a package in the tracker's `data/CVE/list` entry (the unstable line), as published. */
function debianUrgency(cve: string, packageName: string): string | undefined {
  const entry = raw(`advisories/debian/cve-list/json/${cve}.json`) as { Annotations: { Type: string; Package?: string; Release?: string; Severity?: string }[] };
  const line = entry.Annotations.find((annotation) => annotation.Type === 'package' && annotation.Package === packageName && annotation.Release === undefined);
  assert.ok(line, `${cve} has a line for ${packageName}`);
  return line.Severity;
}

let store: AdvisoryStore;
before(() => {
  store = SqliteAdvisoryStore.open(fixtureDatabase());
});
after(async () => {
  await store.close();
});

/**
 * What matching makes of a package's records (src/match/ is not part of this test): the rows that matched the
 * package in its namespace become `matches`, and every source's record of the id (through aliases) a `sources`
 * view, carrying the matched row's urgency.
 */
async function findingFromDatabase(namespace: string, packageName: string, id: string): Promise<Finding> {
  const rows = (await store.affected(namespace, packageName)).filter((row) => row.advisoryId === id || row.aliases.includes(id));
  assert.ok(rows.length > 0, `${id} affects ${namespace} ${packageName} in the fixture database`);
  const sources: SourceView[] = (await store.advisories(id)).map((advisory) => {
    const urgency = rows.find((row) => row.source === advisory.source && row.advisoryId === advisory.id)?.affected.urgency;
    return { source: advisory.source, id: advisory.id, aliases: advisory.aliases, severity: advisory.severity, references: advisory.references, ...(urgency ? { urgency } : {}) };
  });
  const matches: MatchReason[] = rows.map((row) => ({
    source: row.source,
    advisoryId: row.advisoryId,
    namespace,
    packageName,
    rule: 'test',
    installedVersion: '0',
    status: row.affected.status,
    comparison: '',
    affectedRange: '',
    fixedVersions: row.affected.fixedVersions,
  }));
  return { id, aliases: [], packageId: `${namespace}/${packageName}`, status: 'not-fixed', fixedVersions: [], affectedRange: '', matches, sources };
}

const rateFromDatabase = async (type: PackageType, namespace: string, packageName: string, id: string) =>
  rate(await findingFromDatabase(namespace, packageName, id), { type });

describe('rate: findings from the fixture database', () => {
  it('CVE-2020-8203 lodash (npm): GitHub’s HIGH with GitHub’s own vector', async () => {
    const published = ghsa('GHSA-p6mc-m468-83gw.json');
    assert.equal(published.rating, 'HIGH');
    const rating = await rateFromDatabase('npm', 'npm', 'lodash', 'CVE-2020-8203');
    // The vector has two High impacts and one None, as FIRST's CVE-2014-0224 example (AV:N/AC:H/PR:N/UI:N/S:U/
    // C:H/I:H/A:N, 7.4): the base formula is symmetric in C, I and A. RubySec publishes 7.4 for this CVE too.
    assert.deepEqual(
      { level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss },
      { level: 'high', by: 'ghsa', rating: 'HIGH', cvss: { score: 7.4, vector: published.vectors[0], version: '3.1', by: 'ghsa' } },
    );
  });

  it('CVE-2022-25883 semver (npm): GitHub’s MODERATE over NVD’s 7.5, with GitHub’s 5.3 beside it', async () => {
    const published = ghsa('GHSA-c2qf-rxjj-qqgw.json');
    const nvd = nvdV31('CVE-2022-25883');
    assert.equal(nvd.find((metric) => metric.source === 'nvd@nist.gov')?.score, 7.5);
    // NVD also lists the CNA's (Snyk's) metric with GitHub's very vector, and its published score.
    const sameVector = nvd.find((metric) => metric.vector === published.vectors[0]);
    assert.ok(sameVector);
    const rating = await rateFromDatabase('npm', 'npm', 'semver', 'CVE-2022-25883');
    assert.deepEqual(
      { level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss },
      { level: 'medium', by: 'ghsa', rating: published.rating, cvss: { score: sameVector.score, vector: published.vectors[0], version: '3.1', by: 'ghsa' } },
    );
  });

  it('CVE-2023-45857 axios (npm): GitHub’s MODERATE without any CVSS (NVD has no metrics yet)', async () => {
    const published = ghsa('GHSA-wf5p-g6vw-rhxx.json');
    assert.deepEqual(published.vectors, []);
    assert.deepEqual(nvdV31('CVE-2023-45857'), []);
    const rating = await rateFromDatabase('npm', 'npm', 'axios', 'CVE-2023-45857');
    assert.deepEqual({ level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss }, { level: 'medium', by: 'ghsa', rating: 'MODERATE', cvss: undefined });
  });

  it('CVE-2024-45590 body-parser (npm): GitHub’s HIGH beside its CVSS 4.0 vector rather than its 3.1 one', async () => {
    const published = ghsa('GHSA-qwcr-r2fm-qrc7.json');
    const v4 = published.vectors.find((vector) => vector.startsWith('CVSS:4.0/'));
    // FIRST's v4.0 examples score AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N (with supplemental V:C,
    // which does not change the score) 8.7.
    const rating = await rateFromDatabase('npm', 'npm', 'body-parser', 'CVE-2024-45590');
    assert.deepEqual(
      { level: rating.level, rating: rating.rating, cvss: rating.cvss },
      { level: 'high', rating: published.rating, cvss: { score: 8.7, vector: v4, version: '4.0', by: 'ghsa' } },
    );
  });

  it('CVE-2023-38545 curl (debian:11): no Debian urgency, so NVD’s 9.8 gives the level (not CISA ADP’s 8.8)', async () => {
    assert.equal(debianUrgency('CVE-2023-38545', 'curl'), undefined);
    const nvd = nvdV31('CVE-2023-38545').find((metric) => metric.source === 'nvd@nist.gov');
    assert.ok(nvd);
    const rating = await rateFromDatabase('deb', 'debian:11', 'curl', 'CVE-2023-38545');
    assert.deepEqual(
      { level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss },
      { level: 'critical', by: 'nvd', rating: undefined, cvss: { score: nvd.score, vector: nvd.vector, version: '3.1', by: 'nvd' } },
    );
    assert.ok(rating.all.some((entry) => entry.by === 'cisa-adp' && entry.cvss?.score === 8.8));
  });

  it('CVE-2024-5535 openssl (debian:11 and alpine): no NVD record, CISA ADP’s 9.1 decides; OpenSSL’s own "Low" is kept in `all`', async () => {
    const record = raw('scoring/vulnrichment/2024/5xxx/CVE-2024-5535.json') as {
      containers: { adp: { providerMetadata: { shortName: string }; metrics?: { cvssV3_1?: { vectorString: string; baseScore: number } }[] }[] };
    };
    const adp = record.containers.adp.find((container) => container.providerMetadata.shortName === 'CISA-ADP')?.metrics?.find((metric) => metric.cvssV3_1)?.cvssV3_1;
    assert.ok(adp);
    assert.equal(debianUrgency('CVE-2024-5535', 'openssl'), undefined);
    for (const [type, namespace] of [['deb', 'debian:11'], ['apk', 'alpine:3.18']] as const) {
      const rating = await rateFromDatabase(type, namespace, 'openssl', 'CVE-2024-5535');
      assert.deepEqual(
        { level: rating.level, by: rating.by, cvss: rating.cvss },
        { level: 'critical', by: 'cisa-adp', cvss: { score: adp.baseScore, vector: adp.vectorString, version: '3.1', by: 'cisa-adp' } },
        namespace,
      );
      assert.ok(rating.all.some((entry) => entry.by === 'openssl' && entry.rating === 'Low' && entry.level === 'low'));
    }
  });

  it('CVE-2016-2781 coreutils (debian:11): Debian’s urgency "low", no CVSS anywhere', async () => {
    assert.equal(debianUrgency('CVE-2016-2781', 'coreutils'), 'low');
    const rating = await rateFromDatabase('deb', 'debian:11', 'coreutils', 'CVE-2016-2781');
    assert.deepEqual({ level: rating.level, by: rating.by, rating: rating.rating, cvss: rating.cvss }, { level: 'low', by: 'debian', rating: 'low', cvss: undefined });
  });

  it('CVE-2019-18197 nokogiri (gem): RubySec’s cvss_v3 score, stored without a vector, over its cvss_v2', async () => {
    const yaml = readFileSync(join(DATA, 'advisories/rubysec/gems/nokogiri/CVE-2019-18197.yml'), 'utf8');
    const v3 = Number(/^cvss_v3: ([\d.]+)$/m.exec(yaml)?.[1]);
    assert.equal(v3, 7.5);
    const rating = await rateFromDatabase('gem', 'rubygems', 'nokogiri', 'CVE-2019-18197');
    assert.deepEqual({ level: rating.level, by: rating.by, cvss: rating.cvss }, { level: 'high', by: 'rubysec', cvss: { score: v3, vector: '', version: '3.0', by: 'rubysec' } });
  });
});
