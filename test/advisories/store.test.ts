import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { exportDatabase, importDatabase } from '../../src/advisories/store/export.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { SqliteAdvisoryStoreWriter } from '../../src/advisories/store/sqlite-writer.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { ghsaFiles, kevEntries, namespaceOf, osvAdvisory } from './store-records.ts';

const GHSA = ghsaFiles();
const KEV = kevEntries();

/** Builds a database in a new data dir: every GHSA record as source `osv`, the KEV catalog as `kev`. */
async function buildDatabase(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-store-'));
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  await writer.replaceSource('osv', { location: 'ghsa-dir', etag: '"abc"' }, async (sink) => {
    for (const { record } of GHSA) sink.advisory(osvAdvisory('osv', record));
    sink.skipped({ where: 'npm/broken.json', reason: 'malformed JSON' });
    sink.skipped({ where: 'npm/broken2.json', reason: 'malformed JSON' });
    sink.skipped({ where: 'npm/odd.json', reason: 'invalid version' });
  });
  await writer.replaceSource('kev', { location: 'kev.json' }, async (sink) => {
    for (const entry of KEV) sink.kev(entry);
  });
  await writer.commit();
  return dataDir;
}

function expectedIds(namespace: string, packageName: string): string[] {
  return GHSA.filter(({ record }) => record.affected?.some((entry) => namespaceOf(entry.package.ecosystem) === namespace && entry.package.name === packageName))
    .map(({ record }) => record.id)
    .sort();
}

test('lookups by namespace and package return every advisory naming the package, with its ranges', async () => {
  const store = SqliteAdvisoryStore.open(await buildDatabase());
  for (const packageName of ['lodash', 'jsonwebtoken', 'follow-redirects', 'express']) {
    const rows = await store.affected('npm', packageName);
    assert.ok(rows.length > 0);
    assert.deepEqual([...new Set(rows.map((row) => row.advisoryId))].sort(), expectedIds('npm', packageName));
    for (const row of rows) {
      const { record } = GHSA.find(({ record }) => record.id === row.advisoryId)!;
      const entries = record.affected!.filter((entry) => entry.package.name === packageName);
      assert.ok(entries.some((entry) => JSON.stringify(entry.ranges ?? []) === JSON.stringify(row.affected.ranges)));
      assert.deepEqual(row.aliases, record.aliases);
      assert.equal(row.source, 'osv');
    }
  }
  assert.deepEqual(await store.affected('pypi', 'lodash'), [], 'the namespace is part of the key');
  const maven = GHSA.find(({ name }) => name.startsWith('maven/'))!.record;
  const mavenName = maven.affected![0]!.package.name;
  assert.deepEqual([...new Set((await store.affected('maven', mavenName)).map((row) => row.advisoryId))], expectedIds('maven', mavenName));
  await store.close();
});

test('an advisory is found by its id and by each alias, with every field as the file has it', async () => {
  const store = SqliteAdvisoryStore.open(await buildDatabase());
  for (const { record } of GHSA) {
    for (const name of [record.id, ...(record.aliases ?? [])]) {
      const found = await store.advisories(name);
      const advisory = found.find((candidate) => candidate.id === record.id);
      assert.ok(advisory, `${name} finds ${record.id}`);
      assert.deepEqual(advisory, osvAdvisory('osv', record));
    }
  }
  assert.deepEqual(await store.advisories('CVE-1999-0000'), []);
  await store.close();
});

test('KEV entries are stored as the catalog has them', async () => {
  const store = SqliteAdvisoryStore.open(await buildDatabase());
  for (const entry of [KEV[0]!, KEV[KEV.length - 1]!, KEV[Math.floor(KEV.length / 2)]!]) assert.deepEqual(await store.kev(entry.cve), entry);
  assert.equal(await store.kev('CVE-1999-0000'), undefined);
  assert.equal(await store.epss('CVE-1999-0000'), undefined);
  await store.close();
});

test('status counts records and skipped records by reason, with an example, and keeps validators', async () => {
  const dataDir = await buildDatabase();
  const store = SqliteAdvisoryStore.open(dataDir);
  const status = await store.status();
  const catalog = JSON.parse(readFileSync(join(import.meta.dirname, '../../../shared/data/scoring/kev/known_exploited_vulnerabilities.json'), 'utf8')) as { count: number };
  assert.equal(status.schemaVersion, 3);
  assert.ok(Date.now() - Date.parse(status.builtAt) < 60_000);
  const osv = status.sources.find((source) => source.source === 'osv')!;
  assert.equal(osv.records, GHSA.length);
  assert.equal(osv.skipped, 3);
  assert.deepEqual(osv.skippedReasons, [
    { reason: 'malformed JSON', count: 2, example: 'npm/broken.json' },
    { reason: 'invalid version', count: 1, example: 'npm/odd.json' },
  ]);
  assert.equal(osv.etag, '"abc"');
  assert.equal(status.sources.find((source) => source.source === 'kev')!.records, catalog.count);
  assert.equal(status.counts.kev, catalog.count);
  assert.equal(status.counts.advisories, GHSA.length);
  assert.equal(status.counts.affected, GHSA.reduce((total, { record }) => total + (record.affected?.length ?? 0), 0));
  await store.close();
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  assert.deepEqual(writer.validators('osv'), { etag: '"abc"' });
  assert.equal(writer.validators('nvd'), undefined);
  await writer.abort();
});

