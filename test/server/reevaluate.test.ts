// Continuous re-evaluation with real parts: the SBOMs of two fixture images (catalogued from the fixture
// OCI layout) stored as the server stores them, a vulnerability database built with updateDatabase from
// the shared Debian and scoring feeds, then an extra advisory (an OSV record in osv.dev's Debian format,
// written here) ingested with updateDatabase as a CLI update on the same data directory would. The
// server's database watcher notices the new generation; only the image holding the named package is
// matched again (from its stored SBOM: the "registry" is a socket that counts connections, and sees
// none); an evaluation records the added id; a signed webhook and a Slack message reach receivers this
// test runs. The same scenario runs with the server database on SQLite and on a real PostgreSQL server.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFeedInput } from '../../src/advisories/input/open.ts';
import { databaseGeneration } from '../../src/advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../src/advisories/update.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { openImage } from '../../src/image/open.ts';
import { Accounts } from '../../src/server/accounts.ts';
import { encryptSecret } from '../../src/server/auth/secrets.ts';
import type { ServerContext } from '../../src/server/context.ts';
import { openServerDatabase } from '../../src/server/db/open.ts';
import { toNumber, type Sql } from '../../src/server/db/sql.ts';
import { JobQueue } from '../../src/server/jobs/queue.ts';
import { startWorker } from '../../src/server/jobs/worker.ts';
import { notifyHandler } from '../../src/server/notify.ts';
import { checkDatabase, EVALUATED_GENERATION_KEY, reevaluateHandler, startDatabaseWatcher } from '../../src/server/reevaluate.ts';
import { analyseSbom, saveResult } from '../../src/server/results.ts';
import { sharedFeedSources } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';

const root = mkdtempSync(join(tmpdir(), 'spyglass-reevaluate-'));
const cacheDir = join(root, 'cache');
const baseDir = join(root, 'base');
/** A CVE id no real feed has: the extra advisory's. */
const NEW_CVE = 'CVE-2099-40404';
let sboms: Map<string, Sbom>;

