// Writes the `package_lookup` rows (see package-lookup.ts) on SQLite, from the tables of record.
import type Database from 'better-sqlite3';
import { encodeLookup, type StoredAffectedRow } from './package-lookup.ts';

/**
 * Writes the lookup row of each key from the `affected` and `advisory` tables, in lookup order (the
 * order `affected()` promises), or removes it when the key has no rows left; in one transaction.
 * A key whose rows did not change in the end (its source's ingest was rolled back) is written again
 * as it was.
 */
export function writeLookupRows(
  db: Database.Database,
  keys: Iterable<readonly [namespace: string, packageName: string]>,
  /** Told of each key whose row was added, removed or written with other bytes (change tracking). */
  changed?: (namespace: string, packageName: string) => void,
): void {
  const rowsOf = db
    .prepare(
      `SELECT f.source, a.id, a.aliases, f.status, f.status_reason, f.ranges, f.versions, f.fixed_versions, f.urgency, f.module
       FROM affected f JOIN advisory a ON a.pk = f.advisory_pk WHERE f.namespace = ? AND f.package = ? ORDER BY f.source, a.id, f.position`,
    )
    .raw();
  const upsert = db.prepare(
    `INSERT INTO package_lookup (namespace, package, strings, layout) VALUES (?, ?, ?, ?)
     ON CONFLICT (namespace, package) DO UPDATE SET strings = excluded.strings, layout = excluded.layout`,
  );
  const remove = db.prepare('DELETE FROM package_lookup WHERE namespace = ? AND package = ?');
  const current = db.prepare<[string, string], [string, Buffer]>('SELECT strings, layout FROM package_lookup WHERE namespace = ? AND package = ?').raw();
  db.exec('BEGIN');
  try {
    for (const [namespace, packageName] of keys) {
      const rows = (rowsOf.all(namespace, packageName) as (string | null)[][]).map(
        ([source, advisoryId, aliases, status, statusReason, ranges, versions, fixedVersions, urgency, module]): StoredAffectedRow => ({
          source: source!, advisoryId: advisoryId!, aliases: aliases!, status: status!, statusReason: statusReason ?? null,
          ranges: ranges!, versions: versions ?? null, fixedVersions: fixedVersions!, urgency: urgency ?? null, module: module ?? null,
        }),
      );
      const before = changed !== undefined ? current.get(namespace, packageName) : undefined;
      if (rows.length === 0) {
        if (remove.run(namespace, packageName).changes > 0) changed?.(namespace, packageName);
      } else {
        const { strings, layout } = encodeLookup(rows);
        if (before === undefined || before[0] !== strings || !Buffer.from(layout).equals(before[1])) changed?.(namespace, packageName);
        upsert.run(namespace, packageName, strings, layout);
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
