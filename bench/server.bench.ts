// Re-evaluation of 10,000 stored SBOMs after a vulnerability database change, through the server's own
// path (checkDatabase → reevaluate jobs → a worker): the SBOMs are the fixture images' real package lists
// (every fixture image catalogued once, then copied into 10,000 image rows with their first analysis),
// the database is built from every shared feed.
//   incremental: an advisory for one package that only a few images hold (the change history names its
//     key; only those images are matched again) — target: under 10 s;
//   all: the server last saw another database, so every image is matched again.
// Prints milliseconds and the ratio to the target. Never fails on timing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feed } from '../src/advisories/feeds/feed.ts';
import { openFeedInput } from '../src/advisories/input/open.ts';
import { databaseGeneration } from '../src/advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../src/advisories/update.ts';
import { catalogImage } from '../src/catalog/engine.ts';
import type { Platform } from '../src/core/platform.ts';
import type { Sbom } from '../src/core/sbom.ts';
import { openImage } from '../src/image/open.ts';
import { Accounts } from '../src/server/accounts.ts';
import type { ServerContext } from '../src/server/context.ts';
import { openServerDatabase } from '../src/server/db/open.ts';
import { JobQueue } from '../src/server/jobs/queue.ts';
import { startWorker } from '../src/server/jobs/worker.ts';
import { notifyHandler } from '../src/server/notify.ts';
import { checkDatabase, EVALUATED_GENERATION_KEY, reevaluateHandler } from '../src/server/reevaluate.ts';
import { analyseSbom, storedReport, type AnalysisResult } from '../src/server/results.ts';
import { sharedFeedSources } from '../test/helpers/feeds.ts';
import { FIXTURE_OCI } from '../test/helpers/fixtures.ts';

