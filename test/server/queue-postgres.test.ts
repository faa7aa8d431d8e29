// The durable queue on a real PostgreSQL server, with two worker PROCESSES claiming at once: every job
// runs to its end exactly once; a worker killed with SIGKILL in the middle of a job loses it to the
// other one when its lease runs out, and the job still ends exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openServerDatabase } from '../../src/server/db/open.ts';
import type { Sql } from '../../src/server/db/sql.ts';
import { toNumber } from '../../src/server/db/sql.ts';
import { JobQueue } from '../../src/server/jobs/queue.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';

const LEASE_MS = 1500;
const skip = postgresUnavailable();

function startWorkerProcess(url: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/server/queue-worker-process.ts'), url, name, String(LEASE_MS)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code} before it was ready`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('server job queue on PostgreSQL, two worker processes', { skip }, () => {
  let server: PostgresServer;
  let sql: Sql;
  let queue: JobQueue;
  const dir = mkdtempSync(join(tmpdir(), 'spyglass-queue-pg-'));
  const workers: ChildProcess[] = [];

  before(async () => {
    server = await startPostgres();
    sql = await openServerDatabase({ dataDir: dir, databaseUrl: server.url });
    await sql.run('CREATE TABLE test_job_log (job_id TEXT NOT NULL, worker TEXT NOT NULL, event TEXT NOT NULL, pid INTEGER NOT NULL, at BIGINT NOT NULL)');
    queue = new JobQueue(sql, { leaseMs: LEASE_MS });
    workers.push(await startWorkerProcess(server.url, 'worker-a'), await startWorkerProcess(server.url, 'worker-b'));
  });
  after(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await sql?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs 300 jobs claimed concurrently by both processes, each exactly once', async () => {
    const ids = new Set<string>();
    await sql.transaction(async (tx) => {
      for (let n = 0; n < 300; n++) ids.add((await queue.enqueue({ kind: 'work', payload: { ms: 5 } }, tx)).id);
    });
    await until('300 jobs done', async () => (await queue.counts()).done >= 300);
    const ends = await sql.all<{ job_id: string; n: unknown }>("SELECT job_id, COUNT(*) AS n FROM test_job_log WHERE event = 'end' GROUP BY job_id");
    assert.equal(ends.length, 300);
    assert.ok(ends.every((row) => toNumber(row.n) === 1 && ids.has(row.job_id)), 'every job ended exactly once');
    const starts = await sql.get<{ n: unknown }>("SELECT COUNT(*) AS n FROM test_job_log WHERE event = 'start'");
    assert.equal(toNumber(starts?.n), 300, 'no job was started twice: no two workers claimed the same one');
    const perWorker = await sql.all<{ worker: string; n: unknown }>("SELECT worker, COUNT(*) AS n FROM test_job_log WHERE event = 'end' GROUP BY worker ORDER BY worker");
    assert.deepEqual(perWorker.map((row) => row.worker), ['worker-a', 'worker-b'], 'both processes took jobs');
  });

  it('takes over the job of a worker killed with SIGKILL after its lease, and completes it exactly once', async () => {
    const { id } = await queue.enqueue({ kind: 'work', payload: { ms: 4000 } });
    let holder: { worker: string; pid: unknown } | undefined;
    await until('the slow job to start', async () => {
      holder = await sql.get<{ worker: string; pid: unknown }>("SELECT worker, pid FROM test_job_log WHERE job_id = ? AND event = 'start'", [id]);
      return holder !== undefined;
    });
    const victim = workers.find((worker) => worker.pid === toNumber(holder!.pid))!;
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await until('the job to be done by the other worker', async () => (await queue.get(id))?.status === 'done', 30_000);
    const takenOver = await sql.get<{ at: unknown }>("SELECT at FROM test_job_log WHERE job_id = ? AND event = 'start' AND worker <> ?", [id, holder!.worker]);
    // The last heartbeat was at most a third of the lease before the kill.
    assert.ok(toNumber(takenOver?.at) - killedAt >= (LEASE_MS * 2) / 3 - 100, 'not taken over before the lease ran out');
    const log = await sql.all<{ worker: string; event: string }>('SELECT worker, event FROM test_job_log WHERE job_id = ? ORDER BY event, worker', [id]);
    const survivor = holder!.worker === 'worker-a' ? 'worker-b' : 'worker-a';
    assert.deepEqual(log, [{ worker: survivor, event: 'end' }, { worker: holder!.worker, event: 'start' }, { worker: survivor, event: 'start' }].sort((a, b) => a.event.localeCompare(b.event) || a.worker.localeCompare(b.worker)));
    const job = await queue.get(id);
    assert.equal(job?.attempts, 2);
    assert.equal(job?.lockedBy, survivor);
  });
});
