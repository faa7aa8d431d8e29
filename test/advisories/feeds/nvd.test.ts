// The NVD feed over the shared NVD files: API 2.0 pages, fkie-cad per-CVE records, the legacy 1.1
// feeds. Expected values are read from the same files here, independently of the ingester.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { nvdFeed } from '../../../src/advisories/feeds/nvd/nvd-feed.ts';
import type { Advisory, SeverityEntry } from '../../../src/advisories/model.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const NVD = join(SHARED, 'data/scoring/nvd');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed NVD JSON, read loosely by the test

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;

/** The severity entries NVD's 2.0 `metrics` list, in the feed's order (v4.0, v3.1, v3.0, v2). */
function expectedSeverity(cve: Json): SeverityEntry[] {
  const entries: SeverityEntry[] = [];
  for (const key of ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2']) {
    for (const metric of (cve.metrics?.[key] ?? []) as Json[]) {
      entries.push({
        by: metric.source === 'nvd@nist.gov' ? 'nvd' : metric.source,
        cvssVersion: metric.cvssData.version,
        vector: metric.cvssData.vectorString,
        score: metric.cvssData.baseScore,
        rating: metric.cvssData.baseSeverity ?? metric.baseSeverity,
      });
    }
  }
  for (const metric of (cve.metrics?.ssvcV203 ?? []) as Json[]) {
    const names: Record<string, string> = { exploitation: 'Exploitation', automatable: 'Automatable', technicalImpact: 'Technical Impact' };
    const points = (metric.ssvcData.options as Json[]).map((option) => Object.entries(option).map(([name, value]) => `${names[name]}:${value}`)[0]);
    entries.push({ by: 'cisa-adp-ssvc', rating: points.join(';') });
  }
  return entries;
}

function assertMatchesCve(advisory: Advisory | undefined, cve: Json): void {
  assert.ok(advisory, `${cve.id} ingested`);
  assert.equal(advisory.source, 'nvd');
  assert.equal(advisory.id, cve.id);
  assert.equal(advisory.summary, (cve.descriptions as Json[]).find((description) => description.lang === 'en')?.value);
  assert.equal(advisory.published, cve.published);
  assert.equal(advisory.modified, cve.lastModified);
  assert.deepEqual(advisory.severity, expectedSeverity(cve), cve.id);
  assert.deepEqual(new Set(advisory.references), new Set((cve.references as Json[]).map((reference) => reference.url)));
  assert.deepEqual(advisory.affected, []);
  assert.equal(advisory.withdrawn, cve.vulnStatus === 'Rejected' ? cve.lastModified : undefined);
}

