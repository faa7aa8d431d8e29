// Registry integrations of an organization as data. A webhook integration (distribution, harbor,
// artifactory) has a URL and a secret the registry presents (`Authorization: Bearer SECRET`), shown
// once and stored hashed; a poller has a registry to list at an interval. Registry credentials are
// kept encrypted with the operator's key (AES-256-GCM), and only read back by the server itself.
import { randomUUID } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import { decryptSecret, encryptSecret, hashSecret, newSecret } from './auth/secrets.ts';
import { toNumber, optionalText, type Row, type Sql } from './db/sql.ts';
import { normaliseRegistry } from './repositories.ts';

export const INTEGRATION_TYPES = ['distribution', 'harbor', 'artifactory', 'poller'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
export const MIN_POLL_INTERVAL_SECONDS = 10;

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** An integration as the API lists it: no secret, no credentials. */
export interface IntegrationSummary {
  id: string;
  type: IntegrationType;
  name: string;
  registry?: string;
  /** Where the registry sends its notifications (webhook types only). */
  webhookUrl?: string;
  hasCredentials: boolean;
  pollIntervalSeconds?: number;
  lastPolledAt?: number;
  createdAt: number;
}

/** An integration as the server uses it (webhook receivers, poller). */
export interface Integration extends IntegrationSummary {
  orgId: string;
  secretHash?: string;
  credentials?: RegistryCredentials;
}

export interface NewIntegration {
  type: string;
  name: string;
  registry?: string;
  username?: string;
  password?: string;
  pollIntervalSeconds?: number;
}

export interface CreatedIntegration {
  id: string;
  /** Null for a poller (nothing calls it). */
  webhookUrl: string | null;
  /** Shown once; null for a poller. */
  secret: string | null;
}

export function isIntegrationType(value: unknown): value is IntegrationType {
  return typeof value === 'string' && (INTEGRATION_TYPES as readonly string[]).includes(value);
}

export function webhookUrlOf(publicUrl: string, type: IntegrationType, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/${type}/${id}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

function summaryOf(row: Row, publicUrl: string): IntegrationSummary {
  const type = String(row.type) as IntegrationType;
  const registry = optionalText(row.registry);
  return {
    id: String(row.id), type, name: String(row.name),
    ...(registry !== undefined ? { registry } : {}),
    ...(type !== 'poller' ? { webhookUrl: webhookUrlOf(publicUrl, type, String(row.id)) } : {}),
    hasCredentials: optionalText(row.credentials) !== undefined,
    ...(row.poll_interval_seconds !== null && row.poll_interval_seconds !== undefined ? { pollIntervalSeconds: toNumber(row.poll_interval_seconds) } : {}),
    ...(row.last_polled_at !== null && row.last_polled_at !== undefined ? { lastPolledAt: toNumber(row.last_polled_at) } : {}),
    createdAt: toNumber(row.created_at),
  };
}

/** Checks and stores a new integration; the secret is returned here only. */
export async function createIntegration(
  sql: Sql, options: { publicUrl: string; secretKey?: Buffer | undefined }, orgId: string, input: NewIntegration,
): Promise<CreatedIntegration> {
  if (!isIntegrationType(input.type)) throw new SpyglassError(`type ${JSON.stringify(input.type)}: expected one of ${INTEGRATION_TYPES.join(', ')}`);
  const type = input.type;
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw new SpyglassError(`name ${JSON.stringify(input.name)}: expected 1 to 100 letters, digits, spaces, '.', '_' or '-'`);
  }
  let registry: string | null = null;
  if (input.registry !== undefined) {
    registry = normaliseRegistry(input.registry);
    if (!/^[a-z0-9.-]+(?::[0-9]{1,5})?$/.test(registry)) throw new SpyglassError(`registry ${JSON.stringify(input.registry)}: expected a URL or host[:port]`);
  }
  if (type === 'poller' && registry === null) throw new SpyglassError('a poller integration needs the registry it lists (registry)');
  let pollInterval: number | null = null;
  if (type === 'poller') {
    pollInterval = input.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
    if (!Number.isInteger(pollInterval) || pollInterval < MIN_POLL_INTERVAL_SECONDS) {
      throw new SpyglassError(`pollIntervalSeconds ${JSON.stringify(input.pollIntervalSeconds)}: expected a whole number of seconds, at least ${MIN_POLL_INTERVAL_SECONDS}`);
    }
  } else if (input.pollIntervalSeconds !== undefined) {
    throw new SpyglassError(`pollIntervalSeconds applies to poller integrations only, not ${type}`);
  }
  let credentials: string | null = null;
  if (input.username !== undefined || input.password !== undefined) {
    if (typeof input.username !== 'string' || input.username === '' || typeof input.password !== 'string') {
      throw new SpyglassError('registry credentials need both username and password');
    }
    if (options.secretKey === undefined) {
      throw new SpyglassError('registry credentials cannot be stored: the server has no secret key (start it with --secret-key-file or SPYGLASS_SECRET_KEY)');
    }
    credentials = encryptSecret(options.secretKey, JSON.stringify({ username: input.username, password: input.password }));
  }
  const id = randomUUID();
  const secret = type === 'poller' ? null : newSecret();
  const inserted = await sql.run(
    `INSERT INTO integrations (id, org_id, type, name, registry, secret_hash, credentials, poll_interval_seconds, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, name) DO NOTHING`,
    [id, orgId, type, input.name, registry, secret === null ? null : hashSecret(secret), credentials, pollInterval, Date.now()],
  );
  if (inserted === 0) throw new IntegrationExistsError(input.name);
  return { id, webhookUrl: type === 'poller' ? null : webhookUrlOf(options.publicUrl, type, id), secret };
}

export class IntegrationExistsError extends SpyglassError {
  constructor(name: string) {
    super(`an integration named ${JSON.stringify(name)} already exists in this organization`);
    this.name = 'IntegrationExistsError';
  }
}

export async function listIntegrations(sql: Sql, orgId: string, publicUrl: string): Promise<IntegrationSummary[]> {
  const rows = await sql.all('SELECT * FROM integrations WHERE org_id = ? ORDER BY name', [orgId]);
  return rows.map((row) => summaryOf(row, publicUrl));
}

/** An integration of the organization by id or by name. */
export async function findIntegration(sql: Sql, orgId: string, idOrName: string, publicUrl: string): Promise<IntegrationSummary | undefined> {
  const row = await sql.get('SELECT * FROM integrations WHERE org_id = ? AND (id = ? OR name = ?)', [orgId, idOrName, idOrName]);
  return row === undefined ? undefined : summaryOf(row, publicUrl);
}

/** Removes an integration (its repositories stay, unlinked); false when the organization has none with this id. */
export async function removeIntegration(sql: Sql, orgId: string, id: string): Promise<boolean> {
  return (await sql.run('DELETE FROM integrations WHERE org_id = ? AND id = ?', [orgId, id])) > 0;
}

function fullOf(row: Row, publicUrl: string, secretKey: Buffer | undefined): Integration {
  const sealed = optionalText(row.credentials);
  let credentials: RegistryCredentials | undefined;
  if (sealed !== undefined) {
    if (secretKey === undefined) throw new SpyglassError(`integration ${String(row.name)} has stored credentials, but the server has no secret key to read them`);
    credentials = JSON.parse(decryptSecret(secretKey, sealed)) as RegistryCredentials;
  }
  const secretHash = optionalText(row.secret_hash);
  return {
    ...summaryOf(row, publicUrl), orgId: String(row.org_id),
    ...(secretHash !== undefined ? { secretHash } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  };
}

/**
 * An integration by id, whatever its organization (the webhook URL names only the integration), with
 * its secret hash and decrypted credentials; undefined when there is none.
 */
export async function integrationById(sql: Sql, id: string, options: { publicUrl?: string; secretKey?: Buffer | undefined } = {}): Promise<Integration | undefined> {
  const row = await sql.get('SELECT * FROM integrations WHERE id = ?', [id]);
  return row === undefined ? undefined : fullOf(row, options.publicUrl ?? '', options.secretKey);
}

/** Every integration of a type, across organizations (the poller lists its registries with this). */
export async function integrationsOfType(sql: Sql, type: IntegrationType, options: { publicUrl?: string; secretKey?: Buffer | undefined } = {}): Promise<Integration[]> {
  const rows = await sql.all('SELECT * FROM integrations WHERE type = ? ORDER BY created_at', [type]);
  return rows.map((row) => fullOf(row, options.publicUrl ?? '', options.secretKey));
}
