// Change tracking of the vulnerability database, for the server's continuous re-evaluation: every
// published update is a generation (metadata `generation`, +1 per commit), and the database remembers
// what each of the last CHANGE_HISTORY_GENERATIONS generations changed:
//   lookup_change (generation, namespace, package): a package_lookup row that was added, removed or
//     written with other bytes (compared in writeLookupRows) — the images that look that key up must
//     be matched again;
//   advisory_change (generation, id): an advisory id (and its aliases, old and new) whose severity,
//     aliases or summary changed, or that appeared or went, in any source read by the update, and a KEV
//     entry added, removed or changed — the images whose findings name it must be rated again (NVD,
//     vulnrichment and KEV carry no affected rows, so no lookup row changes for them).
// EPSS is left out on purpose: its scores change every day for every CVE, and they never change a
// finding's severity, so re-rating every image daily for them would be waste.
// `history_from` is the first generation whose changes are all recorded; a reader that last saw an
// older generation (or another database: `database_id`) must re-evaluate everything. A rebuild (a new
// schema version, a first build) and an update changing more than MAX_RECORDED_KEYS keys record no
// list: history starts again after them. The tables are CREATE TABLE IF NOT EXISTS additions, so no
// schema version bump: a database without them simply has no history yet.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from './schema.ts';
import { databasePath, readSchemaVersion } from './sqlite.ts';

export const CHANGE_HISTORY_GENERATIONS = 100;
/** More changed lookup keys than this in one update (a source read for the first time): no list, re-evaluate everything. */
export const MAX_RECORDED_KEYS = 100_000;

export interface DatabaseGeneration {
  generation: number;
  /** Random per database lineage: a database built elsewhere and imported has another. */
  databaseId: string;
}

export interface DatabaseChanges extends DatabaseGeneration {
  /** Lookup keys whose rows changed after `since`. */
  keys: { namespace: string; package: string }[];
  /** Advisory ids and aliases whose rating data changed after `since`. */
  ids: string[];
  /** False when the history does not reach back to `since` (or it is another database): re-evaluate everything. */
  complete: boolean;
}

function metaValue(db: Database.Database, schema: 'main' | 'old', key: string): string | undefined {
  const row = db.prepare(`SELECT value FROM ${schema}.metadata WHERE key = ?`).get(key) as { value: string } | undefined;
  return row?.value;
}

function tableExists(db: Database.Database, schema: 'main' | 'old', table: string): boolean {
  return db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}

