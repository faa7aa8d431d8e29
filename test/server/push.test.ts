// Push → analysis end to end: the server in-process (startServer), a real docker-registry on loopback
// notifying it, fixture images pushed with skopeo, a real vulnerability database. Expected digests,
// config digests and package counts come from ../shared/fixtures/manifests (skopeo/umoci/dpkg-query).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../src/server/auth/secrets.ts';
import { toNumber, type Row } from '../../src/server/db/sql.ts';
import { setActivation, seeRepository } from '../../src/server/repositories.ts';
import { pollIntegration } from '../../src/server/analysis/poller.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { fixtureRecord } from '../helpers/base-catalog.ts';
import { fixtureImageSbom } from '../helpers/sbom.ts';
import { runCli } from '../helpers/cli.ts';
import { SqliteBaseImageCatalog } from '../../src/baseimage/catalog.ts';
import type { Digest } from '../../src/core/digest.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { expectedImage, FIXTURE_OCI, SHARED } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';

const MAX_IMAGE_BYTES = 36_000_000; // debian-bookworm-base (26.6 MB), app-bullseye (35.5 MB) and multiarch fit; app-bookworm (36.7 MB) does not
const MULTIARCH_INDEX = 'sha256:91712f580f34a1a101f083b7a5e5eda0622733871d89da1bb095cff8203e02c4'; // fixtures/images/README.md
const LEVELS = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
type Counts = Record<(typeof LEVELS)[number], number>;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The same suite on the embedded SQLite database and on a real PostgreSQL server.
for (const dialect of ['sqlite', 'postgres'] as const) {
  const skip = dialect === 'postgres' ? postgresUnavailable() : undefined;
  describe(`push → analysis (docker-registry notifications, ${dialect})`, { skip }, () => {
    let dir: string;
    let postgres: PostgresServer | undefined;
    let server: RunningServer;
    let registry: TestRegistry;
    let orgId: string;
    let ownerToken: string;
    let dataDir: string;
    const secret = newSecret();
    let integrationId: string;

    const sql = () => server.ctx.sql;
    const addIntegration = async (type: string, registryHost: string | null): Promise<{ id: string; secret: string }> => {
      const id = randomUUID();
      const own = newSecret();
      await sql().run('INSERT INTO integrations (id, org_id, type, name, registry, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id, orgId, type, `${type}-${id.slice(0, 8)}`, registryHost, hashSecret(own), Date.now(),
      ]);
      return { id, secret: own };
    };
    const activate = async (registryHost: string, name: string, viaIntegration: string): Promise<string> => {
      const repository = await sql().transaction((tx) => seeRepository(tx, orgId, viaIntegration, registryHost, name));
      const org = (await server.ctx.accounts.org('acme'))!;
      await setActivation(sql(), server.ctx.queue, org, null, repository.id, true);
      return repository.id;
    };
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const analysedImages = (repositoryId: string) =>
      sql().all('SELECT * FROM images WHERE repository_id = ? AND analysed_at IS NOT NULL ORDER BY platform', [repositoryId]);
    const jobsOf = (repositoryId: string) => sql().all("SELECT * FROM jobs WHERE kind = 'analyse' AND dedupe_key LIKE ?", [`analyse:${repositoryId}:%`]);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'spyglass-push-'));
      dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
      // The base image catalog: debian:bullseye-slim was debian-bullseye-base, then moved to debian-bullseye-refreshed.
      // Each record holds the fixture's real SBOM (as `base-images add` stores it), without counts: the server counts them.
      const catalog = SqliteBaseImageCatalog.open(dataDir);
      for (const [image, indexedAt] of [['debian-bullseye-base', '2025-01-01T00:00:00.000Z'], ['debian-bullseye-refreshed', '2025-02-01T00:00:00.000Z']] as const) {
        const digest = expectedImage(image).manifestDigest;
        const sbom = await fixtureImageSbom(image);
        catalog.put(fixtureRecord(image, { repository: 'docker.io/library/debian', tag: 'bullseye-slim', indexedAt }),
          { ...sbom, source: { ...sbom.source, input: digest, manifestDigest: digest as Digest }, createdAt: indexedAt });
      }
      catalog.close();
      if (dialect === 'postgres') postgres = await startPostgres();
      server = await startServer({
        ...(postgres !== undefined ? { databaseUrl: await postgres.createDatabase('push') } : {}),
        dataDir, cacheDir: join(dir, 'cache'), publicUrl: '', secretKey: randomBytes(32), maxImageBytes: MAX_IMAGE_BYTES,
        maxBodyBytes: 1024 * 1024, concurrency: 2, dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 600_000, insecureRegistries: true,
        listen: { host: '127.0.0.1', port: 0 }, log: () => undefined,
      });
      const created = await server.ctx.accounts.createOrg('acme', 'owner@example.com');
      orgId = created.org.id;
      ownerToken = created.token;
      integrationId = randomUUID();
      await sql().run('INSERT INTO integrations (id, org_id, type, name, registry, secret_hash, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?)', [
        integrationId, orgId, 'distribution', 'lab', hashSecret(secret), Date.now(),
      ]);
      registry = await startRegistry({}, { notify: { url: `${server.url}/webhooks/distribution/${integrationId}`, authorization: `Bearer ${secret}` } });
    });

    after(async () => {
      await registry?.stop();
      await server?.close();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('analyses a pushed image of an activated repository', async () => {
      const repositoryId = await activate(registry.host, 'app/base', integrationId);
      await pushFixture(registry, 'debian-bookworm-base', 'app/base:v1');
      const expected = expectedImage('debian-bookworm-base');
      const [image] = await waitFor('the analysed image', async () => {
        const rows = await analysedImages(repositoryId);
        return rows.length > 0 ? rows : undefined;
      });
      assert.equal(image!.digest, expected.manifestDigest);
      assert.equal(image!.config_digest, expected.configDigest);
      assert.equal(image!.platform, 'linux/amd64');
      assert.equal(toNumber(image!.size), expected.layers.reduce((sum, layer) => sum + layer.size, 0) + configSize(expected.configDigest));
      const sbom = JSON.parse(String(image!.sbom)) as { packages: unknown[]; source: { layers: { diffId: string }[] } };
      const manifest = JSON.parse(readFileSync(join(SHARED, 'fixtures/manifests/debian-bookworm-base.json'), 'utf8')) as { packages: unknown[] };
      assert.equal(sbom.packages.length, manifest.packages.length);
      assert.deepEqual(sbom.source.layers.map((layer) => layer.diffId), expected.layers.map((layer) => layer.diffId));
      const counts = JSON.parse(String(image!.counts)) as Record<string, number>;
      for (const level of ['critical', 'high', 'medium', 'low', 'unspecified']) assert.equal(typeof counts[level], 'number', level);
      const tag = await sql().get('SELECT digest FROM tags WHERE repository_id = ? AND tag = ?', [repositoryId, 'v1']);
      assert.equal(tag?.digest, expected.manifestDigest);
      const evaluations = await sql().all('SELECT reason FROM evaluations WHERE image_id = ?', [String(image!.id)]);
      assert.deepEqual(evaluations.map((row) => row.reason), ['analysis']);
      const repo = await sql().get('SELECT last_pushed_at FROM repositories WHERE id = ?', [repositoryId]);
      assert.ok(toNumber(repo?.last_pushed_at) > 0);
    });

    it('stores the base image found in the catalog and the refreshed base it recommends', async () => {
      const repositoryId = await activate(registry.host, 'app/web', integrationId);
      await pushFixture(registry, 'app-bullseye', 'app/web:v1');
      const [image] = await waitFor('the analysed app image', async () => {
        const rows = await analysedImages(repositoryId);
        return rows.length > 0 ? rows : undefined;
      });
      const base = JSON.parse(String(image!.base_image)) as { ref: { repository: string; tag?: string; digest?: string } };
      assert.deepEqual(base.ref, { repository: 'docker.io/library/debian', tag: 'bullseye-slim', digest: expectedImage('debian-bullseye-base').manifestDigest });
      const stored = JSON.parse(String(image!.recommendations)) as { recommendations: { kind: string; ref: { digest?: string } }[] };
      const refreshed = stored.recommendations.find((recommendation) => recommendation.kind === 'refreshed');
      assert.equal(refreshed?.ref.digest, expectedImage('debian-bullseye-refreshed').manifestDigest);
    });

    it('gives the image detail API the base and refreshed base counts and changes `spyglass quickview` gives for the same image', async () => {
      const digest = expectedImage('app-bullseye').manifestDigest;
      const response = await fetch(`${server.url}/api/v1/orgs/acme/images/${digest}`, { headers: { authorization: `Bearer ${ownerToken}` } });
      assert.equal(response.status, 200);
      type Row = { kind: string; counts?: Counts; delta?: Counts; ref: { digest?: string } };
      const detail = (await response.json()) as { recommendations: { current?: { counts?: Counts }; recommendations: Row[] } | null };
      const apiBase = detail.recommendations?.current?.counts;
      const apiRefreshed = detail.recommendations?.recommendations.find((recommendation) => recommendation.kind === 'refreshed');
      assert.equal(apiRefreshed?.ref.digest, expectedImage('debian-bullseye-refreshed').manifestDigest);

      // The reference: the CLI on the same image (pulled from the same registry) with the server's catalog and database.
      const env = { SPYGLASS_DATA_DIR: dataDir, SPYGLASS_CACHE_DIR: join(dir, 'cli-cache'), CI: '1' };
      const quickview = runCli(['quickview', `registry://${registry.host}/app/web:v1`, '--format', 'json'], { env });
      assert.equal(quickview.status, 0, quickview.stderr);
      const cli = JSON.parse(quickview.stdout) as { base?: { name: string; counts?: Counts }; refreshed?: { digest?: string; counts?: Counts; delta?: Counts } };
      assert.equal(cli.base?.name, 'debian:bullseye-slim');
      assert.ok(cli.base?.counts !== undefined && cli.refreshed?.counts !== undefined && cli.refreshed.delta !== undefined, quickview.stdout);
      assert.deepEqual(apiBase, cli.base.counts);
      assert.deepEqual(apiRefreshed?.counts, cli.refreshed.counts);
      assert.deepEqual(apiRefreshed?.delta, cli.refreshed.delta);

      // The base's counts against the base fixture's own scan (as the recommendations tests check them), and not all zero.
      const cves = runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', 'debian-bullseye-base', '--format', 'json'], { env });
      assert.equal(cves.status, 0, cves.stderr);
      const findings = (JSON.parse(cves.stdout) as { vulnerabilities: { severity: string }[] }).vulnerabilities;
      assert.deepEqual(apiBase, Object.fromEntries(LEVELS.map((level) => [level, findings.filter((finding) => finding.severity === level).length])));
      assert.ok(findings.length > 0);
    });

    it('analyses a multi-platform push once per platform', async () => {
      const repositoryId = await activate(registry.host, 'app/multi', integrationId);
      await pushFixture(registry, 'multiarch', 'app/multi:latest', { all: true });
      const rows = await waitFor('two analysed platform images', async () => {
        const found = await analysedImages(repositoryId);
        return found.length === 2 ? found : undefined;
      });
      const amd64 = expectedImage('multiarch-amd64');
      const arm64 = expectedImage('multiarch-arm64');
      assert.deepEqual(rows.map((row: Row) => [row.platform, row.digest, row.config_digest, row.index_digest]), [
        ['linux/amd64', amd64.manifestDigest, amd64.configDigest, MULTIARCH_INDEX],
        ['linux/arm64/v8', arm64.manifestDigest, arm64.configDigest, MULTIARCH_INDEX],
      ]);
      for (const row of rows) assert.equal((JSON.parse(String(row.sbom)) as { packages: unknown[] }).packages.length, 3);
      // The index job did both; each platform was analysed once (one `analysis` evaluation per image).
      const evaluations = await sql().all(
        "SELECT e.image_id FROM evaluations e JOIN images i ON i.id = e.image_id WHERE i.repository_id = ? AND e.reason = 'analysis'", [repositoryId],
      );
      assert.equal(evaluations.length, 2);
      const indexJob = (await jobsOf(repositoryId)).find((job) => job.dedupe_key === `analyse:${repositoryId}:${MULTIARCH_INDEX}`);
      assert.equal(indexJob?.status, 'done');
    });

    it('records a push to a repository that is not activated, and analyses nothing', async () => {
      await pushFixture(registry, 'multiarch', 'other/seen:v1', { all: true });
      const repo = await waitFor('the repository seen', async () => {
        const row = await sql().get("SELECT * FROM repositories WHERE org_id = ? AND name = 'other/seen'", [orgId]);
        const tagged = row === undefined ? undefined : await sql().get("SELECT * FROM tags WHERE repository_id = ? AND tag = 'v1'", [String(row.id)]);
        return tagged === undefined ? undefined : row;
      });
      assert.equal(toNumber(repo.enabled), 0);
      assert.equal(repo.registry, registry.host);
      assert.deepEqual(await jobsOf(String(repo.id)), []);
      assert.deepEqual(await sql().all('SELECT id FROM images WHERE repository_id = ?', [String(repo.id)]), []);
    });

    it('refuses an image over the size limit with the reason on the job', async () => {
      const repositoryId = await activate(registry.host, 'app/big', integrationId);
      await pushFixture(registry, 'app-bookworm', 'app/big:v1');
      const job = await waitFor('the failed job', async () => (await jobsOf(repositoryId)).find((row) => row.status === 'failed'));
      assert.match(String(job.error), /over the image size limit of 36\.0 MB \(.*is 36\.\d MB\); not analysed/);
      assert.equal(toNumber(job.attempts), 1);
      assert.deepEqual(await analysedImages(repositoryId), []);
    });

    it('backfills a repository when it is activated, reusing the SBOM stored for the same config digest', async () => {
      const repo = (await sql().get("SELECT id FROM repositories WHERE org_id = ? AND name = 'other/seen'", [orgId]))!;
      const repositoryId = String(repo.id);
      const org = (await server.ctx.accounts.org('acme'))!;
      await setActivation(sql(), server.ctx.queue, org, null, repositoryId, true);
      const rows = await waitFor('the backfilled images', async () => {
        const found = await analysedImages(repositoryId);
        return found.length === 2 ? found : undefined;
      });
      assert.deepEqual(rows.map((row: Row) => row.index_digest), [MULTIARCH_INDEX, MULTIARCH_INDEX]);
      // The same images were analysed for app/multi: their SBOMs are reused (same creation time), only re-matched.
      const multi = (await sql().get("SELECT id FROM repositories WHERE org_id = ? AND name = 'app/multi'", [orgId]))!;
      const original = new Map((await analysedImages(String(multi.id))).map((row: Row) => [row.config_digest, JSON.parse(String(row.sbom)) as { createdAt: string }]));
      for (const row of rows) {
        const sbom = JSON.parse(String(row.sbom)) as { createdAt: string; source: { names: string[] } };
        assert.equal(sbom.createdAt, original.get(row.config_digest)?.createdAt);
        assert.deepEqual(sbom.source.names, [`${registry.host}/other/seen:v1`]);
      }
    });

    it('polls a registry without webhooks: repositories and tags seen, new digests of activated ones analysed', async () => {
      const beta = (await server.ctx.accounts.createOrg('beta', 'owner@beta.example')).org.id;
      const pollerId = randomUUID();
      await sql().run('INSERT INTO integrations (id, org_id, type, name, registry, poll_interval_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        pollerId, beta, 'poller', 'watch', registry.host, 3600, Date.now(),
      ]);
      // Activated by hand (no backfill job), so that only the poll can enqueue its analysis.
      const base = await sql().transaction((tx) => seeRepository(tx, beta, pollerId, registry.host, 'app/base'));
      await sql().run('UPDATE repositories SET enabled = 1, enabled_at = ? WHERE id = ?', [Date.now(), base.id]);
      const first = await pollIntegration(server.ctx, pollerId);
      assert.ok(first.repositories >= 4, JSON.stringify(first));
      assert.equal(first.enqueued, 1);
      const names = (await sql().all('SELECT name FROM repositories WHERE org_id = ? ORDER BY name', [beta])).map((row) => row.name);
      for (const name of ['app/base', 'app/big', 'app/multi', 'other/seen']) assert.ok(names.includes(name), name);
      const [image] = await waitFor('the polled image analysed', async () => {
        const found = await analysedImages(base.id);
        return found.length > 0 ? found : undefined;
      });
      assert.equal(image!.digest, expectedImage('debian-bookworm-base').manifestDigest);
      const again = await pollIntegration(server.ctx, pollerId);
      assert.deepEqual([again.recorded, again.enqueued], [0, 0]);
    });

    describe('webhook requests', () => {
      const envelope = readFileSync(join(SHARED, 'notes/events/push-oci-manifest-tagged.json'), 'utf8');

      it('answers a wrong or missing secret 401, an unknown integration 404, a malformed body 400, storing nothing', async () => {
        const before = await sql().get('SELECT (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM webhook_events) AS events');
        const wrong = await post(`/webhooks/distribution/${integrationId}`, envelope, { authorization: 'Bearer not-the-secret' });
        assert.equal(wrong.status, 401);
        assert.match(((await wrong.json()) as { error: string }).error, /wrong secret/);
        assert.equal((await post(`/webhooks/distribution/${integrationId}`, envelope, {})).status, 401);
        const unknown = await post(`/webhooks/distribution/${randomUUID()}`, envelope, { authorization: `Bearer ${secret}` });
        assert.equal(unknown.status, 404);
        assert.equal((await post(`/webhooks/harbor/${integrationId}`, envelope, { authorization: `Bearer ${secret}` })).status, 404);
        for (const body of ['{"events": ', '{"events": {}}', '[1, 2]']) {
          const bad = await post(`/webhooks/distribution/${integrationId}`, body, { authorization: `Bearer ${secret}` });
          assert.equal(bad.status, 400, body);
          assert.match(((await bad.json()) as { error: string }).error, /^distribution notification: /);
        }
        const large = await post(`/webhooks/distribution/${integrationId}`, `{"events": [], "pad": "${'x'.repeat(1024 * 1024)}"}`, { authorization: `Bearer ${secret}` });
        assert.equal(large.status, 413);
        const afterwards = await sql().get('SELECT (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM webhook_events) AS events');
        assert.deepEqual(afterwards, before);
      });

      it('takes the same event once, and a registry that is down fails the job after its retries with the reason', async () => {
        const port = await closedPort();
        const dead = await addIntegration('distribution', `127.0.0.1:${port}`);
        const repositoryId = await activate(`127.0.0.1:${port}`, 'demo/app', dead.id);
        const headers = { authorization: `Bearer ${dead.secret}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' };
        const first = await post(`/webhooks/distribution/${dead.id}`, envelope, headers);
        assert.equal(first.status, 202);
        assert.deepEqual(await first.json(), { accepted: 1, duplicates: 0, enqueued: 1, ignored: 0, rejected: [], skipped: [] });
        const again = await post(`/webhooks/distribution/${dead.id}`, envelope, headers);
        assert.deepEqual(await again.json(), { accepted: 0, duplicates: 1, enqueued: 0, ignored: 0, rejected: [], skipped: [] });
        const jobs = await jobsOf(repositoryId);
        assert.equal(jobs.length, 1);
        // Two attempts (the queue's first backoff is 2 s) instead of the default five, to keep the test short.
        await sql().run('UPDATE jobs SET max_attempts = 2 WHERE id = ?', [String(jobs[0]!.id)]);
        const failed = await waitFor('the job to fail', async () => {
          const job = await server.ctx.queue.get(String(jobs[0]!.id));
          return job?.status === 'failed' ? job : undefined;
        }, 20_000);
        assert.equal(failed.attempts, 2);
        assert.match(failed.error ?? '', new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
      });

      it('takes Harbor and Artifactory pushes with their own auth headers', async () => {
        const harbor = await addIntegration('harbor', '127.0.0.1:1');
        const body = JSON.stringify({
          type: 'PUSH_ARTIFACT', occur_at: 1680501893, operator: 'admin',
          event_data: {
            resources: [{ digest: `sha256:${'a'.repeat(64)}`, tag: 'v1', resource_url: 'harbor.example.com/team/app:v1' }],
            repository: { name: 'app', namespace: 'team', repo_full_name: 'team/app', repo_type: 'private' },
          },
        });
        for (const authorization of [harbor.secret, `Bearer ${harbor.secret}`]) {
          const response = await post(`/webhooks/harbor/${harbor.id}`, body, { authorization });
          assert.equal(response.status, 202);
        }
        const seen = await sql().get("SELECT r.registry, t.digest FROM repositories r JOIN tags t ON t.repository_id = r.id WHERE r.integration_id = ? AND r.name = 'team/app'", [harbor.id]);
        assert.deepEqual(seen, { registry: '127.0.0.1:1', digest: `sha256:${'a'.repeat(64)}` });

        const artifactory = await addIntegration('artifactory', null);
        const pushed = JSON.stringify({
          domain: 'docker', event_type: 'pushed', jpd_origin: 'https://acme.jfrog.io',
          data: { repo_key: 'docker-local', path: 'team/app/v1/manifest.json', name: 'manifest.json', sha256: 'b'.repeat(64), size: 900, image_name: 'team/app', tag: 'v1' },
        });
        assert.equal((await post(`/webhooks/artifactory/${artifactory.id}`, pushed, { 'x-jfrog-event-auth': artifactory.secret })).status, 202);
        const signed = await post(`/webhooks/artifactory/${artifactory.id}`, pushed, { 'x-jfrog-event-auth': 'c'.repeat(64) });
        assert.equal(signed.status, 401);
        assert.match(((await signed.json()) as { error: string }).error, /use secret for signing/);
        const jfrog = await sql().get('SELECT registry, name FROM repositories WHERE integration_id = ?', [artifactory.id]);
        assert.deepEqual(jfrog, { registry: 'acme.jfrog.io', name: 'docker-local/team/app' });
      });
    });
  });
}

/** The config blob's size, from the fixture OCI layout (the blob is named by its digest). */
function configSize(digest: string): number {
  return readFileSync(join(SHARED, 'fixtures/images/oci/blobs/sha256', digest.slice('sha256:'.length))).length;
}
