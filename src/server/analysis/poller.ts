// The poller, for registries without webhooks (like `docker scout watch`): a background task of the
// server process that, for every `poller` integration whose interval has passed, lists the registry's
// repositories (`GET /v2/_catalog`) and each repository's tags, asks what digest each tag points at
// (`HEAD` of the manifest), and records every tag whose digest is new as a push: the repository is
// seen, the tag recorded, and an activated repository's new digest analysed. Several server processes
// may run it: a poll is claimed by moving the integration's last_polled_at (compare-and-set), so only
// one process polls an integration per interval.
import { errorText } from '../../core/errors.ts';
import type { ServerContext } from '../context.ts';
import { optionalText, toNumber } from '../db/sql.ts';
import { seeRepository } from '../repositories.ts';
import type { PushEvent } from '../webhooks/events.ts';
import { recordPushes } from '../webhooks/record-push.ts';
import { integrationCredentials, listCatalog, repositoryClient } from './registry-access.ts';

export interface PollerOptions {
  /** How often the task looks for integrations due (ms). */
  tickMs?: number;
  log?: (line: string) => void;
}

export interface PollOutcome {
  repositories: number;
  tags: number;
  recorded: number;
  enqueued: number;
}

/** Polls one integration now: every repository and tag of its registry. */
export async function pollIntegration(ctx: ServerContext, integrationId: string): Promise<PollOutcome> {
  const row = await ctx.sql.get('SELECT id, org_id, registry FROM integrations WHERE id = ?', [integrationId]);
  const registry = optionalText(row?.registry);
  const outcome: PollOutcome = { repositories: 0, tags: 0, recorded: 0, enqueued: 0 };
  if (row === undefined || registry === undefined) return outcome;
  const orgId = String(row.org_id);
  const credentials = await integrationCredentials(ctx, integrationId);
  const names = await listCatalog(ctx, registry, credentials);
  for (const name of names) {
    outcome.repositories++;
    const client = repositoryClient(ctx, registry, name, credentials);
    const known = new Map(
      (await ctx.sql.all(
        'SELECT t.tag, t.digest FROM tags t JOIN repositories r ON r.id = t.repository_id WHERE r.org_id = ? AND r.registry = ? AND r.name = ?',
        [orgId, registry, name],
      )).map((tag) => [String(tag.tag), String(tag.digest)]),
    );
    const pushes: PushEvent[] = [];
    for (const tag of await client.tags()) {
      outcome.tags++;
      const head = await client.headManifest(tag);
      const digest = head?.digest ?? (head !== undefined ? (await client.getManifest(tag)).digest : undefined);
      if (digest === undefined || known.get(tag) === digest) continue;
      pushes.push({ registry, repository: name, digest, tag, ...(head?.mediaType ? { mediaType: head.mediaType } : {}), pushedAt: Date.now() });
    }
    // A repository without new tags is still seen (listed), like a push would make it.
    const recorded = await recordPushes(ctx, { integrationId, orgId, registry }, pushes);
    if (pushes.length === 0) {
      await ctx.sql.transaction(async (tx) => {
        await seeRepository(tx, orgId, integrationId, registry, name);
      });
    }
    outcome.recorded += recorded.recorded;
    outcome.enqueued += recorded.enqueued;
  }
  return outcome;
}

/** The background task: checks every `tickMs` for poller integrations that are due. */
export function startPoller(ctx: ServerContext, options: PollerOptions = {}): { stop(): Promise<void> } {
  const tickMs = options.tickMs ?? 5_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    const now = Date.now();
    const due = await ctx.sql.all("SELECT id, name, poll_interval_seconds, last_polled_at FROM integrations WHERE type = 'poller'");
    for (const integration of due) {
      if (stopped) return;
      const last = integration.last_polled_at === null || integration.last_polled_at === undefined ? null : toNumber(integration.last_polled_at);
      const interval = toNumber(integration.poll_interval_seconds) * 1000;
      if (last !== null && last + interval > now) continue;
      const claimed = await ctx.sql.run(
        `UPDATE integrations SET last_polled_at = ? WHERE id = ? AND ${last === null ? 'last_polled_at IS NULL' : 'last_polled_at = ?'}`,
        last === null ? [now, String(integration.id)] : [now, String(integration.id), last],
      );
      if (claimed === 0) continue;
      try {
        await pollIntegration(ctx, String(integration.id));
      } catch (error) {
        log(`spyglass poller: integration ${String(integration.name)}: ${errorText(error).split('\n')[0]}`);
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch((error: unknown) => log(`spyglass poller: ${errorText(error).split('\n')[0]}`));
  }, tickMs);
  timer.unref();
  running = running.then(tick).catch((error: unknown) => log(`spyglass poller: ${errorText(error).split('\n')[0]}`));
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
