// The `backfill` job (enqueued when a repository is activated): the repository's most recently pushed
// images are analysed at once. The Distribution API's tag list has no push times, so a tag's time is
// the push time the server already recorded for it (from a webhook or the poller), else its image's
// config `created` (for an index, that of the platform image the library picks: linux/amd64 or the
// only one). At most BACKFILL_INSPECTED_TAGS tags (the last ones the registry lists) are inspected;
// the newest `backfillTags` of them (default 5) are recorded as tags and enqueued like pushes.
import { errorText, isSpyglassError } from '../../core/errors.ts';
import { BlobCache } from '../../image/cache/blob-cache.ts';
import { RegistryBlobStore } from '../../image/registry/source.ts';
import { resolveImage } from '../../image/resolve.ts';
import type { ServerContext } from '../context.ts';
import { toNumber } from '../db/sql.ts';
import { PermanentJobError } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { enqueueAnalysis, recordTag } from '../webhooks/record-push.ts';
import { integrationCredentials, loadRepository, repositoryClient } from './registry-access.ts';

export const DEFAULT_BACKFILL_TAGS = 5;
export const BACKFILL_INSPECTED_TAGS = 50;

interface TagTime {
  tag: string;
  digest: string;
  time: number;
}

export function backfillHandler(ctx: ServerContext, options: { tags?: number } = {}): JobHandler {
  const limit = Math.max(1, options.tags ?? DEFAULT_BACKFILL_TAGS);
  return async (job, signal) => {
    const payload = job.payload as { repositoryId?: unknown } | null;
    if (payload === null || typeof payload !== 'object' || typeof payload.repositoryId !== 'string') {
      throw new PermanentJobError(`backfill job ${job.id}: the payload needs repositoryId`);
    }
    const repository = await loadRepository(ctx.sql, payload.repositoryId);
    if (repository === undefined || !repository.enabled) return;
    const credentials = await integrationCredentials(ctx, repository.integrationId).catch((error: unknown) => {
      throw new PermanentJobError(errorText(error));
    });
    const client = repositoryClient(ctx, repository.registry, repository.name, credentials);
    const store = new RegistryBlobStore(client, new BlobCache(ctx.options.cacheDir));
    let tags: string[];
    try {
      tags = (await client.tags()).slice(-BACKFILL_INSPECTED_TAGS);
    } catch (error) {
      // Activated before anything was pushed: the registry does not know the repository yet.
      if (isSpyglassError(error) && /repository unknown \(not found in the registry\)/.test(error.message)) return;
      throw error;
    }
    const known = new Map(
      (await ctx.sql.all('SELECT tag, digest, pushed_at FROM tags WHERE repository_id = ?', [repository.id]))
        .map((row) => [String(row.tag), { digest: String(row.digest), time: toNumber(row.pushed_at) }]),
    );
    const times: TagTime[] = [];
    for (const tag of tags) {
      if (signal.aborted) throw new Error('the worker is stopping');
      const fetched = await client.getManifest(tag);
      const recorded = known.get(tag);
      if (recorded !== undefined && recorded.digest === fetched.digest) {
        times.push({ tag, digest: fetched.digest, time: recorded.time });
        continue;
      }
      let created = Number.NaN;
      try {
        const image = await resolveImage(
          store,
          { descriptor: { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length }, bytes: fetched.bytes, names: [] },
          { source: 'registry', input: `registry://${repository.registry}/${repository.name}:${tag}` },
        );
        created = Date.parse(image.config.created ?? '');
        await image.close();
      } catch (error) {
        // An image the library cannot open still gets its analysis attempt (which will say why).
        process.stderr.write(`spyglass backfill: ${repository.registry}/${repository.name}:${tag}: ${errorText(error).split('\n')[0]}\n`);
      }
      times.push({ tag, digest: fetched.digest, time: Number.isFinite(created) ? created : 0 });
    }
    const newest = times.sort((a, b) => b.time - a.time || a.tag.localeCompare(b.tag)).slice(0, limit);
    let enqueued = 0;
    await ctx.sql.transaction(async (tx) => {
      for (const entry of newest) {
        await recordTag(tx, repository.id, entry.tag, entry.digest, entry.time);
        if (await enqueueAnalysis(ctx, tx, repository.orgId, { repositoryId: repository.id, digest: entry.digest, tag: entry.tag, pushedAt: entry.time })) enqueued++;
      }
    });
    if (enqueued > 0) ctx.wake();
  };
}
