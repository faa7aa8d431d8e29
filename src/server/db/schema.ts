// The server's tables, one text for SQLite and PostgreSQL (the few type names that differ are swapped
// in `schemaFor`). Ids are random text (crypto.randomUUID) so that no sequence differs between the two;
// times are milliseconds since the epoch (BIGINT); JSON documents are TEXT.
import type { Sql } from './sql.ts';

export const SERVER_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS server_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL,
  repository_limit INTEGER,
  created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS memberships (
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);

CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);

-- Dashboard sign-in (auth/passwords.ts, auth/sessions.ts): scrypt password hashes, sessions keyed by the SHA-256
-- of the cookie, and failed sign-ins (the rate limit every process reads).
CREATE TABLE IF NOT EXISTS user_passwords (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);

CREATE TABLE IF NOT EXISTS login_failures (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_email ON login_failures (email, at);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures (address, at);

CREATE TABLE IF NOT EXISTS integrations (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  registry TEXT,
  secret_hash TEXT,
  credentials TEXT,
  poll_interval_seconds INTEGER,
  last_polled_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE IF NOT EXISTS repositories (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  integration_id TEXT REFERENCES integrations (id) ON DELETE SET NULL,
  registry TEXT NOT NULL,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 0,
  enabled_at BIGINT,
  last_pushed_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, registry, name)
);

CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  index_digest TEXT,
  config_digest TEXT,
  platform TEXT,
  size BIGINT,
  pushed_at BIGINT NOT NULL,
  analysed_at BIGINT,
  generation BIGINT,
  -- The small columns lists read come before the large documents: SQLite reaches a column stored after
  -- an SBOM only by walking the SBOM's overflow pages (10,000 images: seconds instead of milliseconds).
  counts TEXT,
  base_image TEXT,
  policy TEXT,
  sbom TEXT,
  report TEXT,
  recommendations TEXT,
  image_facts TEXT,
  UNIQUE (repository_id, digest)
);
CREATE INDEX IF NOT EXISTS images_by_config ON images (config_digest);
CREATE INDEX IF NOT EXISTS images_by_org ON images (org_id, pushed_at);

CREATE TABLE IF NOT EXISTS tags (
  repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  digest TEXT NOT NULL,
  pushed_at BIGINT NOT NULL,
  PRIMARY KEY (repository_id, tag)
);

-- Which (namespace, package) keys each stored SBOM looks up: what re-evaluation selects images by.
CREATE TABLE IF NOT EXISTS image_keys (
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  namespace TEXT NOT NULL,
  package TEXT NOT NULL,
  PRIMARY KEY (image_id, namespace, package)
);
CREATE INDEX IF NOT EXISTS image_keys_by_key ON image_keys (namespace, package);

-- Which vulnerability ids each image's findings name (with aliases): re-rating after a score change.
CREATE TABLE IF NOT EXISTS image_vulnerabilities (
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  vulnerability TEXT NOT NULL,
  PRIMARY KEY (image_id, vulnerability)
);
CREATE INDEX IF NOT EXISTS image_vulnerabilities_by_id ON image_vulnerabilities (vulnerability);

CREATE TABLE IF NOT EXISTS evaluations (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  generation BIGINT,
  reason TEXT NOT NULL,
  added TEXT NOT NULL,
  removed TEXT NOT NULL,
  changed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_by_image ON evaluations (image_id, at);

-- The severity counts after each evaluation (JSON SeverityCounts), written with its evaluations row: the history charts.
CREATE TABLE IF NOT EXISTS evaluation_counts (
  evaluation_id TEXT PRIMARY KEY REFERENCES evaluations (id) ON DELETE CASCADE,
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  counts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluation_counts_by_image ON evaluation_counts (image_id, at);

-- Each organization's policy document (docs/policy.md; the CLI's --policy-file); no row: the default policies.
CREATE TABLE IF NOT EXISTS org_policies (
  org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Every policy evaluation of an image (images.policy holds the latest results).
CREATE TABLE IF NOT EXISTS policy_evaluations (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  results TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS policy_evaluations_by_image ON policy_evaluations (image_id, at);

-- Environments (production, staging…) of an organization, made when an image is first recorded in them.
CREATE TABLE IF NOT EXISTS environments (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, name)
);

-- Every image recorded in an environment; the latest row per repository is what the environment runs.
CREATE TABLE IF NOT EXISTS environment_images (
  id TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  recorded_by TEXT
);
CREATE INDEX IF NOT EXISTS environment_images_by_repository ON environment_images (environment_id, repository_id, recorded_at);

CREATE TABLE IF NOT EXISTS webhook_events (
  integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (integration_id, event_id)
);

CREATE TABLE IF NOT EXISTS notification_targets (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  repository_id TEXT REFERENCES repositories (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  org_id TEXT,
  payload TEXT NOT NULL,
  dedupe_key TEXT UNIQUE,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_after BIGINT NOT NULL,
  locked_by TEXT,
  lease_until BIGINT,
  error TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (status, run_after);
CREATE INDEX IF NOT EXISTS jobs_by_org ON jobs (org_id, created_at);
`;

export function schemaFor(dialect: Sql['dialect']): string {
  return dialect === 'postgres' ? SCHEMA : SCHEMA.replace(/\bBIGINT\b/g, 'INTEGER');
}

/** Creates the tables (idempotent) and refuses a database written by a newer schema. */
export async function migrate(sql: Sql, exec: (ddl: string) => Promise<void>): Promise<void> {
  await exec(schemaFor(sql.dialect));
  const row = await sql.get<{ value: string }>("SELECT value FROM server_meta WHERE key = 'schema_version'");
  if (row !== undefined && Number(row.value) > SERVER_SCHEMA_VERSION) {
    throw new Error(`the server database has schema version ${row.value}; this Spyglass knows up to ${SERVER_SCHEMA_VERSION}`);
  }
  if (row === undefined) {
    await sql.run("INSERT INTO server_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING", [String(SERVER_SCHEMA_VERSION)]);
  }
}
