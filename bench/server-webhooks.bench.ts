// Registry webhooks into the server: a real server in this process (startServer: fastify on loopback,
// SQLite in a temporary data directory), one organization with a distribution integration and one
// activated repository. Every request is the captured docker-registry envelope
// (../shared/notes/events/push-oci-manifest-tagged.json) with a new event id, digest and tag, sent over
// HTTP with the integration's Bearer secret.
// The worker is the server's own loop (startWorker, concurrency 2 and 500 ms polling as `spyglass serve`,
// woken by the receiver like serve's), but its `analyse` handler is a stub that returns at once: what is
// measured is the server's path (receipt → parse → one transaction storing the push and enqueueing the
// job → wake → claim), not image analysis (the sbom and cves benches time that).
//   (a) webhook → analysis start: one event at a time, from the moment the request is sent to the job's
//       started_at (the claim; millisecond clock), p50/p99 over 200 events (after 10 warm-up events).
//       Target: p99 under 1 s.
//   (b) a burst of 1,000 push events with distinct digests, 50 requests in flight: every one answered
//       202 with one job enqueued, 1,000 analyse jobs in the table (none lost), time to accept them all
//       and time until all 1,000 jobs are done. Target: drained in under 60 s.
// Prints milliseconds and the ratio to the targets. Never fails on timing; fails if an event is lost.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret, newSecret } from '../src/server/auth/secrets.ts';
import { toNumber } from '../src/server/db/sql.ts';
import { startWorker } from '../src/server/jobs/worker.ts';
import { seeRepository, setActivation } from '../src/server/repositories.ts';
import { startServer } from '../src/server/server.ts';
import { SHARED } from '../test/helpers/fixtures.ts';

const LATENCY_EVENTS = 200;
const WARM_UP = 10;
const BURST = 1_000;
const IN_FLIGHT = 50;
const P99_TARGET_MS = 1_000;
const DRAIN_TARGET_MS = 60_000;

interface Envelope {
  events: { id: string; timestamp: string; target: { digest: string; tag?: string; repository: string; url: string }; request: { host: string } }[];
}

const template = JSON.parse(readFileSync(join(SHARED, 'notes/events/push-oci-manifest-tagged.json'), 'utf8')) as Envelope;
const event0 = template.events[0]!;
const HOST = event0.request.host;
const REPOSITORY = event0.target.repository;

