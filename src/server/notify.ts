// Notifications: when a re-evaluation adds vulnerabilities to an image that a tag of an activated
// repository points at now (the tag's most recently pushed image), or turns a met policy into a failed
// one (policies.ts), every notification target of the
// organization (org-wide, or for that repository) gets one `notify` job. Kinds:
//   webhook: POST of JSON `{org, repository, registry, tag, tags, digest, added, policies, at}`, signed with
//     HMAC-SHA256 over the raw body with the target's secret: `X-Spyglass-Signature: sha256=<hex>`;
//   slack: POST of `{text}` (Slack's incoming-webhook format).
// Retries go through the queue's backoff; a 4xx answer other than 408 and 429 is permanent.
import { createHmac } from 'node:crypto';
import { errorText } from '../core/errors.ts';
import { decryptSecret } from './auth/secrets.ts';
import type { ServerContext } from './context.ts';
import type { Sql } from './db/sql.ts';
import { PermanentJobError, type Job } from './jobs/queue.ts';

export const SIGNATURE_HEADER = 'X-Spyglass-Signature';
const TIMEOUT_MS = 10_000;

export interface NotificationBody {
  org: string;
  repository: string;
  registry: string;
  /** The tag (the most recently pushed one when several point at the image). */
  tag: string;
  tags: string[];
  digest: string;
  /** Vulnerability ids newly found in the image. */
  added: string[];
  /** Names of the organization's policies that were met and now fail (always sent; optional for older queued jobs). */
  policies?: string[];
  /** ISO time of the re-evaluation. */
  at: string;
}

export interface NotifyPayload {
  targetId: string;
  body: NotificationBody;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, raw body): what a receiver recomputes to check a delivery. */
export function signBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Enqueues (in `tx`) one `notify` job per notification target for an image that gained `added`, when
 * the image is what a tag of an activated repository points at. Returns the number of jobs.
 */
export async function enqueueNotifications(
  ctx: ServerContext, tx: Sql, imageId: string, added: readonly string[], generation: number, policies: readonly string[] = [],
): Promise<number> {
  if (added.length === 0 && policies.length === 0) return 0;
  const image = await tx.get<{ org_id: string; org: string; repository_id: string; registry: string; name: string; enabled: unknown; digest: string; index_digest: string | null }>(
    `SELECT i.org_id, o.name AS org, i.repository_id, r.registry, r.name, r.enabled, i.digest, i.index_digest
     FROM images i JOIN repositories r ON r.id = i.repository_id JOIN orgs o ON o.id = i.org_id WHERE i.id = ?`,
    [imageId],
  );
  if (image === undefined || Number(image.enabled) !== 1) return 0;
  const tags = await tx.all<{ tag: string }>('SELECT tag FROM tags WHERE repository_id = ? AND digest IN (?, ?) ORDER BY pushed_at DESC, tag', [
    image.repository_id, image.digest, image.index_digest ?? image.digest,
  ]);
  if (tags.length === 0) return 0;
  const targets = await tx.all<{ id: string }>('SELECT id FROM notification_targets WHERE org_id = ? AND (repository_id IS NULL OR repository_id = ?) ORDER BY id', [
    image.org_id, image.repository_id,
  ]);
  const body: NotificationBody = {
    org: image.org,
    repository: image.name,
    registry: image.registry,
    tag: tags[0]!.tag,
    tags: tags.map((row) => row.tag),
    digest: image.digest,
    added: [...added],
    policies: [...policies],
    at: new Date().toISOString(),
  };
  let jobs = 0;
  for (const target of targets) {
    const payload: NotifyPayload = { targetId: target.id, body };
    const { created } = await ctx.queue.enqueue({ kind: 'notify', orgId: image.org_id, payload, dedupeKey: `notify:${target.id}:${imageId}:${generation}` }, tx);
    if (created) jobs += 1;
  }
  return jobs;
}

/** Slack's message: one line naming the image and the new ids (and the policies that now fail). */
export function slackText(body: NotificationBody): string {
  const failing = body.policies !== undefined && body.policies.length > 0 ? `policies now failing: ${body.policies.join(', ')}` : '';
  if (body.added.length === 0) return `Spyglass: ${body.org} ${body.registry}/${body.repository}:${body.tag} (${body.digest}): ${failing}`;
  const shown = body.added.slice(0, 20).join(', ');
  const more = body.added.length > 20 ? ` and ${body.added.length - 20} more` : '';
  const noun = body.added.length === 1 ? 'vulnerability' : 'vulnerabilities';
  return `Spyglass: ${body.added.length} new ${noun} in ${body.org} ${body.registry}/${body.repository}:${body.tag} (${body.digest}): ${shown}${more}${failing !== '' ? `; ${failing}` : ''}`;
}

/** The `notify` job: delivers one notification to one target. */
export function notifyHandler(ctx: ServerContext) {
  return async (job: Job, signal: AbortSignal): Promise<void> => {
    const { targetId, body } = job.payload as NotifyPayload;
    const target = await ctx.sql.get<{ kind: string; url: string; secret: string | null }>('SELECT kind, url, secret FROM notification_targets WHERE id = ?', [targetId]);
    // A target removed since: nothing to deliver.
    if (target === undefined) return;
    let raw: string;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'spyglass-server' };
    if (target.kind === 'slack') {
      raw = JSON.stringify({ text: slackText(body) });
    } else if (target.kind === 'webhook') {
      raw = JSON.stringify(body);
      if (target.secret !== null && target.secret !== '') {
        if (ctx.options.secretKey === undefined) throw new PermanentJobError('the notification target has a signing secret but the server has no secret key to decrypt it');
        headers[SIGNATURE_HEADER] = signBody(decryptSecret(ctx.options.secretKey, target.secret), raw);
      }
    } else {
      throw new PermanentJobError(`unknown notification target kind ${target.kind}`);
    }
    let response: Response;
    try {
      response = await fetch(target.url, { method: 'POST', headers, body: raw, signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) });
    } catch (error) {
      throw new Error(`POST ${target.url}: ${errorText(error).split('\n')[0]}`, { cause: error });
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return;
    const message = `POST ${target.url}: HTTP ${response.status}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) throw new PermanentJobError(message);
    throw new Error(message);
  };
}
