// The catalog of known base images on SQLite: `<dataDir>/base-images.db`, apart from the vulnerability
// database (which `db update` and `db import` replace whole). Portable SQL, as in advisories/store/schema.ts:
// on PostgreSQL `INTEGER PRIMARY KEY` becomes an identity column, the BLOBs `BYTEA`, and the PRAGMAs go.
// Each record and its SBOM are kept as gzip-compressed JSON, so vulnerability counts can be recomputed
// from the stored SBOM when the database changes, without pulling the image again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { readSchemaVersion } from '../advisories/store/sqlite.ts';
import type { Digest } from '../core/digest.ts';
import { SpyglassError } from '../core/errors.ts';
import { parsePlatform, platformMatches } from '../core/platform.ts';
import type { Sbom } from '../core/sbom.ts';
import type { BaseImageCatalog, CatalogImage, SeverityCounts } from './model.ts';

/** Bumped whenever a table changes; a catalog of another version is refused with a one-line error. */
export const CATALOG_SCHEMA_VERSION = 1;

export const CATALOG_FILE = 'base-images.db';

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS metadata (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per digest a (repository, tag, platform) was seen at; the newest is the tag's current one.
CREATE TABLE IF NOT EXISTS catalog_image (
  pk INTEGER PRIMARY KEY,
  repository TEXT NOT NULL,
  tag TEXT NOT NULL,
  platform TEXT NOT NULL,
  digest TEXT NOT NULL,
  indexed_at TEXT NOT NULL,
  layer_count INTEGER NOT NULL,
  -- sha256 of the diff_ids, each followed by a newline: a layer-chain lookup asks for the digest of
  -- every prefix of an image's chain, one index probe each, whatever the size of the catalog.
  chain_digest TEXT NOT NULL,
  -- Severity counts as JSON, and the vulnerability database build they were computed against.
  counts TEXT,
  counts_built_at TEXT,
  -- The rest of the CatalogImage: gzip-compressed JSON.
  record BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS catalog_image_by_tag ON catalog_image (repository, tag, platform, digest);
CREATE INDEX IF NOT EXISTS catalog_image_by_digest ON catalog_image (digest);
CREATE INDEX IF NOT EXISTS catalog_image_by_chain ON catalog_image (chain_digest);

-- The SBOM of each catalogued manifest digest (shared by every tag that had it): gzip-compressed JSON.
CREATE TABLE IF NOT EXISTS catalog_sbom (
  digest TEXT PRIMARY KEY,
  sbom BLOB NOT NULL
);
`;

interface ImageRow {
  pk: number;
  indexed_at: string;
  counts: string | null;
  counts_built_at: string | null;
  record: Buffer;
}

const COLUMNS = 'pk, indexed_at, counts, counts_built_at, record';
// Newest first: a later record of the same tag is a refresh; equal times keep the order of the puts.
const NEWEST_FIRST = 'indexed_at DESC, pk DESC';
// SQLite accepts 32766 variables; PostgreSQL drivers fewer. A layer chain is rarely over 127 layers.
const IN_CHUNK = 500;

export function catalogPath(dataDir: string): string {
  return join(dataDir, CATALOG_FILE);
}

/** The sha256 of every prefix of a diff_id chain, shortest first (what `chain_digest` holds for a whole chain). */
export function chainPrefixDigests(diffIds: readonly Digest[]): string[] {
  const hash = createHash('sha256');
  return diffIds.map((diffId) => {
    hash.update(`${diffId}\n`);
    return `sha256:${hash.copy().digest('hex')}`;
  });
}

/** Two `os/arch[/variant]` strings naming the same platform (arm64 is arm64/v8, as containerd normalises). */
function samePlatform(a: string, b: string): boolean {
  if (a === b) return true;
  const left = parsePlatform(a);
  const right = parsePlatform(b);
  return platformMatches(left, right) && platformMatches(right, left);
}

function encodeJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

function decodeJson<T>(bytes: Buffer): T {
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as T;
}

function imageFromRow(row: ImageRow): CatalogImage {
  const stored = decodeJson<Omit<CatalogImage, 'indexedAt' | 'counts' | 'countsBuiltAt'>>(row.record);
  return {
    ...stored,
    ...(row.counts !== null ? { counts: JSON.parse(row.counts) as SeverityCounts } : {}),
    ...(row.counts_built_at !== null ? { countsBuiltAt: row.counts_built_at } : {}),
    indexedAt: row.indexed_at,
  };
}

export class SqliteBaseImageCatalog implements BaseImageCatalog {
  readonly path: string;
  readonly #db: Database.Database;

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
  }

  /** Opens `<dataDir>/base-images.db` for reading and writing, creating it (and the directory) when absent. */
  static open(dataDir: string): SqliteBaseImageCatalog {
    const path = catalogPath(dataDir);
    let db: Database.Database;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
    } catch (error) {
      throw new SpyglassError(`cannot open the base image catalog ${path}: ${(error as Error).message}`, { cause: error });
    }
    const version = readSchemaVersion(db);
    if (version !== undefined && version !== CATALOG_SCHEMA_VERSION) {
      db.close();
      throw SqliteBaseImageCatalog.#versionError(path, version);
    }
    db.exec(SCHEMA_SQL);
    db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run('schema_version', String(CATALOG_SCHEMA_VERSION));
    return new SqliteBaseImageCatalog(db, path);
  }

  /** Opens the catalog read-only, for commands that only look images up; undefined when there is none yet. */
  static openReadOnly(dataDir: string): SqliteBaseImageCatalog | undefined {
    const path = catalogPath(dataDir);
    if (!existsSync(path)) return undefined;
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new SpyglassError(`cannot open the base image catalog ${path}: ${(error as Error).message}`, { cause: error });
    }
    const version = readSchemaVersion(db);
    if (version !== CATALOG_SCHEMA_VERSION) {
      db.close();
      throw SqliteBaseImageCatalog.#versionError(path, version);
    }
    return new SqliteBaseImageCatalog(db, path);
  }

  static #versionError(path: string, version: number | undefined): SpyglassError {
    return new SpyglassError(`the base image catalog ${path} has schema ${version ?? 'none'}, this spyglass needs ${CATALOG_SCHEMA_VERSION}: move it away and catalog the images again`);
  }

  /**
   * Records one platform image of a tag. Recording a digest the tag already had makes that record the
   * newest again (a tag moved back is current at that digest); its SBOM is replaced by this one.
   */
  put(entry: CatalogImage, sbom: Sbom): void {
    const { indexedAt, counts, countsBuiltAt, ...stored } = entry;
    const chain = chainPrefixDigests(entry.diffIds);
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM catalog_image WHERE repository = ? AND tag = ? AND platform = ? AND digest = ?')
        .run(entry.repository, entry.tag, entry.platform, entry.digest);
      this.#db.prepare(`INSERT INTO catalog_image (repository, tag, platform, digest, indexed_at, layer_count, chain_digest, counts, counts_built_at, record)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        entry.repository, entry.tag, entry.platform, entry.digest, indexedAt, entry.diffIds.length,
        // An image without layers is a prefix of nothing: its chain digest is one no prefix hashes to.
        chain.at(-1) ?? 'empty', counts !== undefined ? JSON.stringify(counts) : null, countsBuiltAt ?? null, encodeJson(stored),
      );
      this.#db.prepare('INSERT INTO catalog_sbom (digest, sbom) VALUES (?, ?) ON CONFLICT (digest) DO UPDATE SET sbom = excluded.sbom')
        .run(entry.digest, encodeJson(sbom));
    })();
  }

  list(filter: { repository?: string; platform?: string } = {}): CatalogImage[] {
    const where = filter.repository !== undefined ? 'i.repository = ? AND' : '';
    const rows = this.#db.prepare(`SELECT ${COLUMNS.split(', ').map((column) => `i.${column}`).join(', ')} FROM catalog_image i
      WHERE ${where} NOT EXISTS (SELECT 1 FROM catalog_image n WHERE n.repository = i.repository AND n.tag = i.tag AND n.platform = i.platform
        AND (n.indexed_at > i.indexed_at OR (n.indexed_at = i.indexed_at AND n.pk > i.pk)))
      ORDER BY i.repository, i.tag, i.platform`).all(...(filter.repository !== undefined ? [filter.repository] : [])) as ImageRow[];
    const images = rows.map(imageFromRow);
    return filter.platform === undefined ? images : images.filter((image) => samePlatform(image.platform, filter.platform!));
  }

  history(repository: string, tag: string, platform: string): CatalogImage[] {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM catalog_image WHERE repository = ? AND tag = ? AND platform = ? ORDER BY ${NEWEST_FIRST}`)
      .all(repository, tag, platform) as ImageRow[];
    return rows.map(imageFromRow);
  }

  chainPrefixes(diffIds: readonly Digest[], platform?: string): CatalogImage[] {
    const prefixes = chainPrefixDigests(diffIds);
    const rows: (ImageRow & { layer_count: number })[] = [];
    for (let start = 0; start < prefixes.length; start += IN_CHUNK) {
      const chunk = prefixes.slice(start, start + IN_CHUNK);
      rows.push(...(this.#db.prepare(`SELECT ${COLUMNS}, layer_count FROM catalog_image WHERE chain_digest IN (${chunk.map(() => '?').join(', ')})`)
        .all(...chunk) as (ImageRow & { layer_count: number })[]));
    }
    rows.sort((a, b) => b.layer_count - a.layer_count || (a.indexed_at < b.indexed_at ? 1 : a.indexed_at > b.indexed_at ? -1 : b.pk - a.pk));
    return rows.map(imageFromRow).filter((image) =>
      // The digest matched; the chain itself is compared too, so the answer never rests on a hash alone.
      image.diffIds.every((diffId, index) => diffIds[index] === diffId) && (platform === undefined || samePlatform(image.platform, platform)));
  }

  byDigest(digest: Digest): CatalogImage[] {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM catalog_image WHERE digest = ? ORDER BY ${NEWEST_FIRST}`).all(digest) as ImageRow[];
    return rows.map(imageFromRow);
  }

  sbom(digest: Digest): Sbom | undefined {
    const row = this.#db.prepare('SELECT sbom FROM catalog_sbom WHERE digest = ?').get(digest) as { sbom: Buffer } | undefined;
    return row === undefined ? undefined : decodeJson<Sbom>(row.sbom);
  }

  setCounts(digest: Digest, counts: SeverityCounts, builtAt: string): void {
    this.#db.prepare('UPDATE catalog_image SET counts = ?, counts_built_at = ? WHERE digest = ?').run(JSON.stringify(counts), builtAt, digest);
  }

  remove(repository: string, tag?: string): number {
    return this.#db.transaction(() => {
      const removed = tag === undefined
        ? this.#db.prepare('DELETE FROM catalog_image WHERE repository = ?').run(repository)
        : this.#db.prepare('DELETE FROM catalog_image WHERE repository = ? AND tag = ?').run(repository, tag);
      this.#db.prepare('DELETE FROM catalog_sbom WHERE digest NOT IN (SELECT digest FROM catalog_image)').run();
      return removed.changes;
    })();
  }

  close(): void {
    this.#db.close();
  }
}
