// Stores pushes, in one transaction per delivery so that no accepted event is lost: the event id (a
// registry retries: a second delivery of the same id does nothing), the repository as seen (created
// when new, its last push time), the tag → digest, and for an activated repository the analysis job
// (de-duplicated by digest: `analyse:<repositoryId>:<digest>`). Used by the webhook receivers and
// the poller.
import type { ServerContext } from '../context.ts';
import type { Sql } from '../db/sql.ts';
import { checkRepository, seeRepository } from '../repositories.ts';
import { isIndexType, type PushEvent } from './events.ts';

/**
 * A manifest pushed without a tag is usually a child of an index whose push follows at once (and
 * analyses every platform); its own job waits this long, and then finds the work done.
 */
export const UNTAGGED_MANIFEST_DELAY_MS = 30_000;

export interface PushSource {
  integrationId: string;
  orgId: string;
  /** The integration's registry (host[:port]); wins over what the event says. */
  registry?: string;
}

export interface AnalysePayload {
  repositoryId: string;
  digest: string;
  tag?: string;
  pushedAt?: number;
}

export interface RecordOutcome {
  /** Pushes stored. */
  recorded: number;
  /** Pushes whose event id was seen before. */
  duplicates: number;
  /** Analysis jobs created (0 for repositories that are not activated, or digests already queued). */
  enqueued: number;
  /** Pushes that could not be stored, with why (no registry known, an invalid registry). */
  skipped: { repository: string; digest: string; reason: string }[];
}

export function analyseDedupeKey(repositoryId: string, digest: string): string {
  return `analyse:${repositoryId}:${digest}`;
}

/**
 * Enqueues the analysis of a digest (in `tx`). A digest whose earlier analysis failed for good is
 * queued again: a new push (or backfill, or poll) of it is a new request.
 */
export async function enqueueAnalysis(
  ctx: ServerContext, tx: Sql, orgId: string, payload: AnalysePayload, runAfter?: number,
): Promise<boolean> {
  const dedupeKey = analyseDedupeKey(payload.repositoryId, payload.digest);
  const { id, created } = await ctx.queue.enqueue({ kind: 'analyse', orgId, payload, dedupeKey, ...(runAfter !== undefined ? { runAfter } : {}) }, tx);
  if (created) return true;
  const requeued = await tx.run(
    "UPDATE jobs SET status = 'queued', attempts = 0, error = NULL, run_after = ?, finished_at = NULL, payload = ? WHERE id = ? AND status = 'failed'",
    [runAfter ?? Date.now(), JSON.stringify(payload), id],
  );
  return requeued > 0;
}

/** Records the tag → digest (a later push of the tag wins; an older, late delivery does not). */
export async function recordTag(tx: Sql, repositoryId: string, tag: string, digest: string, pushedAt: number): Promise<void> {
  await tx.run(
    `INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (repository_id, tag) DO UPDATE SET digest = excluded.digest, pushed_at = excluded.pushed_at WHERE tags.pushed_at <= excluded.pushed_at`,
    [repositoryId, tag, digest, pushedAt],
  );
}

export async function recordPushes(ctx: ServerContext, source: PushSource, pushes: readonly PushEvent[]): Promise<RecordOutcome> {
  const outcome: RecordOutcome = { recorded: 0, duplicates: 0, enqueued: 0, skipped: [] };
  if (pushes.length === 0) return outcome;
  const now = Date.now();
  await ctx.sql.transaction(async (tx) => {
    for (const push of pushes) {
      const registry = source.registry ?? push.registry;
      if (registry === undefined) {
        outcome.skipped.push({ repository: push.repository, digest: push.digest, reason: 'the event names no registry host and the integration has none set' });
        continue;
      }
      try {
        checkRepository(registry, push.repository);
      } catch (error) {
        outcome.skipped.push({ repository: push.repository, digest: push.digest, reason: (error as Error).message });
        continue;
      }
      if (push.eventId !== undefined) {
        const fresh = await tx.run(
          'INSERT INTO webhook_events (integration_id, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT (integration_id, event_id) DO NOTHING',
          [source.integrationId, push.eventId, now],
        );
        if (fresh === 0) {
          outcome.duplicates++;
          continue;
        }
      }
      const repository = await seeRepository(tx, source.orgId, source.integrationId, registry, push.repository, push.pushedAt);
      if (push.tag !== undefined) await recordTag(tx, repository.id, push.tag, push.digest, push.pushedAt);
      outcome.recorded++;
      if (!repository.enabled) continue;
      const untaggedManifest = push.tag === undefined && !isIndexType(push.mediaType);
      const payload: AnalysePayload = {
        repositoryId: repository.id, digest: push.digest, ...(push.tag !== undefined ? { tag: push.tag } : {}), pushedAt: push.pushedAt,
      };
      if (await enqueueAnalysis(ctx, tx, source.orgId, payload, untaggedManifest ? now + UNTAGGED_MANIFEST_DELAY_MS : undefined)) outcome.enqueued++;
    }
  });
  if (outcome.enqueued > 0) ctx.wake();
  return outcome;
}