test('replacing a source replaces only its records; a failing ingest keeps what it had', async () => {
  const dataDir = await buildDatabase();
  const lodashOnly = GHSA.filter(({ name }) => name.startsWith('npm/')).filter(({ record }) => record.affected?.some((entry) => entry.package.name === 'lodash'));
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  const result = await writer.replaceSource('osv', { location: 'subset' }, async (sink) => {
    for (const { record } of lodashOnly) sink.advisory(osvAdvisory('osv', record));
  });
  assert.equal(result.records, lodashOnly.length);
  await assert.rejects(
    writer.replaceSource('kev', { location: 'broken' }, async (sink) => {
      sink.kev(KEV[0]!);
      throw new Error('connection reset');
    }),
    /connection reset/,
  );
  await writer.commit();
  const store = SqliteAdvisoryStore.open(dataDir);
  assert.deepEqual((await store.affected('npm', 'jsonwebtoken')), []);
  assert.deepEqual([...new Set((await store.affected('npm', 'lodash')).map((row) => row.advisoryId))].sort(), expectedIds('npm', 'lodash'));
  const status = await store.status();
  assert.equal(status.counts.kev, KEV.length, 'the failed kev ingest was rolled back whole');
  assert.equal(status.sources.find((source) => source.source === 'osv')!.location, 'subset');
  assert.equal(status.sources.find((source) => source.source === 'osv')!.skipped, 0);
  await store.close();
  assert.deepEqual(readdirSync(dataDir), ['spyglass.db'], 'no temporary file is left');
});

test('a source that says one advisory twice gets one advisory holding both affected packages', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-store-'));
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  const record = GHSA.find(({ record }) => (record.affected?.length ?? 0) >= 2)!.record;
  const advisory = osvAdvisory('osv', record);
  await writer.replaceSource('osv', { location: 'x' }, async (sink) => {
    for (const entry of advisory.affected) sink.advisory({ ...advisory, affected: [entry] });
    sink.advisory({ ...advisory, aliases: ['EXTRA-1'], affected: [] });
  });
  await writer.commit();
  const store = SqliteAdvisoryStore.open(dataDir);
  const merged = { ...advisory, aliases: [...advisory.aliases, 'EXTRA-1'] };
  assert.deepEqual(await store.advisories('EXTRA-1'), [merged]);
  const first = advisory.affected[0]!;
  const rows = await store.affected(first.namespace, first.packageName);
  const sameName = advisory.affected.filter((entry) => entry.namespace === first.namespace && entry.packageName === first.packageName);
  assert.deepEqual(rows.map((row) => row.aliases), sameName.map(() => merged.aliases));
  assert.equal((await store.status()).sources[0]!.records, 1);
  await store.close();
});

test('one update at a time per data directory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-store-'));
  const first = SqliteAdvisoryStoreWriter.open(dataDir);
  await rejectsWithMessage(
    (async () => SqliteAdvisoryStoreWriter.open(dataDir))(),
    `another database update (process ${process.pid}) is running in ${dataDir}; wait for it to finish`,
  );
  await first.abort();
  const second = SqliteAdvisoryStoreWriter.open(dataDir);
  await second.commit();
  assert.deepEqual(readdirSync(dataDir), ['spyglass.db']);
});

test('no database: a one-line error that says how to make one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-store-'));
  await rejectsWithMessage(
    (async () => SqliteAdvisoryStore.open(dataDir))(),
    `no vulnerability database in ${dataDir}: run \`spyglass db update\` (or \`spyglass db import FILE\` on an air-gapped machine)`,
  );
});

test('export and import round-trip the database; a damaged export is refused and the database kept', async () => {
  const source = await buildDatabase();
  const file = join(mkdtempSync(join(tmpdir(), 'spyglass-export-')), 'db.spyglass.gz');
  const header = await exportDatabase(source, file);
  assert.equal(header.size, readFileSync(join(source, 'spyglass.db')).length);
  const target = mkdtempSync(join(tmpdir(), 'spyglass-import-'));
  await importDatabase(target, file);
  assert.deepEqual(readFileSync(join(target, 'spyglass.db')), readFileSync(join(source, 'spyglass.db')));
  const store = SqliteAdvisoryStore.open(target);
  assert.deepEqual([...new Set((await store.affected('npm', 'lodash')).map((row) => row.advisoryId))].sort(), expectedIds('npm', 'lodash'));
  await store.close();

  const before = readFileSync(join(target, 'spyglass.db'));
  const packed = readFileSync(file);
  const truncated = join(target, '..', `${Date.now()}-truncated.gz`);
  writeFileSync(truncated, packed.subarray(0, packed.length >> 1));
  await rejectsWithMessage(importDatabase(target, truncated), new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a usable spyglass database export: gzip: `));
  // A byte changed inside the database, re-compressed so that gzip's CRC passes: the SHA-256 catches it.
  const content = gunzipSync(packed);
  content[content.length - 100] ^= 0xff;
  const tampered = join(target, '..', `${Date.now()}-tampered.gz`);
  writeFileSync(tampered, gzipSync(content));
  await rejectsWithMessage(importDatabase(target, tampered), /is not a usable spyglass database export: SHA-256 [0-9a-f]{64} does not match the header's /);
  assert.deepEqual(readFileSync(join(target, 'spyglass.db')), before);
  assert.deepEqual(readdirSync(target), ['spyglass.db']);
});
