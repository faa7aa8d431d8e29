// Repositories of an organization as data: seen through an integration (or added by hand), listed,
// activated within the organization's limit. Activation enqueues a backfill of the repository's most
// recent images; analysis of later pushes happens only for activated repositories.
import { randomUUID } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import type { Org } from './accounts.ts';
import { toNumber, optionalText, type Row, type Sql } from './db/sql.ts';
import type { JobQueue } from './jobs/queue.ts';

export interface Repository {
  id: string;
  registry: string;
  name: string;
  /** `registry/name`, as the CLI and the API's filters write a repository. */
  reference: string;
  enabled: boolean;
  integrationId?: string;
  enabledAt?: number;
  lastPushedAt?: number;
  createdAt: number;
}

/** A registry as stored: host[:port] (and path, if any), lower-case, without scheme or trailing slash. */
export function normaliseRegistry(registry: string): string {
  return registry.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const REGISTRY = /^[a-z0-9.-]+(?::[0-9]{1,5})?(?:\/[^\s]*)?$/;

/** Checks a registry and a repository name (the distribution spec's name grammar); returns them normalised. */
export function checkRepository(registry: string, name: string): { registry: string; name: string } {
  const host = normaliseRegistry(registry);
  if (!REGISTRY.test(host)) throw new SpyglassError(`registry ${JSON.stringify(registry)}: expected a host[:port], e.g. registry.example.com:5000`);
  if (!REPOSITORY_NAME.test(name) || name.length > 255) {
    throw new SpyglassError(`repository name ${JSON.stringify(name)}: expected lower-case path components such as team/app`);
  }
  return { registry: host, name };
}

function repositoryOf(row: Row): Repository {
  const registry = String(row.registry);
  const name = String(row.name);
  const integrationId = optionalText(row.integration_id);
  return {
    id: String(row.id), registry, name, reference: `${registry}/${name}`, enabled: toNumber(row.enabled) === 1,
    ...(integrationId !== undefined ? { integrationId } : {}),
    ...(row.enabled_at !== null && row.enabled_at !== undefined ? { enabledAt: toNumber(row.enabled_at) } : {}),
    ...(row.last_pushed_at !== null && row.last_pushed_at !== undefined ? { lastPushedAt: toNumber(row.last_pushed_at) } : {}),
    createdAt: toNumber(row.created_at),
  };
}

/**
 * The repository `registry/name` of the organization, created (not activated) when first seen; its
 * last push time advanced when `pushedAt` is given. For the webhook receivers and the poller, in their
 * transaction.
 */
export async function seeRepository(
  tx: Sql, orgId: string, integrationId: string | null, registry: string, name: string, pushedAt?: number,
): Promise<{ id: string; enabled: boolean }> {
  const checked = checkRepository(registry, name);
  await tx.run(
    `INSERT INTO repositories (id, org_id, integration_id, registry, name, enabled, last_pushed_at, created_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (org_id, registry, name) DO NOTHING`,
    [randomUUID(), orgId, integrationId, checked.registry, checked.name, pushedAt ?? null, Date.now()],
  );
  if (pushedAt !== undefined) {
    await tx.run('UPDATE repositories SET last_pushed_at = ? WHERE org_id = ? AND registry = ? AND name = ? AND (last_pushed_at IS NULL OR last_pushed_at < ?)', [
      pushedAt, orgId, checked.registry, checked.name, pushedAt,
    ]);
  }
  if (integrationId !== null) {
    await tx.run('UPDATE repositories SET integration_id = ? WHERE org_id = ? AND registry = ? AND name = ? AND integration_id IS NULL', [
      integrationId, orgId, checked.registry, checked.name,
    ]);
  }
  const row = await tx.get('SELECT id, enabled FROM repositories WHERE org_id = ? AND registry = ? AND name = ?', [orgId, checked.registry, checked.name]);
  return { id: String(row!.id), enabled: toNumber(row!.enabled) === 1 };
}

export async function listRepositories(sql: Sql, orgId: string): Promise<Repository[]> {
  const rows = await sql.all('SELECT * FROM repositories WHERE org_id = ? ORDER BY registry, name', [orgId]);
  return rows.map(repositoryOf);
}

export async function repositoryById(sql: Sql, orgId: string, id: string): Promise<Repository | undefined> {
  const row = await sql.get('SELECT * FROM repositories WHERE org_id = ? AND id = ?', [orgId, id]);
  return row === undefined ? undefined : repositoryOf(row);
}

/** A repository by id or by `registry/name` (the registry is everything before the first '/'). */
export async function findRepository(sql: Sql, orgId: string, idOrReference: string): Promise<Repository | undefined> {
  const byId = await repositoryById(sql, orgId, idOrReference);
  if (byId !== undefined) return byId;
  const slash = idOrReference.indexOf('/');
  if (slash <= 0) return undefined;
  const row = await sql.get('SELECT * FROM repositories WHERE org_id = ? AND registry = ? AND name = ?', [
    orgId, normaliseRegistry(idOrReference.slice(0, slash)), idOrReference.slice(slash + 1),
  ]);
  return row === undefined ? undefined : repositoryOf(row);
}

/** Adds a repository by hand (before any push is seen); the existing one when it is already known. */
export async function addRepository(sql: Sql, orgId: string, registry: string, name: string): Promise<{ repository: Repository; created: boolean }> {
  const checked = checkRepository(registry, name);
  const changed = await sql.run(
    `INSERT INTO repositories (id, org_id, integration_id, registry, name, enabled, created_at)
     VALUES (?, ?, NULL, ?, ?, 0, ?) ON CONFLICT (org_id, registry, name) DO NOTHING`,
    [randomUUID(), orgId, checked.registry, checked.name, Date.now()],
  );
  const repository = (await findRepository(sql, orgId, `${checked.registry}/${checked.name}`))!;
  return { repository, created: changed > 0 };
}

/** Activation refused: the organization already has as many activated repositories as its plan allows. */
export class RepositoryLimitError extends SpyglassError {
  constructor(readonly org: Org, readonly limit: number) {
    super(
      `organization ${org.name} already has ${limit} activated ${limit === 1 ? 'repository' : 'repositories'}, the limit of its plan "${org.plan}"; ` +
        'deactivate one, or raise the limit with `spyglass admin set-plan`',
    );
    this.name = 'RepositoryLimitError';
  }
}

/**
 * Activates or deactivates a repository. Activation counts the organization's activated repositories
 * in the same transaction (PostgreSQL: under a lock on the organization's row, so two concurrent
 * activations cannot both pass the limit) and enqueues a backfill of the repository with it.
 */
export async function setActivation(
  sql: Sql, queue: JobQueue, org: Org, limit: number | null, repositoryId: string, enabled: boolean,
): Promise<Repository | undefined> {
  return sql.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run('SELECT id FROM orgs WHERE id = ? FOR UPDATE', [org.id]);
    const row = await tx.get('SELECT * FROM repositories WHERE org_id = ? AND id = ?', [org.id, repositoryId]);
    if (row === undefined) return undefined;
    const current = repositoryOf(row);
    if (current.enabled === enabled) return current;
    if (!enabled) {
      await tx.run('UPDATE repositories SET enabled = 0, enabled_at = NULL WHERE id = ? AND org_id = ?', [repositoryId, org.id]);
      const { enabledAt: _enabledAt, ...rest } = current;
      return { ...rest, enabled: false };
    }
    if (limit !== null) {
      const count = toNumber((await tx.get('SELECT COUNT(*) AS n FROM repositories WHERE org_id = ? AND enabled = 1', [org.id]))?.n);
      if (count >= limit) throw new RepositoryLimitError(org, limit);
    }
    const now = Date.now();
    await tx.run('UPDATE repositories SET enabled = 1, enabled_at = ? WHERE id = ? AND org_id = ?', [now, repositoryId, org.id]);
    await queue.enqueue({ kind: 'backfill', orgId: org.id, payload: { repositoryId }, dedupeKey: `backfill:${repositoryId}:${now}` }, tx);
    return { ...current, enabled: true, enabledAt: now };
  });
}
