// The read side of the vulnerability database on SQLite (better-sqlite3). Every query here is plain
// SQL that PostgreSQL reads the same way (see schema.ts for what differs in the tables).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SpyglassError } from '../../core/errors.ts';
import type { Advisory, AffectedPackage, EpssEntry, KevEntry } from '../model.ts';
import { decodeLookup } from './package-lookup.ts';
import { DATABASE_FILE, SCHEMA_VERSION } from './schema.ts';
import type { AdvisoryRecord, AdvisoryStore, AffectedRow, DbStatus, SourceStatus } from './store.ts';

interface AdvisoryRow {
  pk: number;
  source: string;
  id: string;
  summary: string | null;
  details: string | null;
  published: string | null;
  modified: string | null;
  withdrawn: string | null;
  severity: string;
  refs: string;
}

interface AffectedDbRow {
  advisory_pk: number;
  source: string;
  advisory_id: string;
  advisory_aliases: string;
  namespace: string;
  package: string;
  status: AffectedPackage['status'];
  status_reason: string | null;
  ranges: string;
  versions: string | null;
  fixed_versions: string;
  urgency: string | null;
  module: string | null;
}

interface StatusRow {
  source: string;
  location: string;
  updated_at: string;
  records: number;
  skipped: number;
  skipped_reasons: string;
  etag: string | null;
  last_modified: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

/** The one-line error every command gives when there is no database yet. */
export function noDatabaseError(dataDir: string): SpyglassError {
  return new SpyglassError(`no vulnerability database in ${dataDir}: run \`spyglass db update\` (or \`spyglass db import FILE\` on an air-gapped machine)`);
}

function affectedFromRow(row: AffectedDbRow): AffectedPackage {
  return {
    namespace: row.namespace,
    packageName: row.package,
    status: row.status,
    ...(row.status_reason !== null ? { statusReason: row.status_reason } : {}),
    ranges: JSON.parse(row.ranges) as AffectedPackage['ranges'],
    ...(row.versions !== null ? { versions: JSON.parse(row.versions) as string[] } : {}),
    fixedVersions: JSON.parse(row.fixed_versions) as string[],
    ...(row.urgency !== null ? { urgency: row.urgency } : {}),
    ...(row.module !== null ? { module: row.module } : {}),
  };
}

/** An advisory row without its affected packages. */
function recordFromRow(row: AdvisoryRow, aliases: string[]): AdvisoryRecord {
  return {
    source: row.source,
    id: row.id,
    aliases,
    ...(row.summary !== null ? { summary: row.summary } : {}),
    ...(row.details !== null ? { details: row.details } : {}),
    ...(row.published !== null ? { published: row.published } : {}),
    ...(row.modified !== null ? { modified: row.modified } : {}),
    ...(row.withdrawn !== null ? { withdrawn: row.withdrawn } : {}),
    severity: JSON.parse(row.severity) as Advisory['severity'],
    references: JSON.parse(row.refs) as string[],
  };
}

export function statusFromRow(row: StatusRow): SourceStatus {
  return {
    source: row.source,
    location: row.location,
    updatedAt: row.updated_at,
    records: row.records,
    skipped: row.skipped,
    skippedReasons: JSON.parse(row.skipped_reasons) as SourceStatus['skippedReasons'],
    ...(row.etag !== null ? { etag: row.etag } : {}),
    ...(row.last_modified !== null ? { lastModified: row.last_modified } : {}),
    ...(row.last_error !== null ? { lastError: { at: row.last_error_at ?? '', message: row.last_error } } : {}),
  };
}

/** The schema version a database file says it has; undefined for a file without our tables. */
export function readSchemaVersion(db: Database.Database): number | undefined {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'metadata'").get();
  if (table === undefined) return undefined;
  const row = db.prepare('SELECT value FROM metadata WHERE key = ?').get('schema_version') as { value: string } | undefined;
  return row === undefined ? undefined : Number(row.value);
}

export class SqliteAdvisoryStore implements AdvisoryStore {
  readonly #db: Database.Database;
  readonly #lookup: Database.Statement<[string, string], [string, Buffer]>;
  readonly #byName: Database.Statement;
  // Prepared once: a scan asks KEV and EPSS for every CVE it finds.
  #kevByCve: Database.Statement | undefined;
  #epssByCve: Database.Statement | undefined;

