// Runs jobs from the queue: up to `concurrency` at a time, each under a lease renewed while its handler
// works. One loop per process (`spyglass serve` runs one beside the API; `spyglass worker` runs only this).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { errorText } from '../../core/errors.ts';
import { JobQueue, PermanentJobError, type Job } from './queue.ts';

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export interface WorkerOptions {
  handlers: Readonly<Record<string, JobHandler>>;
  concurrency?: number;
  /** How often an idle worker looks for work (ms). */
  pollMs?: number;
  workerId?: string;
  onError?: (job: Job, message: string) => void;
}

export interface RunningWorker {
  readonly id: string;
  /** Wakes the loop now (a job was just enqueued in this process). */
  wake(): void;
  /** Stops claiming; waits for running jobs to end. */
  stop(): Promise<void>;
}

export function startWorker(queue: JobQueue, options: WorkerOptions): RunningWorker {
  const id = options.workerId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const pollMs = options.pollMs ?? 500;
  const kinds = Object.keys(options.handlers);
  const running = new Set<Promise<void>>();
  const controller = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let looping = false;

  const runJob = async (job: Job): Promise<void> => {
    const heartbeat = setInterval(() => {
      void queue.heartbeat(job, id).catch(() => undefined);
    }, Math.max(50, Math.floor(queue.leaseMs / 3)));
    try {
      await options.handlers[job.kind]!(job, controller.signal);
      await queue.complete(job, id);
    } catch (error) {
      const message = errorText(error).split('\n')[0]!;
      options.onError?.(job, message);
      await queue.fail(job, id, message, error instanceof PermanentJobError).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = async (): Promise<void> => {
    if (looping || stopped) return;
    looping = true;
    try {
      await queue.failAbandoned().catch(() => undefined);
      while (!stopped && running.size < concurrency) {
        const job = await queue.claim(id, kinds).catch(() => undefined);
        if (job === undefined) break;
        const task = runJob(job).finally(() => {
          running.delete(task);
          schedule(0);
        });
        running.add(task);
      }
    } finally {
      looping = false;
    }
    schedule(pollMs);
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void loop(), delay);
  };

  schedule(0);
  return {
    id,
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      controller.abort();
      await Promise.allSettled([...running]);
    },
  };
}
