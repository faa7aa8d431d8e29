// `affected()` reads the per-key lookup rows written at ingest; these tests hold it to what the rows of
// the `affected` and `advisory` tables say (every key of the database built from every shared feed) and
// to the advisories handed to the writer (rows the compact layout cannot hold, big keys, several sources).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Advisory, AffectedPackage } from '../../src/advisories/model.ts';
import { SqliteAdvisoryStore, databasePath } from '../../src/advisories/store/sqlite.ts';
import { SqliteAdvisoryStoreWriter } from '../../src/advisories/store/sqlite-writer.ts';
import type { AffectedRow } from '../../src/advisories/store/store.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';

interface TableRow {
  source: string;
  id: string;
  aliases: string;
  namespace: string;
  package: string;
  status: AffectedPackage['status'];
  status_reason: string | null;
  ranges: string;
  versions: string | null;
  fixed_versions: string;
  urgency: string | null;
}

/** The rows of every key straight from the tables, in the documented order: source, advisory id, position. */
function rowsFromTables(dataDir: string): Map<string, AffectedRow[]> {
  const db = new Database(databasePath(dataDir), { readonly: true });
  const rows = db
    .prepare(
      `SELECT a.source, a.id, a.aliases, f.namespace, f.package, f.status, f.status_reason, f.ranges, f.versions, f.fixed_versions, f.urgency
       FROM affected f JOIN advisory a ON a.pk = f.advisory_pk ORDER BY f.namespace, f.package, f.source, a.id, f.position`,
    )
    .all() as TableRow[];
  db.close();
  const byKey = new Map<string, AffectedRow[]>();
  for (const row of rows) {
    const key = `${row.namespace}\0${row.package}`;
    const list = byKey.get(key) ?? [];
    list.push({
      source: row.source,
      advisoryId: row.id,
      aliases: JSON.parse(row.aliases) as string[],
      affected: {
        namespace: row.namespace,
        packageName: row.package,
        status: row.status,
        ...(row.status_reason !== null ? { statusReason: row.status_reason } : {}),
        ranges: JSON.parse(row.ranges) as AffectedPackage['ranges'],
        ...(row.versions !== null ? { versions: JSON.parse(row.versions) as string[] } : {}),
        fixedVersions: JSON.parse(row.fixed_versions) as string[],
        ...(row.urgency !== null ? { urgency: row.urgency } : {}),
      },
    });
    byKey.set(key, list);
  }
  return byKey;
}

test('every key of the database built from every shared feed reads back as its table rows, in order', async () => {
  const dataDir = fixtureDatabase();
  const expected = rowsFromTables(dataDir);
  assert.ok(expected.size > 10_000, `${expected.size} keys`);
  const store = SqliteAdvisoryStore.open(dataDir);
  try {
    for (const [key, rows] of expected) {
      const [namespace, packageName] = key.split('\0') as [string, string];
      const found = await store.affected(namespace, packageName);
      assert.deepEqual(found, rows, key);
      // Same keys in the same order too (what `db search --format json` prints).
      assert.equal(JSON.stringify(found), JSON.stringify(rows), key);
    }
    assert.deepEqual(await store.affected('go', 'no-such-package'), []);
  } finally {
    await store.close();
  }
});

function advisory(source: string, id: string, affected: AffectedPackage[], aliases: string[] = []): Advisory {
  return { source, id, aliases, severity: [], references: [], affected };
}

test('rows of any shape, big keys and several sources read back exactly; a replaced source leaves nothing behind', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-lookup-'));
  const manyVersions = Array.from({ length: 20_000 }, (_, index) => `1.${index}.0`);
  const big: AffectedPackage = { namespace: 'npm', packageName: 'big', status: 'fixed', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.19999.0' }] }], versions: manyVersions, fixedVersions: ['1.19999.0'] };
  // Ranges the compact layout has no place for: an extra key, an event with two keys, keys in another order.
  const odd = {
    namespace: 'npm',
    packageName: 'odd',
    status: 'affected',
    ranges: [
      { type: 'GIT', repo: 'https://example.invalid/odd.git', events: [{ introduced: 'abc' }] },
      { type: 'SEMVER', events: [{ introduced: '1.0.0', fixed: '1.2.0' }] },
      { events: [{ fixed: '2.0.0' }], type: 'ECOSYSTEM' },
    ],
    fixedVersions: [],
  } as unknown as AffectedPackage;
  const debian: AffectedPackage = { namespace: 'debian:12', packageName: 'odd', status: 'no-dsa', statusReason: 'Minor issue', ranges: [], fixedVersions: [], urgency: 'low' };
  const plain: AffectedPackage = { namespace: 'npm', packageName: 'odd', status: 'fixed', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '0.9' }, { limit: '1.0' }] }], fixedVersions: ['1.0'] };
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  await writer.replaceSource('osv', { location: 'test' }, async (sink) => {
    sink.advisory(advisory('osv', 'OSV-2', [odd, big], ['CVE-2', 'GHSA-2']));
    sink.advisory(advisory('osv', 'OSV-1', [plain, debian]));
  });
  await writer.replaceSource('debian-tracker', { location: 'test' }, async (sink) => {
    sink.advisory(advisory('debian-tracker', 'CVE-2', [{ ...plain, status: 'affected' }]));
  });
  await writer.commit();
  let store = SqliteAdvisoryStore.open(dataDir);
  const row = (source: string, advisoryId: string, aliases: string[], affected: AffectedPackage): AffectedRow => ({ source, advisoryId, aliases, affected });
  assert.deepEqual(await store.affected('npm', 'odd'), [
    row('debian-tracker', 'CVE-2', [], { ...plain, status: 'affected' }),
    row('osv', 'OSV-1', [], plain),
    row('osv', 'OSV-2', ['CVE-2', 'GHSA-2'], odd),
  ]);
  assert.equal(JSON.stringify((await store.affected('npm', 'odd'))[2]!.affected.ranges), JSON.stringify(odd.ranges), 'key order kept');
  assert.deepEqual(await store.affected('npm', 'big'), [row('osv', 'OSV-2', ['CVE-2', 'GHSA-2'], big)]);
  assert.deepEqual(await store.affected('debian:12', 'odd'), [row('osv', 'OSV-1', [], debian)]);
  await store.close();

  // osv again without OSV-2: its keys lose its rows, `npm big` has none left.
  const again = SqliteAdvisoryStoreWriter.open(dataDir);
  await again.replaceSource('osv', { location: 'test' }, async (sink) => {
    sink.advisory(advisory('osv', 'OSV-1', [plain]));
  });
  await again.commit();
  store = SqliteAdvisoryStore.open(dataDir);
  assert.deepEqual(await store.affected('npm', 'odd'), [row('debian-tracker', 'CVE-2', [], { ...plain, status: 'affected' }), row('osv', 'OSV-1', [], plain)]);
  assert.deepEqual(await store.affected('npm', 'big'), []);
  assert.deepEqual(await store.affected('debian:12', 'odd'), []);
  await store.close();
  const db = new Database(databasePath(dataDir), { readonly: true });
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM package_lookup').get() as { n: number }).n, 1, 'one lookup row: npm odd');
  db.close();
});