function aliasesOf(text: string | null): string[] {
  if (text === null) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Called by the writer's commit(), after the lookup rows are written and before the file is published:
 * numbers this generation and records what it changed against the published database (still in place).
 */
export function recordGeneration(db: Database.Database, dataDir: string, changedKeys: ReadonlyMap<string, readonly [string, string]>): number {
  const published = databasePath(dataDir);
  const previous = tableExists(db, 'main', 'metadata') ? metaValue(db, 'main', 'generation') : undefined;
  let oldGeneration: number | undefined;
  let oldId: string | undefined;
  let ids = new Set<string>();
  let lineage = false;
  let attached = false;
  try {
    if (existsSync(published)) {
      db.prepare('ATTACH DATABASE ? AS old').run(published);
      attached = true;
      if (tableExists(db, 'old', 'metadata')) {
        const generation = metaValue(db, 'old', 'generation');
        oldGeneration = generation === undefined ? undefined : Number(generation);
        oldId = metaValue(db, 'old', 'database_id');
        // The private copy continues the published file (it was not rebuilt for a new schema).
        lineage = previous !== undefined && Number(previous) === oldGeneration && Number(metaValue(db, 'old', 'schema_version')) === SCHEMA_VERSION;
      }
      if (lineage) ids = changedAdvisories(db);
    }
  } finally {
    if (attached) db.exec('DETACH DATABASE old');
  }
  const generation = (previous !== undefined ? Number(previous) : oldGeneration ?? 0) + 1;
  const databaseId = metaValue(db, 'main', 'database_id') ?? oldId ?? randomUUID();
  const listable = lineage && changedKeys.size <= MAX_RECORDED_KEYS;
  let historyFrom = Number(metaValue(db, 'main', 'history_from') ?? generation);
  if (listable) {
    const key = db.prepare('INSERT OR IGNORE INTO lookup_change (generation, namespace, package) VALUES (?, ?, ?)');
    const id = db.prepare('INSERT OR IGNORE INTO advisory_change (generation, id) VALUES (?, ?)');
    db.transaction(() => {
      for (const [namespace, packageName] of changedKeys.values()) key.run(generation, namespace, packageName);
      for (const each of ids) id.run(generation, each);
    })();
  } else {
    db.exec('DELETE FROM lookup_change; DELETE FROM advisory_change');
    historyFrom = generation + 1;
  }
  const oldest = generation - CHANGE_HISTORY_GENERATIONS + 1;
  db.prepare('DELETE FROM lookup_change WHERE generation < ?').run(oldest);
  db.prepare('DELETE FROM advisory_change WHERE generation < ?').run(oldest);
  const set = db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  set.run('generation', String(generation));
  set.run('history_from', String(Math.max(historyFrom, oldest)));
  set.run('database_id', databaseId);
  return generation;
}

/** Ids (with aliases) of advisories and KEV entries that differ between `old` and `main`, in the sources this update read. */
function changedAdvisories(db: Database.Database): Set<string> {
  const ids = new Set<string>();
  // A source this update read (successfully) has a new updated_at; the others were not touched.
  const sources = (
    db
      .prepare(
        `SELECT s.source FROM main.source_status s LEFT JOIN old.source_status o ON o.source = s.source
         WHERE o.source IS NULL OR o.updated_at IS NOT s.updated_at`,
      )
      .pluck()
      .all() as string[]
  ).filter((source) => source !== 'epss');
  if (sources.length === 0) return ids;
  const marks = sources.map(() => '?').join(', ');
  const rows = db
    .prepare(
      `SELECT a.id, a.aliases, o.aliases AS old_aliases FROM main.advisory a
         LEFT JOIN old.advisory o ON o.source = a.source AND o.id = a.id
       WHERE a.source IN (${marks}) AND (o.pk IS NULL OR o.aliases IS NOT a.aliases OR o.severity IS NOT a.severity OR o.summary IS NOT a.summary)
       UNION ALL
       SELECT o.id, o.aliases, NULL FROM old.advisory o
       WHERE o.source IN (${marks}) AND NOT EXISTS (SELECT 1 FROM main.advisory a WHERE a.source = o.source AND a.id = o.id)`,
    )
    .all(...sources, ...sources) as { id: string; aliases: string | null; old_aliases: string | null }[];
  for (const row of rows) {
    ids.add(row.id);
    for (const alias of [...aliasesOf(row.aliases), ...aliasesOf(row.old_aliases)]) ids.add(alias);
  }
  const kevColumns = 'cve, date_added, due_date, known_ransomware_campaign_use';
  for (const cve of db
    .prepare(
      `SELECT cve FROM (SELECT ${kevColumns} FROM main.kev EXCEPT SELECT ${kevColumns} FROM old.kev)
       UNION SELECT cve FROM (SELECT ${kevColumns} FROM old.kev EXCEPT SELECT ${kevColumns} FROM main.kev)`,
    )
    .pluck()
    .all() as string[]) {
    ids.add(cve);
  }
  return ids;
}

function openReadOnly(dataDir: string): Database.Database | undefined {
  const path = databasePath(dataDir);
  if (!existsSync(path)) return undefined;
  return new Database(path, { readonly: true, fileMustExist: true });
}

function generationOf(db: Database.Database): DatabaseGeneration & { historyFrom: number } {
  const meta = new Map((db.prepare('SELECT key, value FROM metadata').all() as { key: string; value: string }[]).map((row) => [row.key, row.value]));
  const generation = Number(meta.get('generation') ?? 0);
  return { generation, databaseId: meta.get('database_id') ?? '', historyFrom: Number(meta.get('history_from') ?? generation + 1) };
}

/** The published database's generation (cheap: for polling); undefined when there is no database. */
export function databaseGeneration(dataDir: string): DatabaseGeneration | undefined {
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dataDir);
    if (db === undefined || readSchemaVersion(db) === undefined) return undefined;
    const { generation, databaseId } = generationOf(db);
    return { generation, databaseId };
  } finally {
    db?.close();
  }
}

/**
 * What changed after generation `since` of database `databaseId` (when given): the lookup keys and
 * advisory ids, or `complete: false` when the history does not reach back that far.
 */
export function databaseChanges(dataDir: string, since: number, databaseId?: string): DatabaseChanges {
  const db = openReadOnly(dataDir);
  if (db === undefined) return { generation: 0, databaseId: '', keys: [], ids: [], complete: false };
  try {
    const { generation, databaseId: currentId, historyFrom } = generationOf(db);
    const sameDatabase = databaseId === undefined || databaseId === currentId;
    if (sameDatabase && since >= generation) return { generation, databaseId: currentId, keys: [], ids: [], complete: since === generation };
    if (!sameDatabase || since < historyFrom - 1 || !tableExists(db, 'main', 'lookup_change')) {
      return { generation, databaseId: currentId, keys: [], ids: [], complete: false };
    }
    const keys = db
      .prepare('SELECT DISTINCT namespace, package FROM lookup_change WHERE generation > ? ORDER BY namespace, package')
      .all(since) as { namespace: string; package: string }[];
    const ids = db.prepare('SELECT DISTINCT id FROM advisory_change WHERE generation > ? ORDER BY id').pluck().all(since) as string[];
    return { generation, databaseId: currentId, keys, ids, complete: true };
  } finally {
    db.close();
  }
}
