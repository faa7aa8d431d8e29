// Starting the server: `spyglass serve` (API, webhook receivers, a worker and the background tasks in
// one process) and `spyglass worker` (only a worker, sharing the queue through the database).
import { SpyglassError } from '../core/errors.ts';
import { Accounts } from './accounts.ts';
import type { ServerContext, ServerOptions } from './context.ts';
import { openServerDatabase } from './db/open.ts';
import type { Sql } from './db/sql.ts';
import { backgroundTasks, jobHandlers, type BackgroundTask } from './handlers.ts';
import { JobQueue } from './jobs/queue.ts';
import { startWorker, type RunningWorker } from './jobs/worker.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port` (port 0: any free port); `[::1]:8080` for IPv6. */
export function parseListen(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) throw new SpyglassError(`--listen ${text}: expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)`);
  return { host: match[1] ?? match[2]!, port };
}

export interface RunningServer {
  /** http://HOST:PORT as bound (the real port when 0 was asked for). */
  url: string;
  ctx: ServerContext;
  close(): Promise<void>;
}

async function contextFor(options: ServerOptions, sql: Sql, wake: () => void): Promise<ServerContext> {
  return { options, sql, accounts: new Accounts(sql), queue: new JobQueue(sql, options.jobLeaseMs !== undefined ? { leaseMs: options.jobLeaseMs } : {}), wake };
}

/** Opens the database, listens, and runs a worker and the background tasks; `close` stops all of them. */
export async function startServer(options: ServerOptions & { listen: ListenAddress; worker?: boolean; log?: (line: string) => void }): Promise<RunningServer> {
  const sql = await openServerDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  let worker: RunningWorker | undefined;
  const ctx = await contextFor(options, sql, () => worker?.wake());
  const { buildApp } = await import('./http/app.ts');
  const app = buildApp(ctx, options.log !== undefined ? { log: options.log } : {});
  try {
    await app.listen({ host: options.listen.host, port: options.listen.port });
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw new SpyglassError(`cannot listen on ${options.listen.host}:${options.listen.port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.listen.port;
  const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
  const url = `http://${host}:${port}`;
  // Without a public URL, webhook URLs use the address as bound (the real port when 0 was asked for).
  if (options.publicUrl === '') ctx.options.publicUrl = url;
  if (options.worker !== false) worker = startWorker(ctx.queue, { handlers: jobHandlers(ctx), concurrency: options.concurrency });
  const tasks: BackgroundTask[] = backgroundTasks(ctx);
  let closing: Promise<void> | undefined;
  return {
    url,
    ctx,
    close() {
      closing ??= (async () => {
        await app.close();
        await Promise.allSettled([worker?.stop(), ...tasks.map((task) => task.stop())]);
        await sql.close();
      })();
      return closing;
    },
  };
}

export interface RunningWorkerProcess {
  ctx: ServerContext;
  close(): Promise<void>;
}

/** A worker without HTTP (`spyglass worker`): takes jobs from the shared database. */
export async function startWorkerProcess(options: ServerOptions): Promise<RunningWorkerProcess> {
  const sql = await openServerDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const ctx = await contextFor(options, sql, () => worker.wake());
  const worker = startWorker(ctx.queue, { handlers: jobHandlers(ctx), concurrency: options.concurrency });
  let closing: Promise<void> | undefined;
  return {
    ctx,
    close() {
      closing ??= (async () => {
        await worker.stop();
        await sql.close();
      })();
      return closing;
    },
  };
}

/** Runs until SIGTERM or SIGINT, then closes cleanly (running jobs end first; a second signal exits at once). */
export function closeOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = () => {
      if (signalled) process.exit(1);
      signalled = true;
      void close().finally(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