const IMAGES = 10_000;
/** How many images hold the package the incremental change touches. */
const FEW = 5;
const INCREMENTAL_TARGET_MS = 10_000;
const FIXTURES: [string, { ref: string; platform?: Platform }][] = [
  ['app-bullseye', { ref: 'app-bullseye' }],
  ['app-bookworm', { ref: 'app-bookworm' }],
  ['debian-bullseye-base', { ref: 'debian-bullseye-base' }],
  ['debian-bullseye-refreshed', { ref: 'debian-bullseye-refreshed' }],
  ['debian-bookworm-base', { ref: 'debian-bookworm-base' }],
  ['multiarch-amd64', { ref: 'multiarch', platform: { os: 'linux', architecture: 'amd64' } }],
  ['multiarch-arm64', { ref: 'multiarch', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
];

/** A feed of one advisory, as a new source would bring (the change the incremental run reacts to). */
function oneAdvisoryFeed(namespace: string, packageName: string): Feed {
  return {
    name: 'bench-extra',
    defaultLocations: [],
    wants: () => true,
    async ingest(_files, sink) {
      sink.advisory({
        source: 'bench-extra', id: 'CVE-2099-77777', aliases: [], severity: [], references: [],
        affected: [{ namespace, packageName, status: 'affected', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], fixedVersions: [] }],
      });
    },
  };
}

async function drain(queue: JobQueue): Promise<void> {
  for (;;) {
    const counts = await queue.counts();
    if (counts.queued === 0 && counts.running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'spyglass-server-bench-'));
  const dataDir = join(work, 'data');
  const cacheDir = join(work, 'cache');
  try {
    await updateDatabase(dataDir, sharedFeedSources(), { openInput: openFeedInput, cacheDir });
    const store = SqliteAdvisoryStore.open(dataDir);
    const analysed: { name: string; sbom: Sbom; text: string; result: AnalysisResult }[] = [];
    for (const [name, selection] of FIXTURES) {
      const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir, ...selection });
      const sbom = await catalogImage(image, { cacheDir }).finally(() => image.close());
      analysed.push({ name, sbom, text: JSON.stringify(sbom), result: await analyseSbom(sbom, store) });
    }
    await store.close();
    // The image type that holds a lookup key no other one does: FEW images get it, the rest the others.
    const unique = analysed
      .map((entry, index) => ({ index, keys: [...entry.result.keys].filter((key) => analysed.every((other, o) => o === index || !other.result.keys.has(key))) }))
      .filter((entry) => entry.keys.length > 0)[0];
    if (unique === undefined) throw new Error('no fixture image holds a lookup key of its own');
    const [namespace, packageName] = unique.keys.sort()[0]!.split('\u0000') as [string, string];

    const sql = await openServerDatabase({ dataDir });
    const queue = new JobQueue(sql, { leaseMs: 60_000 });
    const ctx: ServerContext = {
      options: {
        dataDir, cacheDir, publicUrl: 'http://127.0.0.1:1', maxImageBytes: 3e9, maxBodyBytes: 1 << 20, concurrency: 2,
        dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 1000, insecureRegistries: true,
      },
      sql, accounts: new Accounts(sql), queue, wake: () => undefined,
    };
    const { org } = await ctx.accounts.createOrg('bench', 'owner@bench.test');
    const repositoryId = randomUUID();
    await sql.run("INSERT INTO repositories (id, org_id, registry, name, enabled, created_at) VALUES (?, ?, 'registry.invalid', 'bench', 1, ?)", [repositoryId, org.id, Date.now()]);
    const generation = databaseGeneration(dataDir)!.generation;
    const others = analysed.map((_, index) => index).filter((index) => index !== unique.index);
    let start = performance.now();
    for (let first = 0; first < IMAGES; first += 500) {
      await sql.transaction(async (tx) => {
        for (let n = first; n < Math.min(IMAGES, first + 500); n++) {
          const entry = analysed[n < FEW ? unique.index : others[n % others.length]!]!;
          const id = randomUUID();
          await tx.run(
            'INSERT INTO images (id, org_id, repository_id, digest, pushed_at, analysed_at, generation, sbom, report, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [id, org.id, repositoryId, `sha256:${n.toString(16).padStart(64, '0')}`, Date.now(), Date.now(), generation, entry.text,
              JSON.stringify(storedReport(entry.result.report)), JSON.stringify(entry.result.counts)],
          );
          // Many rows per statement: the setup is not what is measured.
          const keys = [...entry.result.keys].map((key) => key.split('\u0000') as [string, string]);
          for (let at = 0; at < keys.length; at += 250) {
            const chunk = keys.slice(at, at + 250);
            await tx.run(`INSERT INTO image_keys (image_id, namespace, package) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, chunk.flatMap((key) => [id, ...key]));
          }
          const ids = [...entry.result.vulnerabilities];
          for (let at = 0; at < ids.length; at += 400) {
            const chunk = ids.slice(at, at + 400);
            await tx.run(`INSERT INTO image_vulnerabilities (image_id, vulnerability) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, chunk.flatMap((each) => [id, each]));
          }
        }
      });
    }
    console.log(`server re-evaluation: ${IMAGES} stored SBOMs (${analysed.map((entry) => `${entry.name} ${entry.sbom.packages.length} packages`).join(', ')}) inserted in ${Math.round(performance.now() - start)} ms`);
    await checkDatabase(ctx);

    const worker = startWorker(queue, { handlers: { reevaluate: reevaluateHandler(ctx), notify: notifyHandler(ctx) }, pollMs: 10, concurrency: 2 });
    ctx.wake = () => worker.wake();
    try {
      await updateDatabase(dataDir, [{ name: 'bench-extra', location: 'memory' }], {
        feeds: [oneAdvisoryFeed(namespace, packageName)], cacheDir, openInput: async () => ({ files: (async function* () {})() }),
      });
      start = performance.now();
      const incremental = await checkDatabase(ctx);
      await drain(queue);
      const incrementalMs = performance.now() - start;
      console.log(
        `incremental (${namespace} ${packageName}, held by ${incremental?.images ?? 0} of ${IMAGES} images): ${Math.round(incrementalMs)} ms` +
          ` (${(incrementalMs / INCREMENTAL_TARGET_MS).toFixed(4)} of the 10 s target)`,
      );

      await sql.run('UPDATE server_meta SET value = ? WHERE key = ?', [JSON.stringify({ generation: 0, databaseId: 'another-database' }), EVALUATED_GENERATION_KEY]);
      start = performance.now();
      const all = await checkDatabase(ctx);
      await drain(queue);
      const allMs = performance.now() - start;
      console.log(`all (${all?.images ?? 0} images, ${all?.jobs ?? 0} jobs, one worker process, 2 jobs at a time): ${Math.round(allMs)} ms, ${(allMs / IMAGES).toFixed(2)} ms per image`);
    } finally {
      await worker.stop();
      await sql.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
