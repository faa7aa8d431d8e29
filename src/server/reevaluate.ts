// Continuous re-evaluation: when the vulnerability database gets a new generation (the server's own
// scheduled `db update`, or one made with the CLI on the same data directory), the stored SBOMs that
// look up a changed (namespace, package) or whose findings name a changed advisory are matched again
// — from the stored SBOM, never pulling anything — and each records what changed in `evaluations`.
// The database's change history (advisories/store/changes.ts) says what changed; when it does not reach
// back to the generation last evaluated (or the database was replaced), every stored image is
// re-evaluated. The work is split into `reevaluate` jobs of REEVALUATE_BATCH images, de-duplicated per
// database, generation and batch, so that several workers (and several watching processes) share it.
import { errorText } from '../core/errors.ts';
import type { Sbom } from '../core/sbom.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import { databaseChanges, databaseGeneration, type DatabaseGeneration } from '../advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../advisories/store/sqlite.ts';
import type { AdvisoryStore } from '../advisories/store/store.ts';
import type { ServerContext } from './context.ts';
import type { Sql } from './db/sql.ts';
import type { Job } from './jobs/queue.ts';
import { recordEvaluation } from './history.ts';
import { enqueueNotifications } from './notify.ts';
import { evaluateImagePolicies, newlyFailed } from './policies.ts';
import { analyseSbom, diffFindings, saveResult, type FindingsDiff } from './results.ts';

/** Images per `reevaluate` job. */
export const REEVALUATE_BATCH = 200;
/** server_meta key: the database generation last turned into re-evaluation jobs (JSON DatabaseGeneration). */
export const EVALUATED_GENERATION_KEY = 'evaluated_db_generation';

export interface ReevaluatePayload {
  databaseId: string;
  generation: number;
  /** False when every image was selected (history incomplete, another database): no image is skipped for its generation. */
  incremental?: boolean;
  imageIds: string[];
}

