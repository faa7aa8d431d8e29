// Notification targets of an organization as data: a generic JSON webhook (signed with HMAC-SHA256 by
// a secret generated here, kept encrypted, shown once) or a Slack-compatible incoming webhook, for the
// whole organization or one repository. Delivery is elsewhere; it reads targets with targetsFor.
import { randomUUID } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import { decryptSecret, encryptSecret, newSecret } from './auth/secrets.ts';
import { toNumber, optionalText, type Row, type Sql } from './db/sql.ts';

export const NOTIFICATION_KINDS = ['webhook', 'slack'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationTarget {
  id: string;
  kind: NotificationKind;
  url: string;
  repositoryId?: string;
  /** `registry/name` of repositoryId. */
  repository?: string;
  createdAt: number;
}

export interface DeliveryTarget extends NotificationTarget {
  orgId: string;
  /** The HMAC-SHA256 signing secret (webhook kind). */
  secret?: string;
}

function targetOf(row: Row): NotificationTarget {
  const repositoryId = optionalText(row.repository_id);
  return {
    id: String(row.id), kind: String(row.kind) as NotificationKind, url: String(row.url),
    ...(repositoryId !== undefined ? { repositoryId, repository: `${String(row.registry)}/${String(row.repository_name)}` } : {}),
    createdAt: toNumber(row.created_at),
  };
}

const SELECT = `SELECT t.*, r.registry, r.name AS repository_name FROM notification_targets t LEFT JOIN repositories r ON r.id = t.repository_id`;

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Stores a target; a webhook's signing secret is returned here only. `repositoryId` must belong to orgId (the caller resolves it). */
export async function createTarget(
  sql: Sql, secretKey: Buffer | undefined, orgId: string, input: { url: string; kind: NotificationKind; repositoryId?: string | undefined },
): Promise<{ id: string; secret: string | null }> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new SpyglassError(`url ${JSON.stringify(input.url)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SpyglassError(`url ${JSON.stringify(input.url)}: expected http:// or https://`);
  let secret: string | null = null;
  let sealed: string | null = null;
  if (input.kind === 'webhook') {
    if (secretKey === undefined) {
      throw new SpyglassError('a webhook target needs a signing secret, which cannot be stored: the server has no secret key (start it with --secret-key-file or SPYGLASS_SECRET_KEY)');
    }
    secret = newSecret();
    sealed = encryptSecret(secretKey, secret);
  }
  const id = randomUUID();
  await sql.run('INSERT INTO notification_targets (id, org_id, repository_id, kind, url, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    id, orgId, input.repositoryId ?? null, input.kind, url.toString(), sealed, Date.now(),
  ]);
  return { id, secret };
}

export async function listTargets(sql: Sql, orgId: string): Promise<NotificationTarget[]> {
  return (await sql.all(`${SELECT} WHERE t.org_id = ? ORDER BY t.created_at, t.id`, [orgId])).map(targetOf);
}

export async function removeTarget(sql: Sql, orgId: string, id: string): Promise<boolean> {
  return (await sql.run('DELETE FROM notification_targets WHERE org_id = ? AND id = ?', [orgId, id])) > 0;
}

/** The targets to tell about a repository: the organization's own and the repository's, with decrypted secrets. */
export async function targetsFor(sql: Sql, secretKey: Buffer | undefined, orgId: string, repositoryId: string): Promise<DeliveryTarget[]> {
  const rows = await sql.all(`${SELECT} WHERE t.org_id = ? AND (t.repository_id IS NULL OR t.repository_id = ?) ORDER BY t.created_at, t.id`, [orgId, repositoryId]);
  return rows.map((row) => {
    const sealed = optionalText(row.secret);
    const secret = sealed !== undefined && secretKey !== undefined ? decryptSecret(secretKey, sealed) : undefined;
    return { ...targetOf(row), orgId: String(row.org_id), ...(secret !== undefined ? { secret } : {}) };
  });
}
