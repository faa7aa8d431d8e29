// Incremental NVD updates end to end: `updateDatabase` reads the NVD CVE API 2.0 from a loopback server
// that pages the real records of ../shared/data/scoring/nvd/api-2.0-pages as NVD does, and answers a
// lastModStartDate/lastModEndDate query with the records the test says changed in that window.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { nvdFeed } from '../../src/advisories/feeds/nvd/nvd-feed.ts';
import { incrementalStart, NVD_OVERLAP_MS } from '../../src/advisories/input/nvd-api.ts';
import { openFeedInput } from '../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore, databasePath } from '../../src/advisories/store/sqlite.ts';
import { updateDatabase, type OpenInput } from '../../src/advisories/update.ts';
import { SHARED } from '../helpers/fixtures.ts';

const PAGES = join(SHARED, 'data/scoring/nvd/api-2.0-pages');
const DAY = 86_400_000;

interface CveItem {
  cve: { id: string; lastModified: string; descriptions: { lang: string; value: string }[] };
}

describe('NVD incremental updates', () => {
  const records = readdirSync(PAGES).filter((name) => name.endsWith('.json')).sort()
    .flatMap((name) => (JSON.parse(readFileSync(join(PAGES, name), 'utf8')) as { vulnerabilities: CveItem[] }).vulnerabilities);
  const english = (item: CveItem) => item.cve.descriptions.find((description) => description.lang === 'en')!.value;
  /** What the server answers to a query with a lastModStartDate. */
  let changes: CveItem[] = [];
  const queries: URLSearchParams[] = [];
  let server: Server;
  let base: string;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-nvd-update-'));
    server = createServer((request, response) => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      queries.push(query);
      const list = query.has('lastModStartDate') ? changes : records;
      const startIndex = Number(query.get('startIndex') ?? 0);
      const page = list.slice(startIndex, startIndex + Number(query.get('resultsPerPage') ?? 2000));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ resultsPerPage: page.length, startIndex, totalResults: list.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: page }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/json/cves/2.0`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const openInput: OpenInput = (location, options) => openFeedInput(location, { ...options, nvd: { pageSize: 10, pageDelayMs: 0 } });
  const update = () => updateDatabase(join(work, 'data'), [{ name: 'nvd', location: base }], { feeds: [nvdFeed], openInput, cacheDir: join(work, 'cache') });
  const summaryOf = async (id: string) => {
    const store = SqliteAdvisoryStore.open(join(work, 'data'));
    try {
      return (await store.advisories(id)).find((advisory) => advisory.source === 'nvd')?.summary;
    } finally {
      await store.close();
    }
  };
  const nvdStatus = async () => {
    const store = SqliteAdvisoryStore.open(join(work, 'data'));
    try {
      return (await store.status()).sources.find((source) => source.source === 'nvd')!;
    } finally {
      await store.close();
    }
  };

  it('a first update reads every page; the second asks for what changed since and merges it; past 120 days it reads everything again', async () => {
    const firstStarted = Date.now();
    const first = await update();
    const firstEnded = Date.now();
    assert.deepEqual(first.map((outcome) => [outcome.outcome, outcome.outcome === 'updated' ? outcome.records : 0, 'changesSince' in outcome]), [['updated', records.length, false]]);
    assert.deepEqual(queries.map((query) => [query.get('startIndex'), query.has('lastModStartDate')]), [['0', false], ['10', false], ['20', false]]);
    assert.equal((await nvdStatus()).records, records.length);

    // NVD changed one record and published a new one.
    const changed = structuredClone(records[3]!);
    changed.cve.descriptions = [{ lang: 'en', value: 'Changed after the first update.' }];
    changed.cve.lastModified = new Date().toISOString().slice(0, -1);
    const added = structuredClone(records[5]!);
    added.cve.id = 'CVE-2099-0001';
    changes = [changed, added];
    queries.length = 0;
    const secondStarted = Date.now();
    const second = await update();
    const secondEnded = Date.now();
    assert.equal(queries.length, 1);
    const query = queries[0]!;
    assert.equal(query.get('startIndex'), '0');
    const nvdDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
    assert.match(query.get('lastModStartDate')!, nvdDate);
    assert.match(query.get('lastModEndDate')!, nvdDate);
    // From when the first download began (less the overlap for clock differences) to when this one began.
    const start = Date.parse(query.get('lastModStartDate')!);
    assert.ok(start >= firstStarted - NVD_OVERLAP_MS && start <= firstEnded - NVD_OVERLAP_MS, query.get('lastModStartDate')!);
    const end = Date.parse(query.get('lastModEndDate')!);
    assert.ok(end >= secondStarted && end <= secondEnded, query.get('lastModEndDate')!);
    assert.deepEqual(second, [{ outcome: 'updated', location: base, changesSince: new Date(start).toISOString(), source: 'nvd', records: 2, skipped: [] }]);

    assert.equal(await summaryOf(changed.cve.id), 'Changed after the first update.');
    assert.equal(await summaryOf('CVE-2099-0001'), english(records[5]!));
    for (const item of [records[0]!, records[4]!, records[records.length - 1]!]) assert.equal(await summaryOf(item.cve.id), english(item), `${item.cve.id} is kept`);
    const status = await nvdStatus();
    assert.equal(status.records, records.length + 1, 'the source holds its old records and the new one');
    assert.equal(status.lastError, undefined);

    // The last download is more than 120 days old: NVD would refuse the window, so everything is read and replaced.
    const db = new Database(databasePath(join(work, 'data')));
    db.prepare("UPDATE source_status SET fetched_at = ? WHERE source = 'nvd'").run(new Date(Date.now() - 121 * DAY).toISOString());
    db.close();
    queries.length = 0;
    const third = await update();
    assert.deepEqual(queries.map((query) => [query.get('startIndex'), query.has('lastModStartDate')]), [['0', false], ['10', false], ['20', false]]);
    assert.ok(third[0]!.outcome === 'updated' && !('changesSince' in third[0]!));
    assert.equal(await summaryOf(changed.cve.id), english(records[3]!));
    assert.equal(await summaryOf('CVE-2099-0001'), undefined);
    assert.equal((await nvdStatus()).records, records.length);
  });

  it('a source read from a local path is always read whole', async () => {
    const dataDir = join(work, 'local');
    const options = { feeds: [nvdFeed], openInput, cacheDir: join(work, 'cache') };
    await updateDatabase(dataDir, [{ name: 'nvd', location: base }], options);
    const local = await updateDatabase(dataDir, [{ name: 'nvd', location: PAGES }], options);
    assert.ok(local[0]!.outcome === 'updated' && !('changesSince' in local[0]!));
    queries.length = 0;
    // The path recorded no download time: back on the API, the next update reads everything.
    await updateDatabase(dataDir, [{ name: 'nvd', location: base }], options);
    assert.ok(queries.length > 0 && queries.every((query) => !query.has('lastModStartDate')));
  });
});

describe('the incremental window', () => {
  const now = new Date('2026-11-26T12:00:00.000Z');
  it('starts an hour before the previous download began, and needs one less than 120 days old', () => {
    assert.equal(incrementalStart(undefined, now), undefined);
    assert.equal(incrementalStart('not a date', now), undefined);
    assert.equal(incrementalStart('2026-11-25T12:00:00.000Z', now)!.toISOString(), '2026-11-25T11:00:00.000Z');
    assert.equal(incrementalStart(new Date(now.getTime() - 119 * DAY).toISOString(), now)!.getTime(), now.getTime() - 119 * DAY - NVD_OVERLAP_MS);
    assert.equal(incrementalStart(new Date(now.getTime() - 120 * DAY + NVD_OVERLAP_MS).toISOString(), now), undefined, 'the window would be exactly 120 days');
    assert.equal(incrementalStart(new Date(now.getTime() + 2 * NVD_OVERLAP_MS).toISOString(), now), undefined, 'a time in the future is not trusted');
  });
});