async function readEvaluated(sql: Sql): Promise<DatabaseGeneration | undefined> {
  const row = await sql.get<{ value: string }>('SELECT value FROM server_meta WHERE key = ?', [EVALUATED_GENERATION_KEY]);
  if (row === undefined) return undefined;
  try {
    const value = JSON.parse(row.value) as DatabaseGeneration;
    return typeof value.generation === 'number' && typeof value.databaseId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

async function writeEvaluated(tx: Sql, value: DatabaseGeneration): Promise<void> {
  await tx.run('INSERT INTO server_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [EVALUATED_GENERATION_KEY, JSON.stringify(value)]);
}

/** Stored images that look up one of `keys` or whose findings name one of `ids`, sorted. */
export async function imagesTouchedBy(sql: Sql, keys: readonly { namespace: string; package: string }[], ids: readonly string[]): Promise<string[]> {
  const images = new Set<string>();
  for (let start = 0; start < keys.length; start += 300) {
    const chunk = keys.slice(start, start + 300);
    const rows = await sql.all<{ image_id: string }>(
      `SELECT DISTINCT image_id FROM image_keys WHERE (namespace, package) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
      chunk.flatMap((key) => [key.namespace, key.package]),
    );
    for (const row of rows) images.add(row.image_id);
  }
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const rows = await sql.all<{ image_id: string }>(
      `SELECT DISTINCT image_id FROM image_vulnerabilities WHERE vulnerability IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) images.add(row.image_id);
  }
  return [...images].sort();
}

export interface CheckResult {
  generation: number;
  /** False when every stored image was selected (the history did not reach back far enough). */
  incremental: boolean;
  images: number;
  jobs: number;
}

/**
 * Looks at the vulnerability database once: a generation not yet evaluated becomes `reevaluate` jobs
 * for the images it touches. The first look only remembers the generation (images analysed until then
 * were matched against it or an earlier one that nobody recorded changes for).
 */
export async function checkDatabase(ctx: ServerContext): Promise<CheckResult | undefined> {
  const current = databaseGeneration(ctx.options.dataDir);
  if (current === undefined) return undefined;
  const last = await readEvaluated(ctx.sql);
  if (last === undefined) {
    await ctx.sql.transaction((tx) => writeEvaluated(tx, current));
    return undefined;
  }
  if (last.databaseId === current.databaseId && last.generation === current.generation) return undefined;
  const changes = databaseChanges(ctx.options.dataDir, last.generation, last.databaseId);
  const imageIds = changes.complete
    ? await imagesTouchedBy(ctx.sql, changes.keys, changes.ids)
    : (await ctx.sql.all<{ id: string }>('SELECT id FROM images WHERE sbom IS NOT NULL ORDER BY id')).map((row) => row.id);
  const target = { generation: changes.generation, databaseId: changes.databaseId };
  let jobs = 0;
  await ctx.sql.transaction(async (tx) => {
    for (let start = 0, batch = 0; start < imageIds.length; start += REEVALUATE_BATCH, batch += 1) {
      const payload: ReevaluatePayload = { ...target, incremental: changes.complete, imageIds: imageIds.slice(start, start + REEVALUATE_BATCH) };
      const { created } = await ctx.queue.enqueue(
        { kind: 'reevaluate', payload, dedupeKey: `reevaluate:${target.databaseId}:${target.generation}:${imageIds.length}:${batch}` },
        tx,
      );
      if (created) jobs += 1;
    }
    await writeEvaluated(tx, target);
  });
  if (jobs > 0) ctx.wake();
  return { generation: target.generation, incremental: changes.complete, images: imageIds.length, jobs };
}

type StoredImage = {
  id: string;
  sbom: string | null;
  report: string | null;
  generation: unknown;
};

export interface ImageEvaluation {
  imageId: string;
  diff: FindingsDiff;
}

/**
 * Re-matches one stored image against `store` and records the result and an `evaluations` row; enqueues
 * notifications for vulnerabilities it added. Returns undefined for an image without a stored SBOM.
 */
export async function reevaluateImage(ctx: ServerContext, store: AdvisoryStore, imageId: string, generation: number): Promise<ImageEvaluation | undefined> {
  const image = await ctx.sql.get<StoredImage>('SELECT id, sbom, report, generation FROM images WHERE id = ?', [imageId]);
  if (image?.sbom === null || image?.sbom === undefined) return undefined;
  const sbom = JSON.parse(image.sbom) as Sbom;
  const before = image.report === null ? [] : (JSON.parse(image.report) as Pick<VulnerabilityReport, 'findings'>).findings;
  const result = await analyseSbom(sbom, store);
  const names = new Map(sbom.packages.map((pkg) => [pkg.id, pkg.name]));
  const diff = diffFindings(before, result.report.findings, (id) => names.get(id) ?? id);
  const notified = await ctx.sql.transaction(async (tx) => {
    await saveResult(tx, imageId, null, result, generation);
    await recordEvaluation(tx, { imageId, reason: 'database', generation, diff, counts: result.counts });
    const policies = await evaluateImagePolicies(tx, imageId, result.report, 'database');
    const failed = newlyFailed(policies.before, policies.after);
    return diff.added.length > 0 || failed.length > 0 ? enqueueNotifications(ctx, tx, imageId, [...new Set(diff.added.map((change) => change.id))].sort(), generation, failed) : 0;
  });
  if (notified > 0) ctx.wake();
  return { imageId, diff };
}

/** The `reevaluate` job: its batch of images, each matched again from its stored SBOM. */
export function reevaluateHandler(ctx: ServerContext) {
  return async (job: Job, signal: AbortSignal): Promise<void> => {
    const payload = job.payload as ReevaluatePayload;
    // The generation read before the store is opened: the file opened is that one or a newer one (whose
    // own jobs follow), so what is recorded never claims more than was matched.
    const current = databaseGeneration(ctx.options.dataDir);
    const generation = current?.generation ?? payload.generation;
    const store = SqliteAdvisoryStore.open(ctx.options.dataDir);
    try {
      for (const imageId of payload.imageIds) {
        if (signal.aborted) throw new Error('the worker is stopping');
        const image = await ctx.sql.get<{ generation: unknown }>('SELECT generation FROM images WHERE id = ?', [imageId]);
        if (image === undefined) continue;
        // An image analysed (or re-evaluated) at this generation or a later one of the same database needs nothing.
        const sameDatabase = current?.databaseId === payload.databaseId && payload.incremental !== false;
        if (sameDatabase && image.generation !== null && Number(image.generation) >= generation) continue;
        // A retried job skips the images its earlier attempt finished.
        const finished = await ctx.sql.get('SELECT 1 AS x FROM evaluations WHERE image_id = ? AND generation = ? AND reason = ? AND at >= ?', [
          imageId, generation, 'database', job.createdAt,
        ]);
        if (finished !== undefined) continue;
        try {
          await reevaluateImage(ctx, store, imageId, generation);
        } catch (error) {
          throw new Error(`re-evaluating image ${imageId}: ${errorText(error).split('\n')[0]}`, { cause: error });
        }
      }
    } finally {
      await store.close();
    }
  };
}

export interface DatabaseWatcher {
  stop(): Promise<void>;
}

/**
 * The `db watcher` background task: checks the database generation every `dbWatchIntervalMs`, and
 * every `dbUpdateIntervalSeconds` (when > 0) runs `db update` from every feed's default location with
 * the same code as `spyglass db update`.
 */
export function startDatabaseWatcher(ctx: ServerContext, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): DatabaseWatcher {
  let stopped = false;
  let checking: Promise<unknown> | undefined;
  let updating: Promise<unknown> | undefined;
  // One check at a time: a slow one (many images to select) is not queued behind by the next ticks.
  const check = () => {
    if (checking !== undefined) return;
    checking = checkDatabase(ctx)
      .then((result) => {
        if (result !== undefined && result.images > 0) {
          log(`vulnerability database generation ${result.generation}: ${result.images} image(s) to re-evaluate${result.incremental ? '' : ' (all: the change history does not reach back)'}`);
        }
      })
      .catch((error: unknown) => log(`database watcher: ${errorText(error).split('\n')[0]}`))
      .finally(() => {
        checking = undefined;
      });
  };
  const watch = setInterval(() => {
    if (!stopped) check();
  }, Math.max(50, ctx.options.dbWatchIntervalMs));
  check();
  let update: NodeJS.Timeout | undefined;
  if (ctx.options.dbUpdateIntervalSeconds > 0) {
    update = setInterval(() => {
      if (stopped || updating !== undefined) return;
      updating = runScheduledUpdate(ctx)
        .then((line) => {
          log(line);
          if (!stopped) check();
        })
        .catch((error: unknown) => log(`scheduled db update: ${errorText(error).split('\n')[0]}`))
        .finally(() => {
          updating = undefined;
        });
    }, ctx.options.dbUpdateIntervalSeconds * 1000);
  }
  return {
    async stop() {
      stopped = true;
      clearInterval(watch);
      if (update !== undefined) clearInterval(update);
      await Promise.allSettled([checking, updating].filter((task) => task !== undefined));
    },
  };
}

/**
 * `spyglass db update` on the server's data directory: from the configured sources (`serve --db-source`,
 * e.g. an internal mirror on an air-gapped network), else every feed from its public location.
 */
export async function runScheduledUpdate(ctx: ServerContext): Promise<string> {
  const { FEEDS } = await import('../advisories/feeds/registry.ts');
  const { updateDatabase } = await import('../advisories/update.ts');
  const { openFeedInput } = await import('../advisories/input/open.ts');
  const configured = ctx.options.dbUpdateSources ?? [];
  const sources = configured.length > 0 ? configured : FEEDS.flatMap((feed) => feed.defaultLocations.map((location) => ({ name: feed.name, location })));
  const outcomes = await updateDatabase(ctx.options.dataDir, sources, { cacheDir: ctx.options.cacheDir, openInput: openFeedInput });
  const failed = outcomes.filter((outcome) => outcome.outcome === 'failed').map((outcome) => outcome.source);
  return `scheduled db update: ${outcomes.length - failed.length} of ${outcomes.length} sources read${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`;
}
