// The SQLite schema of the vulnerability database. Portable SQL on purpose: the server will run the same
// tables on PostgreSQL. What differs there: `INTEGER PRIMARY KEY` becomes `BIGSERIAL PRIMARY KEY` (or
// an identity column), the JSON columns (`severity`, `refs`, `ranges`, `versions`, `fixed_versions`,
// `skipped_reasons`) become `JSONB`, `REAL` becomes `DOUBLE PRECISION`, and the PRAGMAs in sqlite.ts go.
// `package_lookup` is derived from `affected` and `advisory` at every update (see package-lookup.ts); its
// `layout` BLOB becomes `BYTEA`, and `strings` stays TEXT (the client decodes both).
// Queries use only `?` placeholders (PostgreSQL drivers take `$1`), plain joins, `IN`, and
// `INSERT … ON CONFLICT … DO UPDATE`, which both engines read the same way.

/** Bumped whenever a table changes; a database of another version must be rebuilt (`db update`). */
export const SCHEMA_VERSION = 3;

export const DATABASE_FILE = 'spyglass.db';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS metadata (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per advisory per source: each source's own view is kept, never merged.
CREATE TABLE IF NOT EXISTS advisory (
  pk INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  summary TEXT,
  details TEXT,
  published TEXT,
  modified TEXT,
  withdrawn TEXT,
  -- Also in the alias table (for lookup by alias); kept here as JSON so that a package lookup is one query.
  aliases TEXT NOT NULL,
  severity TEXT NOT NULL,
  refs TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS advisory_by_source_id ON advisory (source, id);
CREATE INDEX IF NOT EXISTS advisory_by_id ON advisory (id);

CREATE TABLE IF NOT EXISTS alias (
  advisory_pk INTEGER NOT NULL,
  source TEXT NOT NULL,
  alias TEXT NOT NULL,
  -- Order as the source lists them (SQL promises no order without ORDER BY).
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS alias_by_alias ON alias (alias);
CREATE INDEX IF NOT EXISTS alias_by_source ON alias (source);
CREATE INDEX IF NOT EXISTS alias_by_advisory ON alias (advisory_pk);

-- The lookup table of matching: (namespace, package) is the first thing a scan asks.
CREATE TABLE IF NOT EXISTS affected (
  advisory_pk INTEGER NOT NULL,
  position INTEGER NOT NULL,
  source TEXT NOT NULL,
  namespace TEXT NOT NULL,
  package TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  ranges TEXT NOT NULL,
  versions TEXT,
  fixed_versions TEXT NOT NULL,
  urgency TEXT,
  -- rpm modularity stream (name:stream), '' for a package outside any module, NULL when the source does not say.
  module TEXT
);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected (namespace, package);
CREATE INDEX IF NOT EXISTS affected_by_name ON affected (package);
CREATE INDEX IF NOT EXISTS affected_by_source ON affected (source);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected (advisory_pk);

-- What a package lookup reads: one row per (namespace, package) holding every affected row of it
-- (with its advisory's id and aliases), in lookup order (source, advisory id, position), encoded by
-- package-lookup.ts. Rebuilt for the keys an update touched, when it commits.
CREATE TABLE IF NOT EXISTS package_lookup (
  namespace TEXT NOT NULL,
  package TEXT NOT NULL,
  strings TEXT NOT NULL,
  layout BLOB NOT NULL,
  PRIMARY KEY (namespace, package)
);

-- Change tracking (changes.ts): what each of the last generations changed, for the server's
-- re-evaluation. Additions only (CREATE TABLE IF NOT EXISTS): no schema version bump.
CREATE TABLE IF NOT EXISTS lookup_change (
  generation INTEGER NOT NULL,
  namespace TEXT NOT NULL,
  package TEXT NOT NULL,
  PRIMARY KEY (generation, namespace, package)
);

CREATE TABLE IF NOT EXISTS advisory_change (
  generation INTEGER NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (generation, id)
);

CREATE TABLE IF NOT EXISTS kev (
  cve TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  date_added TEXT NOT NULL,
  due_date TEXT,
  known_ransomware_campaign_use TEXT,
  vendor_project TEXT,
  product TEXT,
  name TEXT
);
CREATE INDEX IF NOT EXISTS kev_by_source ON kev (source);

CREATE TABLE IF NOT EXISTS epss (
  cve TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  score REAL NOT NULL,
  percentile REAL NOT NULL,
  date TEXT NOT NULL,
  model_version TEXT
);
CREATE INDEX IF NOT EXISTS epss_by_source ON epss (source);

CREATE TABLE IF NOT EXISTS source_status (
  source TEXT PRIMARY KEY,
  location TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  records INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  skipped_reasons TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_error TEXT,
  last_error_at TEXT,
  -- When the last download began, for a source that can then fetch only what changed since (NVD's API).
  fetched_at TEXT
);
`;