  private constructor(db: Database.Database) {
    this.#db = db;
    // One index probe: the key's rows were put in order and encoded when the database was written.
    this.#lookup = db.prepare<[string, string], [string, Buffer]>('SELECT strings, layout FROM package_lookup WHERE namespace = ? AND package = ?').raw();
    const select = `SELECT f.advisory_pk, f.source, a.id AS advisory_id, a.aliases AS advisory_aliases, f.namespace, f.package, f.status, f.status_reason,
      f.ranges, f.versions, f.fixed_versions, f.urgency, f.module FROM affected f JOIN advisory a ON a.pk = f.advisory_pk`;
    this.#byName = db.prepare(`${select} WHERE f.package = ? ORDER BY f.namespace, f.source, a.id, f.position`);
  }

  /** Opens `<dataDir>/spyglass.db` read-only; a missing database or an old schema is a one-line error. */
  static open(dataDir: string): SqliteAdvisoryStore {
    const path = databasePath(dataDir);
    if (!existsSync(path)) throw noDatabaseError(dataDir);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new SpyglassError(`cannot open the vulnerability database ${path}: ${(error as Error).message}`, { cause: error });
    }
    const version = readSchemaVersion(db);
    if (version !== SCHEMA_VERSION) {
      db.close();
      throw new SpyglassError(`the vulnerability database ${path} has schema ${version ?? 'none'}, this spyglass needs ${SCHEMA_VERSION}: run \`spyglass db update\``);
    }
    return new SqliteAdvisoryStore(db);
  }

