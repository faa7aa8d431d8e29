// How the server reaches a repository's registry: the repository row, the integration's stored
// credentials (decrypted with the operator's key), plain HTTP when the operator allows it, and the
// library's Distribution API client (src/image/registry/). Plus the one call that client has no method
// for, `GET /v2/_catalog`, made with the same auth and HTTP pieces.
import { SpyglassError, errorText } from '../../core/errors.ts';
import { parseImageRef } from '../../core/reference.ts';
import { MAX_MANIFEST_BYTES } from '../../image/blob-store.ts';
import { RegistryAuth, AuthError } from '../../image/registry/auth.ts';
import { RegistryClient, registryBaseUrl } from '../../image/registry/client.ts';
import type { Credentials } from '../../image/registry/credentials.ts';
import { discard, readBody, sendRequest, type HttpOptions } from '../../image/registry/http.ts';
import { decryptSecret } from '../auth/secrets.ts';
import type { ServerContext } from '../context.ts';
import { optionalText, toNumber, type Sql } from '../db/sql.ts';

export interface RepositoryTarget {
  id: string;
  orgId: string;
  registry: string;
  name: string;
  enabled: boolean;
  integrationId?: string;
}

/** Registry requests of a job: one quick retry here; the job queue retries with backoff after that. */
export const JOB_HTTP: HttpOptions = { retries: 1, baseDelayMs: 250, timeoutMs: 60_000 };

export async function loadRepository(sql: Sql, id: string): Promise<RepositoryTarget | undefined> {
  const row = await sql.get('SELECT id, org_id, registry, name, enabled, integration_id FROM repositories WHERE id = ?', [id]);
  if (row === undefined) return undefined;
  const integrationId = optionalText(row.integration_id);
  return {
    id: String(row.id), orgId: String(row.org_id), registry: String(row.registry), name: String(row.name), enabled: toNumber(row.enabled) === 1,
    ...(integrationId !== undefined ? { integrationId } : {}),
  };
}

/** The registry credentials stored with an integration (undefined: anonymous). */
export async function integrationCredentials(ctx: ServerContext, integrationId: string | undefined): Promise<Credentials | undefined> {
  if (integrationId === undefined) return undefined;
  const row = await ctx.sql.get('SELECT name, credentials FROM integrations WHERE id = ?', [integrationId]);
  const sealed = optionalText(row?.credentials);
  if (row === undefined || sealed === undefined) return undefined;
  if (ctx.options.secretKey === undefined) {
    throw new SpyglassError(`integration ${String(row.name)} has stored registry credentials, but the server has no secret key to read them`);
  }
  const value = JSON.parse(decryptSecret(ctx.options.secretKey, sealed)) as { username?: unknown; password?: unknown };
  return typeof value.username === 'string' && typeof value.password === 'string' ? { username: value.username, password: value.password } : undefined;
}

/** Registries reachable over plain HTTP: loopback always; any registry when the operator allows insecure registries. */
export function insecureList(ctx: ServerContext, registry: string): string[] {
  return ctx.options.insecureRegistries ? [registry] : [];
}

export function repositoryClient(ctx: ServerContext, registry: string, name: string, credentials: Credentials | undefined): RegistryClient {
  return new RegistryClient(parseImageRef(`${registry}/${name}`), { insecureRegistries: insecureList(ctx, registry), credentials, http: JOB_HTTP });
}

/**
 * Every repository of a registry, following the `Link` pages of `GET /v2/_catalog?n=` (distribution
 * spec, "Listing Repositories"; token auth asks for scope `registry:catalog:*`).
 */
export async function listCatalog(ctx: ServerContext, registry: string, credentials: Credentials | undefined, pageSize = 1000): Promise<string[]> {
  const base = registryBaseUrl(registry, insecureList(ctx, registry));
  const auth = new RegistryAuth(credentials, JOB_HTTP);
  const scope = 'registry:catalog:*';
  const names: string[] = [];
  let next: string | undefined = `v2/_catalog?n=${pageSize}`;
  const seen = new Set<string>();
  while (next !== undefined && !seen.has(next)) {
    seen.add(next);
    const url = new URL(next, base);
    let response;
    try {
      await auth.prepare(scope);
      for (;;) {
        const headers: Record<string, string> = { 'user-agent': 'spyglass', accept: 'application/json' };
        const authorization = auth.authorization(scope);
        if (authorization !== undefined) headers.authorization = authorization;
        response = await sendRequest({ method: 'GET', url, headers }, JOB_HTTP);
        if (response.status !== 401) break;
        discard(response);
        if (!(await auth.answer(response.headers['www-authenticate'], scope))) throw new SpyglassError(`${registry}: unauthorized to list the repositories (401)`);
      }
    } catch (error) {
      if (error instanceof SpyglassError) throw error;
      if (error instanceof AuthError) throw new SpyglassError(`${registry}: unauthorized to list the repositories (${error.message})`);
      throw new SpyglassError(`${registry}: cannot list the repositories (${errorText(error)})`);
    }
    if (response.status !== 200) {
      discard(response);
      throw new SpyglassError(`${registry}: the registry answered ${response.status} ${response.statusText} for the repository catalog`);
    }
    const page = JSON.parse((await readBody(response, MAX_MANIFEST_BYTES)).toString('utf8')) as { repositories?: unknown };
    if (Array.isArray(page.repositories)) names.push(...page.repositories.filter((name): name is string => typeof name === 'string'));
    const link = response.headers.link;
    const target = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
    next = target === undefined ? undefined : `v2/_catalog${new URL(target, base).search}`;
  }
  return names;
}