describe('nvd feed', () => {
  it('reads every CVE API 2.0 page, each CVE field by field', async () => {
    const dir = join(NVD, 'api-2.0-pages');
    const cves = readdirSync(dir).sort().flatMap((name) => (readJson(join(dir, name)).vulnerabilities as Json[]).map((item) => item.cve as Json));
    const got = await ingestAll(nvdFeed, filesUnder(dir));
    assert.equal(got.advisories.length, cves.length);
    assert.equal(cves.length, 23); // SOURCE.md: 23 files, one CVE each
    assert.deepEqual(got.skipped, []);
    for (const cve of cves) assertMatchesCve(got.advisories.find((advisory) => advisory.id === cve.id), cve);
    const xz = got.advisories.find((advisory) => advisory.id === 'CVE-2024-3094');
    assert.ok(xz?.severity.some((entry) => entry.by === 'secalert@redhat.com' && entry.score === 10));
    assert.ok(xz?.severity.some((entry) => entry.by === 'cisa-adp-ssvc' && entry.rating === 'Exploitation:none;Automatable:yes;Technical Impact:total'));
  });

  it('reads fkie-cad per-CVE records and the page that wraps them the same way', async () => {
    const dir = join(NVD, 'fkie-cad-per-cve');
    const cves = readdirSync(dir).map((name) => readJson(join(dir, name)));
    const single = await ingestAll(nvdFeed, filesUnder(dir));
    assert.equal(single.advisories.length, 6);
    for (const cve of cves) assertMatchesCve(single.advisories.find((advisory) => advisory.id === cve.id), cve);
    const wrapped = await ingestAll(nvdFeed, filesOf({ name: 'page.json', content: readFileSync(join(NVD, 'nvd-api-2.0-page.wrapped-fkie-records.json')) }));
    assert.deepEqual(
      [...wrapped.advisories].sort((a, b) => a.id.localeCompare(b.id)),
      [...single.advisories].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // SOURCE.md: semver has NVD's Primary and the CNA's Secondary v3.1; path-to-regexp only v4.0; axios no metrics.
    const semver = single.advisories.find((advisory) => advisory.id === 'CVE-2022-25883');
    assert.deepEqual(semver?.severity.map((entry) => entry.by).sort(), ['nvd', 'report@snyk.io']);
    assert.deepEqual(single.advisories.find((advisory) => advisory.id === 'CVE-2024-52798')?.severity.map((entry) => entry.cvssVersion), ['4.0']);
    assert.deepEqual(single.advisories.find((advisory) => advisory.id === 'CVE-2023-45857')?.severity, []);
  });

  it('reads the legacy 1.1 feeds (gzip) and ignores their .meta files', async () => {
    const dir = join(NVD, 'legacy-1.1');
    const got = await ingestAll(nvdFeed, filesUnder(dir));
    const feeds = readdirSync(dir).sort()
      .filter((name) => name.endsWith('.json.gz'))
      .map((name) => JSON.parse(gunzipSync(readFileSync(join(dir, name))).toString('utf8')) as Json);
    const items = feeds.flatMap((feed) => feed.CVE_Items as Json[]);
    assert.equal(items.length, 762 + 2146 + 6770); // SOURCE.md
    for (const feed of feeds) assert.equal(feed.CVE_Items.length, Number(feed.CVE_data_numberOfCVEs));
    // `recent` and `modified` repeat ids; one advisory per id, from the copy modified last.
    const newest = new Map<string, Json>();
    for (const item of items) {
      const known = newest.get(item.cve.CVE_data_meta.ID);
      if (!known || item.lastModifiedDate > known.lastModifiedDate) newest.set(item.cve.CVE_data_meta.ID, item);
    }
    assert.equal(got.advisories.length, newest.size);
    assert.deepEqual(got.skipped, []);
    const sample = [...newest.values()].filter((_, index) => index % 97 === 0);
    assert.ok(sample.length > 90);
    for (const item of sample) {
      const advisory = got.advisories.find((candidate) => candidate.id === item.cve.CVE_data_meta.ID);
      assert.ok(advisory);
      assert.equal(advisory.summary, item.cve.description.description_data[0].value);
      assert.equal(advisory.published, item.publishedDate);
      assert.equal(advisory.modified, item.lastModifiedDate);
      assert.deepEqual(new Set(advisory.references), new Set((item.cve.references.reference_data as Json[]).map((reference) => reference.url)));
      const expected: SeverityEntry[] = [];
      const v3 = item.impact.baseMetricV3;
      if (v3) expected.push({ by: 'nvd', cvssVersion: v3.cvssV3.version, vector: v3.cvssV3.vectorString, score: v3.cvssV3.baseScore, rating: v3.cvssV3.baseSeverity });
      const v2 = item.impact.baseMetricV2;
      if (v2) expected.push({ by: 'nvd', cvssVersion: v2.cvssV2.version, vector: v2.cvssV2.vectorString, score: v2.cvssV2.baseScore, rating: v2.severity });
      assert.deepEqual(advisory.severity, expected, advisory.id);
    }
    const withV2 = [...newest.values()].filter((item) => item.impact.baseMetricV2).length;
    const withV3 = [...newest.values()].filter((item) => item.impact.baseMetricV3).length;
    assert.equal(got.advisories.flatMap((advisory) => advisory.severity).filter((entry) => entry.cvssVersion === '2.0').length, withV2);
    assert.equal(got.advisories.flatMap((advisory) => advisory.severity).filter((entry) => entry.cvssVersion?.startsWith('3')).length, withV3);
    assert.equal(nvdFeed.wants({ name: 'nvdcve-1.1-recent.meta' }), false);
  });

  it('marks a rejected CVE as withdrawn', async () => {
    const cve = { id: 'CVE-2099-0001', published: '2099-01-01T00:00:00.000', lastModified: '2099-02-01T00:00:00.000', vulnStatus: 'Rejected', descriptions: [{ lang: 'en', value: 'Rejected reason: duplicate.' }], metrics: {}, references: [] };
    const legacy = { CVE_Items: [{ cve: { CVE_data_meta: { ID: 'CVE-2099-0002' }, description: { description_data: [{ lang: 'en', value: '** REJECT ** DO NOT USE.' }] }, references: { reference_data: [] } }, impact: {}, publishedDate: '2099-01-01T00:00Z', lastModifiedDate: '2099-03-01T00:00Z' }] };
    const got = await ingestAll(nvdFeed, filesOf({ name: 'a.json', content: JSON.stringify({ vulnerabilities: [{ cve }] }) }, { name: 'b.json', content: JSON.stringify(legacy) }));
    assert.deepEqual(got.advisories.map((advisory) => [advisory.id, advisory.withdrawn]), [['CVE-2099-0001', '2099-02-01T00:00:00.000'], ['CVE-2099-0002', '2099-03-01T00:00Z']]);
  });

  it('skips malformed files, records without an id and invalid vectors with a reason; the rest still counts', async () => {
    const page = readJson(join(NVD, 'api-2.0-pages/CVE-2024-3094.json'));
    const broken = structuredClone(page.vulnerabilities[0].cve) as Json;
    broken.id = 'CVE-2099-0003';
    broken.metrics.cvssMetricV31[0].cvssData.vectorString = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H'; // no A
    const got = await ingestAll(
      nvdFeed,
      filesOf(
        { name: 'bad.json', content: '{"vulnerabilities": [' },
        { name: 'other.json', content: '{"hello": 1}' },
        { name: 'page.json', content: JSON.stringify({ vulnerabilities: [{ cve: broken }, { cve: { descriptions: [] } }, page.vulnerabilities[0]] }) },
      ),
    );
    assert.deepEqual(got.advisories.map((advisory) => advisory.id), ['CVE-2099-0003', 'CVE-2024-3094']);
    assert.equal(got.advisories[0].severity.filter((entry) => entry.cvssVersion).length, 1, 'the valid NVD v3.1 metric is kept');
    assert.deepEqual(got.skipped.map((record) => record.where), ['bad.json', 'other.json', 'page.json CVE-2099-0003 metrics.cvssMetricV31[0]', 'page.json vulnerabilities[1]']);
    assert.match(got.skipped[0].reason, /unreadable JSON/);
    assert.match(got.skipped[2].reason, /missing base metric A/);
  });
});
