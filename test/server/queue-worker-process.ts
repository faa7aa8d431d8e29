// One worker process of the PostgreSQL queue test (test/server/queue-postgres.test.ts): runs the real
// worker loop on the shared database; each job notes its start and its end in `test_job_log` and sleeps
// for the time its payload says in between. Arguments: DATABASE_URL WORKER_NAME LEASE_MS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServerDatabase } from '../../src/server/db/open.ts';
import { JobQueue } from '../../src/server/jobs/queue.ts';
import { startWorker } from '../../src/server/jobs/worker.ts';

const [url, name, leaseMs] = process.argv.slice(2);
const sql = await openServerDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'spyglass-worker-')), databaseUrl: url! });
const queue = new JobQueue(sql, { leaseMs: Number(leaseMs), backoffMs: 50 });
const worker = startWorker(queue, {
  workerId: name!,
  concurrency: 4,
  pollMs: 25,
  handlers: {
    work: async (job) => {
      await sql.run('INSERT INTO test_job_log (job_id, worker, event, pid, at) VALUES (?, ?, ?, ?, ?)', [job.id, name!, 'start', process.pid, Date.now()]);
      await new Promise((resolve) => setTimeout(resolve, (job.payload as { ms: number }).ms));
      await sql.run('INSERT INTO test_job_log (job_id, worker, event, pid, at) VALUES (?, ?, ?, ?, ?)', [job.id, name!, 'end', process.pid, Date.now()]);
    },
  },
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => sql.close()).then(() => process.exit(0));
});