before(async () => {
  // The Debian feeds and the scoring feeds: what rates Debian images (osv is left for the extra advisory).
  const feeds = new Set(['debian-tracker', 'debian-dsa', 'nvd', 'vulnrichment', 'kev', 'epss']);
  const outcomes = await updateDatabase(baseDir, sharedFeedSources().filter((source) => feeds.has(source.name)), { openInput: openFeedInput, cacheDir });
  assert.deepEqual(outcomes.filter((outcome) => outcome.outcome === 'failed'), []);
  sboms = new Map();
  for (const name of ['app-bookworm', 'debian-bullseye-base']) {
    const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir, ref: name });
    try {
      sboms.set(name, await catalogImage(image, { cacheDir }));
    } finally {
      await image.close();
    }
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The whole scenario on one server database. */
async function scenario(openSql: (dataDir: string) => Promise<Sql>): Promise<void> {
  const dataDir = mkdtempSync(join(root, 'data-'));
  copyFileSync(join(baseDir, 'spyglass.db'), join(dataDir, 'spyglass.db'));
  const sql = await openSql(dataDir);
  // The "registry" the repositories name: a socket that only counts who connects.
  let registryConnections = 0;
  const registry = createTcpServer((socket) => {
    registryConnections += 1;
    socket.destroy();
  });
  const registryHost = `127.0.0.1:${await listen(registry)}`;
  const received: Received[] = [];
  const receiver = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, raw: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  const receiverUrl = `http://127.0.0.1:${await listen(receiver)}`;
  const secretKey = randomBytes(32);
  const queue = new JobQueue(sql, { leaseMs: 10_000, backoffMs: 100 });
  let wake = () => undefined as void;
  const ctx: ServerContext = {
    options: {
      dataDir, cacheDir, publicUrl: 'http://127.0.0.1:1', secretKey, maxImageBytes: 3e9, maxBodyBytes: 1 << 20, concurrency: 2,
      dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 100, insecureRegistries: true,
    },
    sql,
    accounts: new Accounts(sql),
    queue,
    wake: () => wake(),
  };
  const tasks: { stop(): Promise<void> }[] = [];
  try {
    const { org } = await ctx.accounts.createOrg('acme', 'owner@acme.test');
    const { org: other } = await ctx.accounts.createOrg('globex', 'owner@globex.test');
    // Two activated repositories, each with one image tagged `latest`, stored with its SBOM and result.
    const store = SqliteAdvisoryStore.open(dataDir);
    const firstGeneration = databaseGeneration(dataDir)!.generation;
    const images: Record<string, { id: string; repositoryId: string; digest: string }> = {};
    for (const [name, repository] of [['app-bookworm', 'app'], ['debian-bullseye-base', 'base']] as const) {
      const repositoryId = randomUUID();
      const id = randomUUID();
      const digest = expectedImage(name).manifestDigest;
      const now = Date.now();
      await sql.run('INSERT INTO repositories (id, org_id, registry, name, enabled, enabled_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [
        repositoryId, org.id, registryHost, repository, now, now,
      ]);
      await sql.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id, org.id, repositoryId, digest, expectedImage(name).configDigest, expectedImage(name).platform, now,
      ]);
      await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, 'latest', digest, now]);
      const sbom = sboms.get(name)!;
      const result = await analyseSbom(sbom, store);
      await sql.transaction((tx) => saveResult(tx, id, sbom, result, firstGeneration));
      images[name] = { id, repositoryId, digest };
    }
    await store.close();
    const hookSecret = 'whsec-test-0123456789';
    const target = async (orgId: string, kind: string, path: string, repositoryId: string | null, secret: string | null) =>
      sql.run('INSERT INTO notification_targets (id, org_id, repository_id, kind, url, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        randomUUID(), orgId, repositoryId, kind, `${receiverUrl}${path}`, secret === null ? null : encryptSecret(secretKey, secret), Date.now(),
      ]);
    await target(org.id, 'webhook', '/hook', null, hookSecret);
    await target(org.id, 'slack', '/slack', images['app-bookworm']!.repositoryId, null);
    // Neither of these may hear of it: the other repository's target and another organization's.
    await target(org.id, 'webhook', '/base-only', images['debian-bullseye-base']!.repositoryId, 'another-secret');
    await target(other.id, 'webhook', '/globex', null, 'globex-secret');

    const worker = startWorker(queue, { handlers: { reevaluate: reevaluateHandler(ctx), notify: notifyHandler(ctx) }, pollMs: 50 });
    tasks.push(worker);
    wake = () => worker.wake();
    tasks.push(startDatabaseWatcher(ctx, () => undefined));
    await until('the watcher to note the current generation', async () => (await sql.get('SELECT value FROM server_meta WHERE key = ?', [EVALUATED_GENERATION_KEY])) !== undefined);

    // zlib1g (source package zlib) is in the bookworm image; the bullseye image looks up debian:11 only.
    const zlib = sboms.get('app-bookworm')!.packages.find((pkg) => pkg.name === 'zlib1g')!;
    assert.equal(zlib.sourceName ?? zlib.name, 'zlib');
    const extra = join(dataDir, 'extra-osv');
    mkdirSync(extra);
    writeFileSync(
      join(extra, `DEBIAN-${NEW_CVE}.json`),
      JSON.stringify({
        schema_version: '1.6.0',
        id: `DEBIAN-${NEW_CVE}`,
        aliases: [NEW_CVE],
        modified: '2026-11-20T00:00:00Z',
        published: '2026-11-20T00:00:00Z',
        summary: 'zlib: test-only advisory',
        affected: [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
      }),
    );
    await updateDatabase(dataDir, [{ name: 'osv', location: extra }], { openInput: openFeedInput, cacheDir });
    const generation = databaseGeneration(dataDir)!.generation;
    assert.equal(generation, firstGeneration + 1);

    const bookworm = images['app-bookworm']!.id;
    await until('the re-evaluation', async () => (await sql.get('SELECT id FROM evaluations WHERE image_id = ?', [bookworm])) !== undefined);
    await until('two notifications', async () => received.length >= 2);
    await until('the queue to drain', async () => {
      const counts = await queue.counts();
      return counts.queued === 0 && counts.running === 0;
    });

    const evaluations = await sql.all<{ image_id: string; generation: unknown; reason: string; added: string; removed: string; changed: string }>(
      'SELECT image_id, generation, reason, added, removed, changed FROM evaluations',
    );
    assert.equal(evaluations.length, 1, 'only the image holding zlib was matched again');
    const evaluation = evaluations[0]!;
    assert.equal(evaluation.image_id, bookworm);
    assert.equal(evaluation.reason, 'database');
    assert.equal(toNumber(evaluation.generation), generation);
    assert.deepEqual(JSON.parse(evaluation.added), [{ id: NEW_CVE, package: 'zlib1g', severity: 'unspecified' }]);
    assert.deepEqual(JSON.parse(evaluation.removed), []);
    assert.deepEqual(JSON.parse(evaluation.changed), []);
    const stored = await sql.get<{ report: string; generation: unknown }>('SELECT report, generation FROM images WHERE id = ?', [bookworm]);
    const findings = (JSON.parse(stored!.report) as { findings: { id: string; packageId: string }[] }).findings;
    assert.deepEqual(findings.filter((finding) => finding.id === NEW_CVE).map((finding) => finding.packageId), [zlib.id]);
    assert.equal(toNumber(stored!.generation), generation);
    assert.ok(await sql.get('SELECT 1 AS x FROM image_vulnerabilities WHERE image_id = ? AND vulnerability = ?', [bookworm, NEW_CVE]));
    const untouched = await sql.get<{ generation: unknown }>('SELECT generation FROM images WHERE id = ?', [images['debian-bullseye-base']!.id]);
    assert.equal(toNumber(untouched!.generation), firstGeneration, 'the bullseye image was not matched again');

    // The signed webhook and the Slack message, and nothing to the others.
    assert.deepEqual(received.map((each) => each.path).sort(), ['/hook', '/slack']);
    const hook = received.find((each) => each.path === '/hook')!;
    const expectedSignature = `sha256=${createHmac('sha256', hookSecret).update(hook.raw).digest('hex')}`;
    assert.equal(hook.headers['x-spyglass-signature'], expectedSignature);
    const body = JSON.parse(hook.raw) as Record<string, unknown>;
    assert.equal(body.org, 'acme');
    assert.equal(body.repository, 'app');
    assert.equal(body.tag, 'latest');
    assert.equal(body.digest, expectedImage('app-bookworm').manifestDigest);
    assert.deepEqual(body.added, [NEW_CVE]);
    assert.ok(!Number.isNaN(Date.parse(String(body.at))));
    const slack = JSON.parse(received.find((each) => each.path === '/slack')!.raw) as { text: string };
    assert.match(slack.text, new RegExp(`acme .*app:latest.*${NEW_CVE}`));

    const kinds = await sql.all<{ kind: string; status: string }>('SELECT DISTINCT kind, status FROM jobs ORDER BY kind');
    assert.deepEqual(kinds, [{ kind: 'notify', status: 'done' }, { kind: 'reevaluate', status: 'done' }]);
    assert.equal(registryConnections, 0, 'nothing was pulled: the registry saw no connection');

    // A server that last saw another database (or a generation the history no longer reaches) re-evaluates everything.
    for (const task of tasks.splice(0)) await task.stop();
    await sql.run('UPDATE server_meta SET value = ? WHERE key = ?', [JSON.stringify({ generation, databaseId: 'another-database' }), EVALUATED_GENERATION_KEY]);
    const all = await checkDatabase(ctx);
    assert.deepEqual(all, { generation, incremental: false, images: 2, jobs: 1 });
  } finally {
    for (const task of tasks) await task.stop();
    await new Promise((resolve) => registry.close(resolve));
    await new Promise((resolve) => receiver.close(resolve));
    await sql.close();
  }
}

describe('continuous re-evaluation', () => {
  it('re-matches only the stored SBOMs a database change touches, records it and notifies (SQLite)', async () => {
    await scenario((dataDir) => openServerDatabase({ dataDir }));
  });

  describe('with the server database on PostgreSQL', { skip: postgresUnavailable() }, () => {
    let server: PostgresServer;
    before(async () => {
      server = await startPostgres();
    });
    after(async () => server?.stop());
    it('re-matches only the stored SBOMs a database change touches, records it and notifies (PostgreSQL)', async () => {
      const url = await server.createDatabase('reevaluate');
      await scenario((dataDir) => openServerDatabase({ dataDir, databaseUrl: url }));
    });
  });
});
