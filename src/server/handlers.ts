// Every job kind the workers run and every background task of a server process, in one list: a new
// kind is one import and one entry here.
import type { ServerContext } from './context.ts';
import type { JobHandler } from './jobs/worker.ts';

export interface BackgroundTask {
  stop(): Promise<void>;
}

export function jobHandlers(_ctx: ServerContext): Record<string, JobHandler> {
  return {};
}

/** Tasks a `spyglass serve` process runs beside the API and its worker (pollers, database watcher). */
export function backgroundTasks(_ctx: ServerContext): BackgroundTask[] {
  return [];
}
