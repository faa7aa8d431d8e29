// The EPSS feed over the shared rows of FIRST's current CSV (SOURCE.md: header kept, 25 rows).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { epssFeed } from '../../../src/advisories/feeds/epss/epss-feed.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const DIR = join(SHARED, 'data/scoring/epss');
const CSV = readFileSync(join(DIR, 'epss_scores-current.selected-rows.csv'), 'utf8');
const lines = CSV.split('\n').filter((line) => line !== '');
// The header line, read here: `#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z`.
const [, modelVersion, scoreDate] = /^#model_version:([^,]+),score_date:(.+)$/.exec(lines[0]) ?? [];

describe('epss feed', () => {
  it('reads every row with the model version and score date of the header', async () => {
    const got = await ingestAll(epssFeed, filesUnder(DIR));
    assert.equal(modelVersion, 'v2026.06.15'); // SOURCE.md
    assert.equal(lines[1], 'cve,epss,percentile');
    const rows = lines.slice(2).map((line) => line.split(','));
    assert.equal(rows.length, 25); // SOURCE.md: 25 rows
    assert.deepEqual(got.skipped, []);
    assert.deepEqual(
      got.epss,
      rows.map(([cve, epss, percentile]) => ({ cve, score: Number(epss), percentile: Number(percentile), date: scoreDate, modelVersion })),
    );
    assert.ok(got.epss.some((entry) => entry.cve === 'CVE-2023-38545'));
  });

  it('reads a gzip CSV and dates a header-less one by its file name', async () => {
    const gz = await ingestAll(epssFeed, filesOf({ name: 'epss_scores-current.csv.gz', content: gzipSync(CSV) }));
    assert.equal(gz.epss.length, 25);
    const old = await ingestAll(epssFeed, filesOf({ name: 'epss_scores-2021-04-14.csv', content: 'cve,epss,percentile\nCVE-2021-0001,0.00045,0.12\n' }));
    assert.deepEqual(old.epss, [{ cve: 'CVE-2021-0001', score: 0.00045, percentile: 0.12, date: '2021-04-14' }]);
  });

  it('skips malformed lines and files with a reason; the rest still counts', async () => {
    const bad = [
      lines[0],
      lines[1],
      lines[2],
      'CVE-2023-1,0.1,0.2',
      `${lines[3]},extra`,
      'CVE-2023-38545,high,0.5',
      'CVE-2023-38545,1.5,0.5',
      'CVE-2023-38545,0.1',
      lines[4],
    ].join('\n');
    const got = await ingestAll(epssFeed, filesOf({ name: 'epss.csv', content: bad }, { name: 'epss-nodate.csv', content: 'cve,epss,percentile\n' }, { name: 'epss_scores-2024-01-01.csv', content: 'id,score\n' }));
    assert.deepEqual(got.epss.map((entry) => entry.cve), [lines[2].split(',')[0], lines[4].split(',')[0]]);
    assert.deepEqual(got.skipped.map((record) => record.where), ['epss.csv:4', 'epss.csv:5', 'epss.csv:6', 'epss.csv:7', 'epss.csv:8', 'epss-nodate.csv', 'epss_scores-2024-01-01.csv:1']);
    assert.match(got.skipped[0].reason, /bad CVE id/);
    assert.match(got.skipped[1].reason, /4 fields/);
    assert.match(got.skipped[2].reason, /from 0 to 1/);
    assert.match(got.skipped[3].reason, /from 0 to 1/);
    assert.match(got.skipped[5].reason, /no score date/);
  });
});