/** The captured envelope for a new push: its own event id, digest and tag. */
function envelope(n: number): { body: string; digest: string } {
  const digest = `sha256:${randomBytes(32).toString('hex')}`;
  const event = {
    ...event0,
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    target: { ...event0.target, digest, tag: `bench-${n}`, url: `http://${HOST}/v2/${REPOSITORY}/manifests/${digest}` },
  };
  return { body: JSON.stringify({ events: [event] }), digest };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'spyglass-webhooks-bench-'));
  const server = await startServer({
    dataDir: join(work, 'data'), cacheDir: join(work, 'cache'), publicUrl: '', secretKey: randomBytes(32), maxImageBytes: 3e9,
    maxBodyBytes: 1024 * 1024, concurrency: 2, dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 3_600_000, insecureRegistries: false,
    listen: { host: '127.0.0.1', port: 0 }, worker: false, log: () => undefined,
  });
  const { ctx } = server;
  // The stub handler: notes when each digest's job started, does nothing else.
  const started = new Map<string, number>();
  const worker = startWorker(ctx.queue, {
    concurrency: ctx.options.concurrency,
    handlers: {
      analyse: async (job) => {
        started.set((job.payload as { digest: string }).digest, Date.now());
      },
    },
  });
  ctx.wake = () => worker.wake();
  try {
    const { org } = await ctx.accounts.createOrg('bench', 'owner@bench.example');
    const integrationId = randomUUID();
    const secret = newSecret();
    await ctx.sql.run('INSERT INTO integrations (id, org_id, type, name, registry, secret_hash, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?)', [
      integrationId, org.id, 'distribution', 'bench', hashSecret(secret), Date.now(),
    ]);
    const repository = await ctx.sql.transaction((tx) => seeRepository(tx, org.id, integrationId, HOST, REPOSITORY));
    await setActivation(ctx.sql, ctx.queue, org, null, repository.id, true);
    const url = `${server.url}/webhooks/distribution/${integrationId}`;
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' };
    const post = async (body: string): Promise<void> => {
      const response = await fetch(url, { method: 'POST', body, headers });
      const answer = (await response.json()) as { enqueued?: number; error?: string };
      if (response.status !== 202 || answer.enqueued !== 1) throw new Error(`webhook answered ${response.status} ${JSON.stringify(answer)}`);
    };
    const startedAt = async (digest: string): Promise<number> => {
      const row = await ctx.sql.get('SELECT started_at FROM jobs WHERE dedupe_key = ?', [`analyse:${repository.id}:${digest}`]);
      return row === undefined || row.started_at === null ? NaN : toNumber(row.started_at);
    };

    // (a) one event at a time; the next is sent once the previous job has started.
    const latencies: number[] = [];
    const acks: number[] = [];
    for (let n = 0; n < WARM_UP + LATENCY_EVENTS; n += 1) {
      const { body, digest } = envelope(n);
      const sent = Date.now();
      await post(body);
      const acked = Date.now();
      const deadline = sent + 30_000;
      while (!started.has(digest)) {
        if (Date.now() > deadline) throw new Error(`event ${n}: its job did not start in 30 s`);
        await sleep(1);
      }
      if (n < WARM_UP) continue;
      latencies.push((await startedAt(digest)) - sent);
      acks.push(acked - sent);
    }
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`webhook → analysis start, ${LATENCY_EVENTS} events one at a time (SQLite, stub analyse handler)`);
    console.log(`  request sent → job started_at: p50 ${p50} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms  (target p99 < ${P99_TARGET_MS} ms: ${(p99 / P99_TARGET_MS).toFixed(3)} of it)`);
    console.log(`  request sent → 202 answer:     p50 ${percentile(acks, 50)} ms, p99 ${percentile(acks, 99)} ms`);

    // (b) the burst: 1,000 distinct digests, IN_FLIGHT requests at a time.
    const burst = Array.from({ length: BURST }, (_, i) => envelope(100_000 + i));
    const before = toNumber((await ctx.sql.get("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'analyse'"))?.n);
    const t0 = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < burst.length) await post(burst[next++]!.body);
    }));
    const accepted = Date.now() - t0;
    const enqueued = toNumber((await ctx.sql.get("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'analyse'"))?.n) - before;
    const doneCount = async () => burst.filter((event) => started.has(event.digest)).length;
    while ((await doneCount()) < BURST || toNumber((await ctx.sql.get("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'analyse' AND status <> 'done'"))?.n) > 0) {
      if (Date.now() - t0 > 10 * DRAIN_TARGET_MS) throw new Error(`the burst did not drain in ${10 * DRAIN_TARGET_MS / 1000} s (${await doneCount()} of ${BURST} started)`);
      await sleep(20);
    }
    const drained = Date.now() - t0;
    const lost = BURST - enqueued;
    console.log(`burst of ${BURST} push events (distinct digests, ${IN_FLIGHT} requests in flight; stub analyse handler, worker concurrency ${ctx.options.concurrency})`);
    console.log(`  accepted (all 202, one job each): ${accepted} ms (${Math.round(BURST / (accepted / 1000))} events/s); jobs enqueued ${enqueued} (lost ${lost})`);
    console.log(`  drained (all ${BURST} jobs done): ${drained} ms from the first request, ${drained - accepted} ms after the last answer  (target < ${DRAIN_TARGET_MS} ms: ${(drained / DRAIN_TARGET_MS).toFixed(3)} of it)`);
    if (lost !== 0) throw new Error(`${lost} accepted push events have no job`);
  } finally {
    await worker.stop();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
