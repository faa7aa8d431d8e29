// The vulnrichment feed over the 71 shared CVE JSON 5 records; expected values read from the records here.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { vulnrichmentFeed } from '../../../src/advisories/feeds/vulnrichment/vulnrichment-feed.ts';
import type { Advisory, SeverityEntry } from '../../../src/advisories/model.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const DIR = join(SHARED, 'data/scoring/vulnrichment');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed CVE JSON 5, read loosely by the test

function recordFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? recordFiles(path) : /^CVE-.*\.json$/.test(name) ? [path] : [];
  });
}
const records = recordFiles(DIR).map((path) => ({ name: relative(DIR, path), record: JSON.parse(readFileSync(path, 'utf8')) as Json }));

/** CVSS entries of one container's metrics, as CVE JSON 5 names them. */
function cvssOf(container: Json, by: string): SeverityEntry[] {
  const keys: [string, string][] = [['cvssV4_0', '4.0'], ['cvssV3_1', '3.1'], ['cvssV3_0', '3.0'], ['cvssV2_0', '2.0']];
  return ((container.metrics ?? []) as Json[]).flatMap((metric) =>
    keys.filter(([key]) => metric[key]).map(([key, version]) => ({ by, cvssVersion: version, vector: metric[key].vectorString, score: metric[key].baseScore, rating: metric[key].baseSeverity }) as SeverityEntry),
  );
}

function byId(advisories: Advisory[], id: string): Advisory {
  const found = advisories.find((advisory) => advisory.id === id);
  assert.ok(found, `${id} ingested`);
  return found;
}

describe('vulnrichment feed', () => {
  it('reads every record (SOURCE.md: 71, all with SSVC, 26 with ADP CVSS)', async () => {
    const got = await ingestAll(vulnrichmentFeed, filesUnder(DIR));
    assert.equal(records.length, 71);
    assert.equal(got.advisories.length, records.length);
    assert.deepEqual(got.skipped, []);
    assert.equal(got.advisories.filter((advisory) => advisory.severity.some((entry) => entry.by === 'cisa-adp-ssvc')).length, 71);
    assert.equal(got.advisories.filter((advisory) => advisory.severity.some((entry) => entry.by === 'cisa-adp' && entry.cvssVersion)).length, 26);
    assert.equal(vulnrichmentFeed.wants({ name: 'SOURCE.md' }), false);
  });

  it('keeps CNA and CISA ADP CVSS metrics and SSVC decision points, field by field', async () => {
    const got = await ingestAll(vulnrichmentFeed, filesUnder(DIR));
    for (const { record } of records) {
      const advisory = byId(got.advisories, record.cveMetadata.cveId);
      assert.equal(advisory.source, 'vulnrichment');
      assert.equal(advisory.published, record.cveMetadata.datePublished);
      assert.equal(advisory.modified, record.cveMetadata.dateUpdated);
      const cna = record.containers.cna;
      assert.equal(advisory.summary, (cna.descriptions as Json[]).find((description) => description.lang.startsWith('en'))?.value);
      const cisa = (record.containers.adp as Json[]).find((adp) => adp.providerMetadata.shortName === 'CISA-ADP') as Json;
      const expectedCvss = [...cvssOf(cna, cna.providerMetadata.shortName), ...cvssOf(cisa, 'cisa-adp')];
      assert.deepEqual(advisory.severity.filter((entry) => entry.cvssVersion), expectedCvss, advisory.id);
      const ssvc = (cisa.metrics as Json[]).find((metric) => metric.other?.type === 'ssvc')?.other.content;
      const points = (ssvc.options as Json[]).map((option) => Object.entries(option).map(([name, value]) => `${name}:${value}`).join(''));
      assert.deepEqual(advisory.severity.filter((entry) => entry.by === 'cisa-adp-ssvc'), [{ by: 'cisa-adp-ssvc', rating: points.join(';') }]);
      for (const reference of cna.references as Json[]) assert.ok(advisory.references.includes(reference.url));
      assert.deepEqual(advisory.affected, []);
    }
    // Spot checks named in the files: the xz backdoor's SSVC and Red Hat's CVSS 3.1 and own rating.
    const xz = byId(got.advisories, 'CVE-2024-3094');
    assert.ok(xz.severity.some((entry) => entry.by === 'redhat' && entry.score === 10 && entry.cvssVersion === '3.1'));
    assert.ok(xz.severity.some((entry) => entry.by === 'redhat' && entry.rating === 'Critical' && entry.cvssVersion === undefined));
    assert.ok(xz.severity.some((entry) => entry.by === 'cisa-adp-ssvc' && entry.rating === 'Exploitation:none;Automatable:yes;Technical Impact:total'));
    const v4 = byId(got.advisories, 'CVE-2024-47764').severity.find((entry) => entry.cvssVersion === '4.0');
    assert.ok(v4?.vector?.startsWith('CVSS:4.0/'));
  });

  it('skips malformed JSON, non-records and invalid vectors with a reason; the rest still counts', async () => {
    const xz = records.find(({ record }) => record.cveMetadata.cveId === 'CVE-2024-3094')!.record;
    const broken = structuredClone(xz);
    broken.cveMetadata.cveId = 'CVE-2099-0004';
    const cvss = (broken.containers.cna.metrics as Json[]).find((metric) => metric.cvssV3_1)?.cvssV3_1;
    cvss.vectorString = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:Z';
    const rejected = { cveMetadata: { cveId: 'CVE-2099-0005', state: 'REJECTED', dateUpdated: '2099-01-02T00:00:00Z', dateRejected: '2099-01-01T00:00:00Z' }, containers: { cna: { rejectedReasons: [{ lang: 'en', value: 'duplicate' }] } } };
    const got = await ingestAll(
      vulnrichmentFeed,
      filesOf(
        { name: '2099/0xxx/CVE-2099-0001.json', content: '{"cveMetadata": ' },
        { name: '2099/0xxx/CVE-2099-0002.json', content: '{"dataType": "CVE_RECORD"}' },
        { name: '2099/0xxx/CVE-2099-0004.json', content: JSON.stringify(broken) },
        { name: '2099/0xxx/CVE-2099-0005.json', content: JSON.stringify(rejected) },
        { name: '2024/3xxx/CVE-2024-3094.json', content: JSON.stringify(xz) },
      ),
    );
    assert.deepEqual(got.advisories.map((advisory) => advisory.id), ['CVE-2099-0004', 'CVE-2099-0005', 'CVE-2024-3094']);
    assert.equal(got.advisories[0].severity.filter((entry) => entry.cvssVersion).length, 0);
    assert.ok(got.advisories[0].severity.some((entry) => entry.by === 'cisa-adp-ssvc'));
    assert.equal(got.advisories[1].withdrawn, '2099-01-01T00:00:00Z');
    assert.deepEqual(got.skipped.map((record) => record.where), [
      '2099/0xxx/CVE-2099-0001.json',
      '2099/0xxx/CVE-2099-0002.json',
      '2099/0xxx/CVE-2099-0004.json CVE-2099-0004 cna.metrics[1].cvssV3_1',
    ]);
    assert.match(got.skipped[2].reason, /Unknown component value Z/);
  });
});
