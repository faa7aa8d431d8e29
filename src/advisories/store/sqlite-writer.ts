// The write side on SQLite: an update works on a private copy of spyglass.db in the data directory and
// publishes it with one rename(2), which is atomic on POSIX file systems: a reader that opened the old
// file keeps reading it, a new reader gets the whole new one, and a killed update leaves only a stray
// temporary file (removed by the next update) next to the untouched previous database.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SpyglassError, errorText } from '../../core/errors.ts';
import type { Advisory, EpssEntry, KevEntry, RecordSink, SkippedRecord } from '../model.ts';
import { DATABASE_FILE, SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { recordGeneration } from './changes.ts';
import { writeLookupRows } from './sqlite-lookup.ts';
import { databasePath, readSchemaVersion } from './sqlite.ts';
import type { AdvisoryStoreWriter, SourceMeta, SourceResult } from './store.ts';

const TEMP_PATTERN = new RegExp(`^${DATABASE_FILE.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-z]+\\.tmp$`);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary copies that killed updates left behind (their process is gone). */
function removeStaleTemporaries(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    const match = TEMP_PATTERN.exec(name);
    if (match && !processAlive(Number(match[1]))) rmSync(join(dataDir, name), { force: true });
  }
}

/**
 * One update at a time per data directory: two would each publish their own copy and the first
 * one's sources would be lost. The lock names its process, so one left by a killed update is taken over.
 */
function takeUpdateLock(dataDir: string): string {
  const lockPath = join(dataDir, `${DATABASE_FILE}.lock`);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return lockPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
        throw new SpyglassError(`another database update (process ${holder}) is running in ${dataDir}; wait for it to finish`);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new SpyglassError(`cannot lock ${lockPath} for a database update`);
}

/**
 * A private file that is thrown away on failure needs no rollback journal on disk and no fsync per
 * transaction (durability comes from the fsync before the rename in commit()); a large page cache
 * keeps the index B-trees of a big source in memory while it is inserted.
 */
function tunePrivateCopy(db: Database.Database): void {
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -262144');
}

export class SqliteAdvisoryStoreWriter implements AdvisoryStoreWriter {
  readonly #dataDir: string;
  readonly #tempPath: string;
  readonly #lockPath: string;
  readonly #db: Database.Database;
  /** (namespace, package) keys whose rows changed in this update, by `namespace\0package`. */
  readonly #touchedKeys = new Map<string, [string, string]>();
  #closed = false;

  private constructor(dataDir: string, tempPath: string, lockPath: string, db: Database.Database) {
    this.#dataDir = dataDir;
    this.#tempPath = tempPath;
    this.#lockPath = lockPath;
    this.#db = db;
  }

  /** Starts an update on a copy of the current database (or an empty one). */
  static open(dataDir: string): SqliteAdvisoryStoreWriter {
    mkdirSync(dataDir, { recursive: true });
    const lockPath = takeUpdateLock(dataDir);
    removeStaleTemporaries(dataDir);
    const tempPath = join(dataDir, `${DATABASE_FILE}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    const current = databasePath(dataDir);
    // The published file is only ever replaced whole (never written in place), so a byte copy is a
    // consistent snapshot; it is much faster than VACUUM INTO for a large database.
    let db: Database.Database;
    try {
      if (existsSync(current)) copyFileSync(current, tempPath);
      db = new Database(tempPath);
      tunePrivateCopy(db);
      const version = readSchemaVersion(db);
      if (version !== undefined && version !== SCHEMA_VERSION) {
        // An older layout is rebuilt from scratch: every source is read again by this update.
        db.close();
        rmSync(tempPath, { force: true });
        db = new Database(tempPath);
        tunePrivateCopy(db);
      }
      db.exec(SCHEMA_SQL);
      db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('schema_version', String(SCHEMA_VERSION));
    } catch (error) {
      rmSync(tempPath, { force: true });
      rmSync(lockPath, { force: true });
      throw new SpyglassError(`cannot start a database update in ${dataDir}: ${errorText(error)}`, { cause: error });
    }
    return new SqliteAdvisoryStoreWriter(dataDir, tempPath, lockPath, db);
  }

  validators(source: string): { etag?: string; lastModified?: string } | undefined {
    const row = this.#db.prepare('SELECT etag, last_modified FROM source_status WHERE source = ?').get(source) as
      | { etag: string | null; last_modified: string | null }
      | undefined;
    if (row === undefined) return undefined;
    return { ...(row.etag !== null ? { etag: row.etag } : {}), ...(row.last_modified !== null ? { lastModified: row.last_modified } : {}) };
  }

  /** Keeps a source's records and notes why its update failed (`updatedAt` stays empty for a source never read). */
  recordFailure(source: string, location: string, message: string): void {
    const now = new Date().toISOString();
    this.#db
      .prepare(
        `INSERT INTO source_status (source, location, updated_at, records, skipped, skipped_reasons, last_error, last_error_at)
         VALUES (?, ?, '', 0, 0, '[]', ?, ?)
         ON CONFLICT (source) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
      )
      .run(source, location, message, now);
  }

