import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Feed, FeedFile } from '../../src/advisories/feeds/feed.ts';
import { FEEDS } from '../../src/advisories/feeds/registry.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { updateDatabase, type FeedInput, type OpenInput } from '../../src/advisories/update.ts';
import { GHSA_DIR, ghsaFiles } from './store-records.ts';

const GHSA = ghsaFiles();
const OSV = FEEDS.find((feed) => feed.name === 'osv')!;

/** A feed that reads its input and then fails, as a source that goes down mid-download would. */
const BROKEN: Feed = {
  name: 'broken',
  defaultLocations: [],
  wants: () => true,
  async ingest(files, sink) {
    for await (const file of files) sink.skipped({ where: file.name, reason: 'unreadable' });
    throw new Error('connection reset by peer');
  },
};

async function* directoryFiles(root: string, prefix = ''): AsyncIterable<FeedFile> {
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const relative = prefix ? `${prefix}/${name}` : name;
    const path = join(root, relative);
    if (statSync(path).isDirectory()) yield* directoryFiles(root, relative);
    else yield { name: relative, size: statSync(path).size, read: async () => readFileSync(path) };
  }
}

/** Paths are read from disk; `mirror://` locations answer like a server with ETag `"v1"`; `down://` fails. */
function fakeInput(seen: { location: string; validators?: { etag?: string } }[]): OpenInput {
  return async (location, options): Promise<FeedInput> => {
    seen.push({ location, ...(options.validators ? { validators: options.validators } : {}) });
    if (location.startsWith('down://')) throw new Error(`${location}: 503 Service Unavailable`);
    if (location.startsWith('mirror://')) {
      if (options.validators?.etag === '"v1"') return { files: directoryFiles(GHSA_DIR, 'nuget'), notModified: true };
      return { files: directoryFiles(GHSA_DIR, 'nuget'), etag: '"v1"', notModified: false };
    }
    return { files: directoryFiles(location), notModified: false };
  };
}

const count = (ecosystem: string) => GHSA.filter(({ name }) => name.startsWith(`${ecosystem}/`)).length;

test('updateDatabase runs each feed over all its locations; a failing source keeps its records and the others go in', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-update-'));
  const seen: { location: string }[] = [];
  const first = await updateDatabase(
    dataDir,
    [{ name: 'osv', location: join(GHSA_DIR, 'npm') }, { name: 'osv', location: join(GHSA_DIR, 'maven') }, { name: 'broken', location: GHSA_DIR }],
    { feeds: [OSV, BROKEN], openInput: fakeInput(seen), cacheDir: dataDir },
  );
  assert.deepEqual(first.map((outcome) => [outcome.source, outcome.outcome]), [['osv', 'updated'], ['broken', 'failed']]);
  let store = SqliteAdvisoryStore.open(dataDir);
  let status = await store.status();
  assert.equal(status.sources.find((source) => source.source === 'osv')!.records, count('npm') + count('maven'));
  assert.equal(status.sources.find((source) => source.source === 'broken')!.lastError!.message, 'connection reset by peer');
  assert.equal(status.counts.advisories, count('npm') + count('maven'), 'the broken source left nothing behind');
  await store.close();

  const second = await updateDatabase(dataDir, [{ name: 'osv', location: 'down://osv.zip' }], { feeds: [OSV], openInput: fakeInput(seen), cacheDir: dataDir });
  assert.deepEqual(second, [{ outcome: 'failed', source: 'osv', location: 'down://osv.zip', error: 'down://osv.zip: 503 Service Unavailable' }]);
  store = SqliteAdvisoryStore.open(dataDir);
  status = await store.status();
  const osv = status.sources.find((source) => source.source === 'osv')!;
  assert.equal(osv.records, count('npm') + count('maven'));
  assert.equal(osv.location, `${join(GHSA_DIR, 'npm')}, ${join(GHSA_DIR, 'maven')}`);
  assert.equal(osv.lastError!.message, 'down://osv.zip: 503 Service Unavailable');
  assert.ok((await store.affected('npm', 'lodash')).length > 0);
  await store.close();
});

test('validators of the last download are sent again; a 304 keeps the source as it was', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-update-'));
  const seen: { location: string; validators?: { etag?: string } }[] = [];
  const options = { feeds: [OSV], openInput: fakeInput(seen), cacheDir: dataDir };
  const first = await updateDatabase(dataDir, [{ name: 'osv', location: 'mirror://osv/NuGet/all.zip' }], options);
  assert.equal(first[0]!.outcome, 'updated');
  const second = await updateDatabase(dataDir, [{ name: 'osv', location: 'mirror://osv/NuGet/all.zip' }], options);
  assert.deepEqual(second, [{ outcome: 'not-modified', source: 'osv', location: 'mirror://osv/NuGet/all.zip' }]);
  assert.deepEqual(seen, [{ location: 'mirror://osv/NuGet/all.zip' }, { location: 'mirror://osv/NuGet/all.zip', validators: { etag: '"v1"' } }]);
  const store = SqliteAdvisoryStore.open(dataDir);
  const status = await store.status();
  assert.equal(status.sources[0]!.records, count('nuget'));
  assert.equal(status.sources[0]!.etag, '"v1"');
  await store.close();
});
