// Notification delivery (the `notify` job) against a receiver this test runs: a server error is retried
// through the queue's backoff until it is delivered; a 4xx other than 408/429 fails at once with the
// status as the reason; a 429 is retried; the signature is HMAC-SHA256 over the raw body.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Accounts } from '../../src/server/accounts.ts';
import { encryptSecret } from '../../src/server/auth/secrets.ts';
import type { ServerContext } from '../../src/server/context.ts';
import { openServerDatabase } from '../../src/server/db/open.ts';
import type { Sql } from '../../src/server/db/sql.ts';
import { JobQueue } from '../../src/server/jobs/queue.ts';
import { startWorker } from '../../src/server/jobs/worker.ts';
import { notifyHandler, type NotifyPayload } from '../../src/server/notify.ts';

describe('notify jobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spyglass-notify-'));
  let sql: Sql;
  let ctx: ServerContext;
  let orgId: string;
  /** Status codes the receiver answers with, in turn (then 204). */
  const answers: number[] = [];
  const received: { path: string; signature: string | undefined; raw: string }[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', signature: request.headers['x-spyglass-signature'] as string | undefined, raw: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(answers.shift() ?? 204).end();
    });
  });
  let base: string;
  const secretKey = randomBytes(32);

  before(async () => {
    sql = await openServerDatabase({ dataDir: dir });
    const queue = new JobQueue(sql, { leaseMs: 5000, backoffMs: 20 });
    ctx = {
      options: {
        dataDir: dir, cacheDir: dir, publicUrl: 'http://127.0.0.1:1', secretKey, maxImageBytes: 3e9, maxBodyBytes: 1 << 20, concurrency: 2,
        dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 1000, insecureRegistries: true,
      },
      sql, accounts: new Accounts(sql), queue, wake: () => undefined,
    };
    orgId = (await ctx.accounts.createOrg('acme', 'owner@acme.test')).org.id;
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = { org: 'acme', repository: 'app', registry: 'registry.test', tag: 'latest', tags: ['latest'], digest: 'sha256:' + 'a'.repeat(64), added: ['CVE-2099-1'], at: '2026-11-27T00:00:00.000Z' };

  async function deliver(kind: string, path: string, secret: string | null, statuses: number[]) {
    const targetId = randomUUID();
    await sql.run('INSERT INTO notification_targets (id, org_id, kind, url, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      targetId, orgId, kind, `${base}${path}`, secret === null ? null : encryptSecret(secretKey, secret), Date.now(),
    ]);
    answers.splice(0, answers.length, ...statuses);
    const payload: NotifyPayload = { targetId, body };
    const { id } = await ctx.queue.enqueue({ kind: 'notify', payload, maxAttempts: 4 });
    const worker = startWorker(ctx.queue, { handlers: { notify: notifyHandler(ctx) }, pollMs: 10 });
    try {
      for (let n = 0; n < 500; n++) {
        const job = await ctx.queue.get(id);
        if (job?.status === 'done' || job?.status === 'failed') return job;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the notify job did not finish');
    } finally {
      await worker.stop();
    }
  }

  it('retries a server error and a 429, then delivers the signed body', async () => {
    received.length = 0;
    const job = await deliver('webhook', '/hook', 'hook-secret', [503, 429]);
    assert.equal(job.status, 'done');
    assert.equal(job.attempts, 3);
    assert.equal(received.length, 3);
    const last = received[2]!;
    assert.deepEqual(JSON.parse(last.raw), body);
    assert.equal(last.signature, `sha256=${createHmac('sha256', 'hook-secret').update(last.raw).digest('hex')}`);
  });

  it('fails at once on a 4xx answer, with the status as the reason', async () => {
    received.length = 0;
    const job = await deliver('webhook', '/gone', 'hook-secret', [410]);
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 1);
    assert.equal(job.error, `POST ${base}/gone: HTTP 410`);
  });

  it('sends Slack its incoming-webhook format, unsigned', async () => {
    received.length = 0;
    const job = await deliver('slack', '/slack', null, []);
    assert.equal(job.status, 'done');
    assert.equal(received[0]!.signature, undefined);
    assert.deepEqual(Object.keys(JSON.parse(received[0]!.raw) as object), ['text']);
    assert.match((JSON.parse(received[0]!.raw) as { text: string }).text, /1 new vulnerability in acme registry\.test\/app:latest .*CVE-2099-1/);
  });

  it('keeps retrying while the receiver is down, then fails with the reason', async () => {
    const targetId = randomUUID();
    await sql.run('INSERT INTO notification_targets (id, org_id, kind, url, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      targetId, orgId, 'slack', 'http://127.0.0.1:1/down', null, Date.now(),
    ]);
    const { id } = await ctx.queue.enqueue({ kind: 'notify', payload: { targetId, body }, maxAttempts: 2 });
    const worker = startWorker(ctx.queue, { handlers: { notify: notifyHandler(ctx) }, pollMs: 10 });
    try {
      for (let n = 0; n < 500 && (await ctx.queue.get(id))?.status !== 'failed'; n++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await worker.stop();
    }
    const job = await ctx.queue.get(id);
    assert.equal(job?.status, 'failed');
    assert.equal(job?.attempts, 2);
    assert.match(job?.error ?? '', /^POST http:\/\/127\.0\.0\.1:1\/down: /);
  });
});
