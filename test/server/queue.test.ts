// The durable queue on SQLite: dedupe, claim order, lease take-over after a worker dies, backoff,
// permanent failures. (The PostgreSQL run of the same queue is in the server suite with a real server.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openServerDatabase } from '../../src/server/db/open.ts';
import type { Sql } from '../../src/server/db/sql.ts';
import { JobQueue, PermanentJobError } from '../../src/server/jobs/queue.ts';
import { startWorker } from '../../src/server/jobs/worker.ts';

describe('server job queue (SQLite)', () => {
  let dir: string;
  let sql: Sql;
  let clock = 1_000_000;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-queue-'));
    sql = await openServerDatabase({ dataDir: dir });
  });
  after(async () => {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues once per dedupe key and claims in order', async () => {
    const queue = new JobQueue(sql, { now: () => clock, leaseMs: 1000, backoffMs: 100 });
    const first = await queue.enqueue({ kind: 'a', payload: { n: 1 }, dedupeKey: 'k1' });
    const again = await queue.enqueue({ kind: 'a', payload: { n: 2 }, dedupeKey: 'k1' });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.id, first.id);
    clock += 1;
    await queue.enqueue({ kind: 'a', payload: { n: 3 } });
    const job = await queue.claim('w1', ['a']);
    assert.deepEqual(job?.payload, { n: 1 });
    assert.equal(job?.attempts, 1);
    const second = await queue.claim('w2', ['a']);
    assert.deepEqual(second?.payload, { n: 3 });
    assert.equal(await queue.claim('w3', ['a']), undefined);
    await queue.complete(job!, 'w1');
    await queue.complete(second!, 'w2');
    assert.equal((await queue.get(job!.id))?.status, 'done');
  });

  it('lets another worker take over a job whose lease ran out, and only then', async () => {
    const queue = new JobQueue(sql, { now: () => clock, leaseMs: 1000, backoffMs: 100 });
    const { id } = await queue.enqueue({ kind: 'b', payload: {} });
    const held = await queue.claim('dead', ['b']);
    assert.equal(held?.id, id);
    clock += 500;
    assert.equal(await queue.claim('alive', ['b']), undefined);
    clock += 600;
    const taken = await queue.claim('alive', ['b']);
    assert.equal(taken?.id, id);
    assert.equal(taken?.attempts, 2);
    assert.equal(await queue.heartbeat(held!, 'dead'), false, 'the dead worker no longer holds it');
    await queue.complete(taken!, 'alive');
  });

  it('retries with growing backoff, then fails with the last reason', async () => {
    const queue = new JobQueue(sql, { now: () => clock, leaseMs: 1000, backoffMs: 100 });
    const { id } = await queue.enqueue({ kind: 'c', payload: {}, maxAttempts: 3 });
    let job = await queue.claim('w', ['c']);
    assert.equal(await queue.fail(job!, 'w', 'registry down', false), 'queued');
    assert.equal(await queue.claim('w', ['c']), undefined, 'not before the backoff');
    clock += 100;
    job = await queue.claim('w', ['c']);
    assert.equal(await queue.fail(job!, 'w', 'registry down', false), 'queued');
    clock += 150;
    assert.equal(await queue.claim('w', ['c']), undefined, 'second backoff is 200 ms');
    clock += 50;
    job = await queue.claim('w', ['c']);
    assert.equal(await queue.fail(job!, 'w', 'registry still down', false), 'failed');
    const failed = await queue.get(id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.error, 'registry still down');
    assert.equal(failed?.attempts, 3);
  });

  it('runs handlers in a worker; a permanent error fails at once', async () => {
    const queue = new JobQueue(sql, { leaseMs: 1000, backoffMs: 10 });
    const seen: unknown[] = [];
    const ok = await queue.enqueue({ kind: 'd', payload: { ok: true } });
    const bad = await queue.enqueue({ kind: 'd', payload: { ok: false } });
    const worker = startWorker(queue, {
      pollMs: 20,
      handlers: {
        d: async (job) => {
          seen.push(job.payload);
          if (!(job.payload as { ok: boolean }).ok) throw new PermanentJobError('image is over the size limit');
        },
      },
    });
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();
    assert.equal((await queue.get(ok.id))?.status, 'done');
    const failed = await queue.get(bad.id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 1);
    assert.equal(failed?.error, 'image is over the size limit');
  });
});
