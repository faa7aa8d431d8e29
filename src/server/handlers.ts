// Every job kind the workers run and every background task of a server process, in one list: a new
// kind is one import and one entry here.
import { analyseHandler } from './analysis/analyse.ts';
import { backfillHandler } from './analysis/backfill.ts';
import { startPoller } from './analysis/poller.ts';
import type { ServerContext } from './context.ts';
import type { JobHandler } from './jobs/worker.ts';
import { notifyHandler } from './notify.ts';
import { reevaluateHandler, startDatabaseWatcher } from './reevaluate.ts';

export interface BackgroundTask {
  stop(): Promise<void>;
}

export function jobHandlers(ctx: ServerContext): Record<string, JobHandler> {
  return {
    analyse: analyseHandler(ctx),
    backfill: backfillHandler(ctx),
    reevaluate: reevaluateHandler(ctx),
    notify: notifyHandler(ctx),
  };
}

/** Tasks a `spyglass serve` process runs beside the API and its worker (pollers, database watcher). */
export function backgroundTasks(ctx: ServerContext): BackgroundTask[] {
  return [
    // poller integrations: list the registry at their interval, record new digests like pushes.
    startPoller(ctx),
    // db watcher: new database generations → re-evaluation jobs; the scheduled `db update`.
    startDatabaseWatcher(ctx),
  ];
}