  #aliases(pks: number[]): Map<number, string[]> {
    const aliases = new Map<number, string[]>();
    if (pks.length === 0) return aliases;
    const unique = [...new Set(pks)];
    const rows = this.#db
      .prepare(`SELECT advisory_pk, alias FROM alias WHERE advisory_pk IN (${unique.map(() => '?').join(', ')}) ORDER BY advisory_pk, position`)
      .all(...unique) as { advisory_pk: number; alias: string }[];
    for (const row of rows) {
      const list = aliases.get(row.advisory_pk) ?? [];
      list.push(row.alias);
      aliases.set(row.advisory_pk, list);
    }
    return aliases;
  }

  #rows(rows: AffectedDbRow[]): AffectedRow[] {
    return rows.map((row) => ({
      source: row.source,
      advisoryId: row.advisory_id,
      aliases: JSON.parse(row.advisory_aliases) as string[],
      affected: affectedFromRow(row),
    }));
  }

  /** The rows of one (namespace, package) in order: source, advisory id, then as the advisory lists them. */
  async affected(namespace: string, packageName: string): Promise<AffectedRow[]> {
    const found = this.#lookup.get(namespace, packageName);
    return found === undefined ? [] : decodeLookup({ strings: found[0], layout: found[1] }, namespace, packageName);
  }

  /** Every source's verdict on a package name in any namespace (for `db search PACKAGE`). */
  async affectedInAnyNamespace(packageName: string): Promise<AffectedRow[]> {
    return this.#rows(this.#byName.all(packageName) as AffectedDbRow[]);
  }

  #advisoryPks(names: string[]): number[] {
    const marks = names.map(() => '?').join(', ');
    const rows = this.#db
      .prepare(`SELECT pk FROM advisory WHERE id IN (${marks}) UNION SELECT advisory_pk AS pk FROM alias WHERE alias IN (${marks})`)
      .all(...names, ...names) as { pk: number }[];
    return rows.map((row) => row.pk);
  }

  /**
   * Every source's view of an advisory found by id or alias, and of the advisories those name: a GHSA
   * id finds the GHSA record, and through its CVE alias the NVD and Debian views of the same issue.
   */
  async advisories(idOrAlias: string): Promise<Advisory[]> {
    const direct = this.#advisoryPks([idOrAlias]);
    if (direct.length === 0) return [];
    const names = new Set<string>([idOrAlias]);
    const aliases = this.#aliases(direct);
    const marks = direct.map(() => '?').join(', ');
    for (const row of this.#db.prepare(`SELECT id FROM advisory WHERE pk IN (${marks})`).all(...direct) as { id: string }[]) names.add(row.id);
    for (const list of aliases.values()) for (const alias of list) names.add(alias);
    const pks = this.#advisoryPks([...names]);
    const rows = this.#db
      .prepare(`SELECT * FROM advisory WHERE pk IN (${pks.map(() => '?').join(', ')}) ORDER BY source, id`)
      .all(...pks) as AdvisoryRow[];
    const allAliases = this.#aliases(pks);
    const affected = this.#db
      .prepare(`SELECT f.*, NULL AS advisory_id, NULL AS advisory_aliases FROM affected f WHERE f.advisory_pk IN (${pks.map(() => '?').join(', ')}) ORDER BY f.advisory_pk, f.position`)
      .all(...pks) as AffectedDbRow[];
    return rows.map((row) => ({
      ...recordFromRow(row, allAliases.get(row.pk) ?? []),
      affected: affected.filter((entry) => entry.advisory_pk === row.pk).map(affectedFromRow),
    }));
  }

  async records(ids: readonly string[]): Promise<Map<string, AdvisoryRecord[]>> {
    const result = new Map<string, AdvisoryRecord[]>();
    const unique = [...new Set(ids)];
    // Chunks keep well under SQLite's bound-parameter limit (and PostgreSQL's).
    for (let start = 0; start < unique.length; start += 400) {
      const chunk = unique.slice(start, start + 400);
      const marks = chunk.map(() => '?').join(', ');
      const rows = this.#db
        .prepare(
          `SELECT m.k, a.* FROM (SELECT id AS k, pk FROM advisory WHERE id IN (${marks}) UNION SELECT alias AS k, advisory_pk AS pk FROM alias WHERE alias IN (${marks})) m
           JOIN advisory a ON a.pk = m.pk ORDER BY m.k, a.source, a.id`,
        )
        .all(...chunk, ...chunk) as (AdvisoryRow & { k: string; aliases: string })[];
      for (const row of rows) {
        const list = result.get(row.k) ?? [];
        list.push(recordFromRow(row, JSON.parse(row.aliases) as string[]));
        result.set(row.k, list);
      }
    }
    return result;
  }

  async kev(cve: string): Promise<KevEntry | undefined> {
    this.#kevByCve ??= this.#db.prepare('SELECT * FROM kev WHERE cve = ?');
    const row = this.#kevByCve.get(cve) as Record<string, string | null> | undefined;
    if (row === undefined) return undefined;
    const optional = (key: keyof KevEntry, column: string) => (row[column] !== null ? { [key]: row[column] } : {});
    return {
      cve: row.cve!,
      dateAdded: row.date_added!,
      ...optional('dueDate', 'due_date'),
      ...optional('knownRansomwareCampaignUse', 'known_ransomware_campaign_use'),
      ...optional('vendorProject', 'vendor_project'),
      ...optional('product', 'product'),
      ...optional('name', 'name'),
    };
  }

  async epss(cve: string): Promise<EpssEntry | undefined> {
    this.#epssByCve ??= this.#db.prepare('SELECT * FROM epss WHERE cve = ?');
    const row = this.#epssByCve.get(cve) as
      | { cve: string; score: number; percentile: number; date: string; model_version: string | null }
      | undefined;
    if (row === undefined) return undefined;
    return {
      cve: row.cve,
      score: row.score,
      percentile: row.percentile,
      date: row.date,
      ...(row.model_version !== null ? { modelVersion: row.model_version } : {}),
    };
  }

  async status(): Promise<DbStatus> {
    return readStatus(this.#db);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

export function readStatus(db: Database.Database): DbStatus {
  const meta = new Map((db.prepare('SELECT key, value FROM metadata').all() as { key: string; value: string }[]).map((row) => [row.key, row.value]));
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    schemaVersion: Number(meta.get('schema_version') ?? 0),
    builtAt: meta.get('built_at') ?? '',
    sources: (db.prepare('SELECT * FROM source_status ORDER BY source').all() as StatusRow[]).map(statusFromRow),
    counts: { advisories: count('advisory'), affected: count('affected'), kev: count('kev'), epss: count('epss') },
  };
}