  replaceSource(source: string, meta: SourceMeta, ingest: (sink: RecordSink) => Promise<void>): Promise<SourceResult> {
    return this.#ingest(source, meta, ingest, 'replace');
  }

  mergeSource(source: string, meta: SourceMeta, ingest: (sink: RecordSink) => Promise<void>): Promise<SourceResult> {
    return this.#ingest(source, meta, ingest, 'merge');
  }

  fetchedAt(source: string): string | undefined {
    const row = this.#db.prepare('SELECT fetched_at FROM source_status WHERE source = ?').get(source) as { fetched_at: string | null } | undefined;
    return row?.fetched_at ?? undefined;
  }

  /** Notes a (namespace, package) whose lookup row commit() must write again. */
  #touch(namespace: string, packageName: string): void {
    this.#touchedKeys.set(`${namespace}\0${packageName}`, [namespace, packageName]);
  }

  #touchAdvisoryKeys(where: 'source' | 'advisory_pk', value: string | number): void {
    const keys = this.#db.prepare(`SELECT DISTINCT namespace, package FROM affected WHERE ${where} = ?`).raw().all(value) as [string, string][];
    for (const [namespace, packageName] of keys) this.#touch(namespace, packageName);
  }

  async #ingest(source: string, meta: SourceMeta, ingest: (sink: RecordSink) => Promise<void>, mode: 'replace' | 'merge'): Promise<SourceResult> {
    const db = this.#db;
    const statements = {
      advisory: db.prepare(
        'INSERT INTO advisory (source, id, summary, details, published, modified, withdrawn, aliases, severity, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      advisoryAliases: db.prepare('UPDATE advisory SET aliases = ? WHERE pk = ?'),
      alias: db.prepare('INSERT INTO alias (advisory_pk, source, alias, position) VALUES (?, ?, ?, ?)'),
      affected: db.prepare(
        `INSERT INTO affected (advisory_pk, position, source, namespace, package, status, status_reason, ranges, versions, fixed_versions, urgency, module)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      previous: db.prepare('SELECT pk FROM advisory WHERE source = ? AND id = ?').pluck(),
      dropAffected: db.prepare('DELETE FROM affected WHERE advisory_pk = ?'),
      dropAliases: db.prepare('DELETE FROM alias WHERE advisory_pk = ?'),
      dropAdvisory: db.prepare('DELETE FROM advisory WHERE pk = ?'),
      kev: db.prepare(
        `INSERT INTO kev (cve, source, date_added, due_date, known_ransomware_campaign_use, vendor_project, product, name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cve) DO UPDATE SET source = excluded.source, date_added = excluded.date_added, due_date = excluded.due_date,
           known_ransomware_campaign_use = excluded.known_ransomware_campaign_use, vendor_project = excluded.vendor_project,
           product = excluded.product, name = excluded.name`,
      ),
      epss: db.prepare(
        `INSERT INTO epss (cve, source, score, percentile, date, model_version) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (cve) DO UPDATE SET source = excluded.source, score = excluded.score, percentile = excluded.percentile,
           date = excluded.date, model_version = excluded.model_version`,
      ),
    };
    /** A merge replaces what the source said before about this id: its advisory, aliases and affected rows. */
    const dropPrevious = (id: string) => {
      const pk = statements.previous.get(source, id) as number | undefined;
      if (pk === undefined) return;
      this.#touchAdvisoryKeys('advisory_pk', pk);
      for (const statement of [statements.dropAffected, statements.dropAliases, statements.dropAdvisory]) statement.run(pk);
    };
    // A source that says the same advisory twice (one record per package, per release…) gets one
    // advisory row holding all of its affected packages and aliases.
    const advisoryPks = new Map<string, { pk: number; aliases: Set<string>; affected: number; seen: Set<string> }>();
    const skipped: SkippedRecord[] = [];
    let records = 0;
    const addAdvisory = (advisory: Advisory) => {
      let known = advisoryPks.get(advisory.id);
      const repeated = known !== undefined;
      if (known === undefined) {
        if (mode === 'merge') dropPrevious(advisory.id);
        const pk = Number(
          statements.advisory.run(
            source, advisory.id, advisory.summary ?? null, advisory.details ?? null, advisory.published ?? null,
            advisory.modified ?? null, advisory.withdrawn ?? null,
            JSON.stringify([...new Set(advisory.aliases)].filter((alias) => alias !== advisory.id)), JSON.stringify(advisory.severity),
            JSON.stringify(advisory.references),
          ).lastInsertRowid,
        );
        known = { pk, aliases: new Set([advisory.id]), affected: 0, seen: new Set() };
        advisoryPks.set(advisory.id, known);
        records += 1;
      }
      const before = known.aliases.size;
      for (const alias of advisory.aliases) {
        if (known.aliases.has(alias)) continue;
        known.aliases.add(alias);
        statements.alias.run(known.pk, source, alias, known.aliases.size);
      }
      // A repeated advisory that brought new aliases: the JSON copy is rewritten (all but the id itself).
      if (repeated && known.aliases.size > before) {
        statements.advisoryAliases.run(JSON.stringify([...known.aliases].slice(1)), known.pk);
        // The lookup rows hold the aliases too.
        this.#touchAdvisoryKeys('advisory_pk', known.pk);
      }
      for (const entry of advisory.affected) {
        // The same record read twice (a feed's loose files and its archive) adds nothing the second time.
        const signature = JSON.stringify(entry);
        if (known.seen.has(signature)) continue;
        known.seen.add(signature);
        this.#touch(entry.namespace, entry.packageName);
        statements.affected.run(
          known.pk, known.affected++, source, entry.namespace, entry.packageName, entry.status, entry.statusReason ?? null, JSON.stringify(entry.ranges),
          entry.versions ? JSON.stringify(entry.versions) : null, JSON.stringify(entry.fixedVersions), entry.urgency ?? null,
          entry.module ?? null,
        );
      }
    };
    const sink: RecordSink = {
      advisory: addAdvisory,
      kev(entry: KevEntry) {
        statements.kev.run(
          entry.cve, source, entry.dateAdded, entry.dueDate ?? null, entry.knownRansomwareCampaignUse ?? null,
          entry.vendorProject ?? null, entry.product ?? null, entry.name ?? null,
        );
        records += 1;
      },
      epss(entry: EpssEntry) {
        statements.epss.run(entry.cve, source, entry.score, entry.percentile, entry.date, entry.modelVersion ?? null);
        records += 1;
      },
      skipped(record) {
        skipped.push({ source, ...record });
      },
    };
    // One transaction per source: the sink's inserts are prepared statements inside it (fast), and a
    // source whose ingest throws is rolled back to exactly what it held before.
    db.exec('BEGIN');
    try {
      if (mode === 'replace') {
        this.#touchAdvisoryKeys('source', source);
        for (const table of ['affected', 'alias', 'advisory', 'kev', 'epss']) db.prepare(`DELETE FROM ${table} WHERE source = ?`).run(source);
      }
      await ingest(sink);
      const reasons = new Map<string, { reason: string; count: number; example: string }>();
      for (const record of skipped) {
        const entry = reasons.get(record.reason) ?? { reason: record.reason, count: 0, example: record.where };
        entry.count += 1;
        reasons.set(record.reason, entry);
      }
      const skippedReasons = [...reasons.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
      // After a merge the source holds more than this update brought: its status counts what it holds.
      const held =
        mode === 'replace'
          ? records
          : ['advisory', 'kev', 'epss'].reduce((total, table) => total + (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE source = ?`).get(source) as { n: number }).n, 0);
      db.prepare(
        `INSERT INTO source_status (source, location, updated_at, records, skipped, skipped_reasons, etag, last_modified, last_error, last_error_at, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
         ON CONFLICT (source) DO UPDATE SET location = excluded.location, updated_at = excluded.updated_at, records = excluded.records,
           skipped = excluded.skipped, skipped_reasons = excluded.skipped_reasons, etag = excluded.etag,
           last_modified = excluded.last_modified, last_error = NULL, last_error_at = NULL, fetched_at = excluded.fetched_at`,
      ).run(
        source, meta.location, new Date().toISOString(), held, skipped.length, JSON.stringify(skippedReasons), meta.etag ?? null, meta.lastModified ?? null,
        meta.fetchedAt ?? null,
      );
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    return { source, records, skipped };
  }

  async commit(): Promise<void> {
    if (this.#closed) throw new Error('this database update is already finished');
    const changedKeys = new Map<string, [string, string]>();
    writeLookupRows(this.#db, this.#touchedKeys.values(), (namespace, packageName) => changedKeys.set(`${namespace}\0${packageName}`, [namespace, packageName]));
    this.#touchedKeys.clear();
    recordGeneration(this.#db, this.#dataDir, changedKeys);
    this.#db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('built_at', new Date().toISOString());
    this.#db.pragma('journal_mode = DELETE');
    this.#db.close();
    this.#closed = true;
    try {
      const fd = openSync(this.#tempPath, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.#tempPath, databasePath(this.#dataDir));
    } catch (error) {
      rmSync(this.#tempPath, { force: true });
      throw error;
    } finally {
      rmSync(this.#lockPath, { force: true });
    }
  }

  async abort(): Promise<void> {
    // After commit() the lock is gone (and may be another update's by now): nothing is left to undo.
    if (this.#closed) return;
    this.#db.close();
    this.#closed = true;
    rmSync(this.#tempPath, { force: true });
    rmSync(this.#lockPath, { force: true });
  }
}
