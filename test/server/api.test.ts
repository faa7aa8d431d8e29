// The control plane's REST API against a real server on loopback: every endpoint, the stored image
// results (a real SBOM of the app-bullseye fixture scanned against the fixture database), bad input,
// and the OpenAPI document agreeing exactly with the routes the app registers. The same suite runs on
// SQLite and on a real PostgreSQL server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { buildApp, OPENAPI_DOCUMENT } from '../../src/server/http/app.ts';
import { analyseSbom, saveResult, type AnalysisResult } from '../../src/server/results.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { expectedImage } from '../helpers/fixtures.ts';
import { fixtureImageSbom } from '../helpers/sbom.ts';
import { call, startTestServer, TEST_BODY_LIMIT, type TestServer } from './api-server.ts';

const IMAGE = 'app-bullseye';
const expected = expectedImage(IMAGE);
const expectedPackages = (expected as unknown as { packages: { purl: string; name: string; version: string }[] }).packages;

/** The fixture image catalogued and matched against the fixture database, once for both databases. */
let analysed: Promise<{ sbom: Sbom; result: AnalysisResult }> | undefined;
function analyseFixture(): Promise<{ sbom: Sbom; result: AnalysisResult }> {
  analysed ??= (async () => {
    const sbom = await fixtureImageSbom(IMAGE);
    const store = SqliteAdvisoryStore.open(fixtureDatabase());
    try {
      return { sbom, result: await analyseSbom(sbom, store) };
    } finally {
      await store.close();
    }
  })();
  return analysed;
}

function apiSuite(database: 'SQLite' | 'PostgreSQL', skip: string | undefined): void {
  describe(`server API (${database})`, { skip }, () => {
    let server: TestServer;
    let postgres: PostgresServer | undefined;
    let base: string;
    let token: string;
    let orgId: string;
    let repositoryId: string;
    let sbom: Sbom;
    let result: AnalysisResult;
    const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) => call(base, method, path, { token, ...options });

    before(async () => {
      if (database === 'PostgreSQL') postgres = await startPostgres();
      server = await startTestServer(postgres !== undefined ? { databaseUrl: await postgres.createDatabase('api') } : {});
      base = server.url;
      const created = await server.ctx.accounts.createOrg('acme', 'owner@acme.test');
      token = created.token;
      orgId = created.org.id;
      // A real SBOM and report: the fixture image catalogued, its SBOM matched against the fixture database.
      ({ sbom, result } = await analyseFixture());
      const sql = server.ctx.sql;
      repositoryId = randomUUID();
      const imageId = randomUUID();
      const pushedAt = Date.parse('2026-01-02T03:04:05Z');
      await sql.transaction(async (tx) => {
        await tx.run('INSERT INTO repositories (id, org_id, registry, name, enabled, last_pushed_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [
          repositoryId, orgId, 'registry.acme.test:5000', 'team/app', pushedAt, pushedAt,
        ]);
        await tx.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          imageId, orgId, repositoryId, expected.manifestDigest, expected.configDigest, expected.platform, pushedAt,
        ]);
        for (const tag of ['1.0', 'latest']) {
          await tx.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, tag, expected.manifestDigest, pushedAt]);
        }
        await saveResult(tx, imageId, sbom, result, null);
        await tx.run("INSERT INTO evaluations (id, image_id, at, generation, reason, added, removed, changed) VALUES (?, ?, ?, 7, 'database update', ?, '[]', '[]')", [
          randomUUID(), imageId, pushedAt + 1000, JSON.stringify([{ id: 'CVE-2099-0001', package: 'lodash', severity: 'high' }]),
        ]);
      });
    });
    after(async () => {
      await server?.stop();
      await postgres?.stop();
    });

    it('answers /healthz without a token, and /metrics in the Prometheus format', async () => {
      const health = await call(base, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok', database: database === 'SQLite' ? 'sqlite' : 'postgres' });
      await api('GET', '/api/v1/orgs/acme/repositories');
      const metrics = await call(base, 'GET', '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.contentType, /^text\/plain/);
      assert.match(metrics.text, /^spyglass_http_requests_total\{method="GET",route="\/api\/v1\/orgs\/:org\/repositories",status="200"\} [1-9]/m);
      assert.match(metrics.text, /^spyglass_jobs\{status="queued"\} \d+$/m);
      assert.match(metrics.text, /^spyglass_images_analysed 1$/m);
      assert.match(metrics.text, /^spyglass_webhook_events 0$/m);
    });

    it('lists images with repository, tags, digest, platform, times and severity counts', async () => {
      const answer = await api('GET', '/api/v1/orgs/acme/images');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.images.length, 1);
      const [image] = answer.body.images;
      assert.equal(image.repository, 'registry.acme.test:5000/team/app');
      assert.deepEqual(image.tags, ['1.0', 'latest']);
      assert.equal(image.digest, expected.manifestDigest);
      assert.equal(image.platform, 'linux/amd64');
      assert.equal(image.pushedAt, '2026-01-02T03:04:05.000Z');
      assert.match(image.analysedAt, /^\d{4}-\d\d-\d\dT/);
      // The counts are the unsuppressed findings of the stored report, by severity.
      const byLevel = { critical: 0, high: 0, medium: 0, low: 0, unspecified: 0 } as Record<string, number>;
      for (const finding of result.report.findings) if (!finding.suppressed) byLevel[finding.rating?.level ?? 'unspecified']! += 1;
      assert.deepEqual(image.vulnerabilities, byLevel);
      assert.ok(byLevel.high! > 0);
      const filtered = await api('GET', '/api/v1/orgs/acme/images?repository=registry.acme.test:5000/team/app');
      assert.equal(filtered.body.images.length, 1);
      const byId = await api('GET', `/api/v1/orgs/acme/images?repository=${repositoryId}`);
      assert.equal(byId.body.images.length, 1);
      const unknown = await api('GET', '/api/v1/orgs/acme/images?repository=registry.acme.test:5000/other');
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error, /no such repository/);
    });

    it('shows one image: packages as the fixture manifest lists them, findings, layers, evaluation history', async () => {
      const answer = await api('GET', `/api/v1/orgs/acme/images/${expected.manifestDigest}`);
      assert.equal(answer.status, 200);
      const image = answer.body;
      assert.equal(image.configDigest, expected.configDigest);
      assert.deepEqual(image.layers.map((layer: { digest: string; diffId: string; size: number }) => [layer.digest, layer.diffId, layer.size]),
        expected.layers.map((layer) => [layer.digest, layer.diffId, layer.size]));
      // The ecosystem as the purl names it (the manifest's own `type` says python where purls say pypi).
      const key = (p: { purl: string; name: string; version: string }) => `${p.purl.split('/')[0]} ${p.name} ${p.version}`;
      assert.deepEqual(new Set(image.packages.map(key)), new Set(expectedPackages.map(key)));
      // lodash 4.17.15 has GHSA-35jh-r3h4-6jhm (CVE-2021-23337), rated high by GHSA, fixed in 4.17.21 (the OSV record in ../shared/data).
      const lodash = image.findings.find((f: { package: string; id: string; aliases: string[] }) => f.package === 'lodash' && (f.id === 'CVE-2021-23337' || f.aliases.includes('CVE-2021-23337')));
      assert.ok(lodash, 'lodash CVE-2021-23337 listed');
      assert.equal(lodash.version, '4.17.15');
      assert.equal(lodash.severity, 'high');
      assert.equal(lodash.fixedVersion, '4.17.21');
      assert.equal(lodash.status, 'fixed');
      assert.equal(image.findings.length, result.report.findings.length);
      assert.deepEqual(image.evaluations, [{
        at: '2026-01-02T03:04:06.000Z', reason: 'database update', generation: 7,
        added: [{ id: 'CVE-2099-0001', package: 'lodash', severity: 'high' }], removed: [], changed: [],
      }]);
      assert.equal(image.recommendations, null);
      const missing = await api('GET', '/api/v1/orgs/acme/images/sha256:0000000000000000000000000000000000000000000000000000000000000000');
      assert.equal(missing.status, 404);
      assert.match(missing.body.error, /^image sha256:0+ not found$/);
      // An index digest names no single image: the answer lists the platform images it holds.
      const index = `sha256:${'1'.repeat(64)}`;
      const arm = `sha256:${'2'.repeat(64)}`;
      await server.ctx.sql.run('INSERT INTO images (id, org_id, repository_id, digest, index_digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        randomUUID(), orgId, repositoryId, arm, index, 'linux/arm64', Date.now(),
      ]);
      const byIndex = await api('GET', `/api/v1/orgs/acme/images/${index}`);
      assert.equal(byIndex.status, 404);
      assert.equal(byIndex.body.error, `image ${index} is a multi-platform index; ask for one of its images: linux/arm64 ${arm}`);
      const bad = await api('GET', '/api/v1/orgs/acme/images/not-a-digest');
      assert.equal(bad.status, 400);
    });

    it('lists, adds and activates repositories, enqueueing a backfill, and refuses activation beyond the limit with 409', async () => {
      const listed = await api('GET', '/api/v1/orgs/acme/repositories');
      assert.equal(listed.status, 200);
      assert.equal(listed.body.limit, 3);
      assert.equal(listed.body.plan, 'free');
      assert.equal(listed.body.activated, 1);
      assert.deepEqual(listed.body.repositories.map((r: { repository: string; enabled: boolean }) => [r.repository, r.enabled]), [['registry.acme.test:5000/team/app', true]]);
      assert.equal(listed.body.repositories[0].lastPushedAt, '2026-01-02T03:04:05.000Z');

      const ids: string[] = [];
      for (const name of ['a', 'b', 'c']) {
        const added = await api('POST', '/api/v1/orgs/acme/repositories', { body: { registry: 'https://Registry.Acme.Test:5000/', name } });
        assert.equal(added.status, 201);
        assert.equal(added.body.repository, `registry.acme.test:5000/${name}`);
        assert.equal(added.body.enabled, false);
        ids.push(added.body.id);
      }
      const again = await api('POST', '/api/v1/orgs/acme/repositories', { body: { registry: 'registry.acme.test:5000', name: 'a' } });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, ids[0]);

      for (const id of ids.slice(0, 2)) {
        const activated = await api('PUT', `/api/v1/orgs/acme/repositories/${id}/activation`);
        assert.equal(activated.status, 200);
        assert.equal(activated.body.enabled, true);
      }
      const jobs = await api('GET', '/api/v1/orgs/acme/jobs?kind=backfill');
      assert.deepEqual(jobs.body.jobs.map((job: { payload: { repositoryId: string } }) => job.payload.repositoryId).sort(), ids.slice(0, 2).sort());
      assert.ok(jobs.body.jobs.every((job: { status: string; attempts: number }) => job.status === 'queued' && job.attempts === 0));

      const refused = await api('PUT', `/api/v1/orgs/acme/repositories/${ids[2]}/activation`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'organization acme already has 3 activated repositories, the limit of its plan "free"; deactivate one, or raise the limit with `spyglass admin set-plan`');
      assert.equal((await api('GET', '/api/v1/orgs/acme/repositories')).body.activated, 3);
      assert.equal((await api('GET', '/api/v1/orgs/acme/jobs?kind=backfill')).body.jobs.length, 2);

      const off = await api('DELETE', `/api/v1/orgs/acme/repositories/${ids[0]}/activation`);
      assert.equal(off.status, 200);
      assert.equal(off.body.enabled, false);
      assert.equal((await api('PUT', `/api/v1/orgs/acme/repositories/${ids[2]}/activation`)).status, 200);
      // Activating an active repository again is a no-op (no second backfill).
      assert.equal((await api('PUT', `/api/v1/orgs/acme/repositories/${ids[2]}/activation`)).status, 200);
      assert.equal((await api('GET', '/api/v1/orgs/acme/jobs?kind=backfill')).body.jobs.length, 3);
      await api('DELETE', `/api/v1/orgs/acme/repositories/${ids[2]}/activation`);

      assert.equal((await api('PUT', '/api/v1/orgs/acme/repositories/no-such-id/activation')).status, 404);
      const badName = await api('POST', '/api/v1/orgs/acme/repositories', { body: { registry: 'registry.acme.test', name: 'Team/App' } });
      assert.equal(badName.status, 400);
      assert.match(badName.body.error, /^repository name "Team\/App"/);
    });

    it('shows a job by id with its status, attempts and error, only in its organization', async () => {
      const { id } = await server.ctx.queue.enqueue({ kind: 'analyse', orgId, payload: { digest: expected.manifestDigest } });
      const job = await api('GET', `/api/v1/orgs/acme/jobs/${id}`);
      assert.equal(job.status, 200);
      assert.equal(job.body.kind, 'analyse');
      assert.equal(job.body.status, 'queued');
      assert.equal(job.body.attempts, 0);
      assert.equal(job.body.error, null);
      const foreign = await server.ctx.queue.enqueue({ kind: 'analyse', orgId: 'someone-else', payload: {} });
      assert.equal((await api('GET', `/api/v1/orgs/acme/jobs/${foreign.id}`)).status, 404);
      assert.equal((await api('GET', '/api/v1/orgs/acme/jobs?status=sleeping')).status, 400);
    });

    it('adds integrations: webhook URL and secret once, credentials encrypted, a poller needs its registry', async () => {
      const created = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'distribution', name: 'lab', username: 'bot', password: 'hunter2' } });
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body).sort(), ['id', 'secret', 'webhookUrl']);
      assert.equal(created.body.webhookUrl, `${base}/webhooks/distribution/${created.body.id}`);
      assert.match(created.body.secret, /^[A-Za-z0-9_-]{43}$/);
      const row = await server.ctx.sql.get<{ secret_hash: string; credentials: string }>('SELECT secret_hash, credentials FROM integrations WHERE id = ?', [created.body.id]);
      assert.ok(!JSON.stringify(row).includes(created.body.secret));
      assert.ok(!row!.credentials.includes('hunter2'));
      const { integrationById } = await import('../../src/server/integrations.ts');
      const full = await integrationById(server.ctx.sql, created.body.id, { secretKey: server.ctx.options.secretKey });
      assert.deepEqual(full?.credentials, { username: 'bot', password: 'hunter2' });
      assert.equal(full?.orgId, orgId);

      const listed = await api('GET', '/api/v1/orgs/acme/integrations');
      assert.equal(listed.body.integrations.length, 1);
      assert.equal(listed.body.integrations[0].hasCredentials, true);
      assert.ok(!listed.text.includes(created.body.secret) && !listed.text.includes('hunter2'));

      const duplicate = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'harbor', name: 'lab' } });
      assert.equal(duplicate.status, 409);
      const poller = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'poller', name: 'poll' } });
      assert.equal(poller.status, 400);
      assert.equal(poller.body.error, 'a poller integration needs the registry it lists (registry)');
      const polling = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'poller', name: 'poll', registry: 'http://127.0.0.1:5000', pollIntervalSeconds: 60 } });
      assert.deepEqual([polling.status, polling.body.webhookUrl, polling.body.secret], [201, null, null]);
      const unknownType = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'quay', name: 'q' } });
      assert.equal(unknownType.body.error, 'type "quay": expected one of distribution, harbor, artifactory, poller');
      const typo = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'harbor', name: 'h', passwd: 'x' } });
      assert.equal(typo.status, 400);
      assert.match(typo.body.error, /^unknown field "passwd"/);

      // Without the operator's key, credentials are refused with a clear message, and nothing is stored.
      const key = server.ctx.options.secretKey;
      delete server.ctx.options.secretKey;
      try {
        const refused = await api('POST', '/api/v1/orgs/acme/integrations', { body: { type: 'harbor', name: 'nokey', username: 'u', password: 'p' } });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, 'registry credentials cannot be stored: the server has no secret key (start it with --secret-key-file or SPYGLASS_SECRET_KEY)');
        const noKeyTarget = await api('POST', '/api/v1/orgs/acme/notifications', { body: { url: 'https://hooks.acme.test/x' } });
        assert.equal(noKeyTarget.status, 400);
        assert.match(noKeyTarget.body.error, /no secret key/);
      } finally {
        server.ctx.options.secretKey = key!;
      }
      assert.equal((await api('GET', '/api/v1/orgs/acme/integrations')).body.integrations.length, 2);

      assert.equal((await api('DELETE', `/api/v1/orgs/acme/integrations/${polling.body.id}`)).status, 204);
      const unknown = await api('DELETE', `/api/v1/orgs/acme/integrations/${polling.body.id}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, `integration ${polling.body.id} not found`);
    });

    it('adds, lists and removes notification targets; a webhook gets a signing secret once', async () => {
      const hook = await api('POST', '/api/v1/orgs/acme/notifications', { body: { url: 'https://hooks.acme.test/spyglass' } });
      assert.equal(hook.status, 201);
      assert.match(hook.body.secret, /^[A-Za-z0-9_-]{43}$/);
      const slack = await api('POST', '/api/v1/orgs/acme/notifications', { body: { url: 'https://hooks.slack.test/T/B/X', kind: 'slack', repository: 'registry.acme.test:5000/team/app' } });
      assert.equal(slack.status, 201);
      assert.equal(slack.body.secret, null);
      const listed = await api('GET', '/api/v1/orgs/acme/notifications');
      assert.deepEqual(listed.body.targets.map((t: { kind: string; url: string; repository?: string }) => [t.kind, t.url, t.repository ?? null]), [
        ['webhook', 'https://hooks.acme.test/spyglass', null],
        ['slack', 'https://hooks.slack.test/T/B/X', 'registry.acme.test:5000/team/app'],
      ]);
      assert.ok(!listed.text.includes(hook.body.secret));
      const { targetsFor } = await import('../../src/server/notifications-store.ts');
      const targets = await targetsFor(server.ctx.sql, server.ctx.options.secretKey, orgId, repositoryId);
      assert.equal(targets.find((t) => t.kind === 'webhook')?.secret, hook.body.secret);
      assert.equal((await api('POST', '/api/v1/orgs/acme/notifications', { body: { url: 'ftp://x' } })).status, 400);
      assert.equal((await api('POST', '/api/v1/orgs/acme/notifications', { body: { url: 'https://x.test', repository: 'nope/nope' } })).status, 400);
      assert.equal((await api('DELETE', `/api/v1/orgs/acme/notifications/${slack.body.id}`)).status, 204);
      assert.equal((await api('DELETE', `/api/v1/orgs/acme/notifications/${slack.body.id}`)).status, 404);
    });

    it('manages members and tokens; a created token works, a revoked one does not; the last owner stays', async () => {
      const put = await api('PUT', '/api/v1/orgs/acme/members', { body: { email: 'Dev@Acme.test', role: 'editor' } });
      assert.deepEqual([put.status, put.body], [200, { email: 'dev@acme.test', role: 'editor' }]);
      const members = await api('GET', '/api/v1/orgs/acme/members');
      assert.deepEqual(members.body.members.map((m: { email: string; role: string }) => [m.email, m.role]), [['dev@acme.test', 'editor'], ['owner@acme.test', 'owner']]);
      const lastOwner = await api('PUT', '/api/v1/orgs/acme/members', { body: { email: 'owner@acme.test', role: 'member' } });
      assert.equal(lastOwner.status, 409);
      assert.equal((await api('DELETE', '/api/v1/orgs/acme/members/owner@acme.test')).status, 409);

      const created = await api('POST', '/api/v1/orgs/acme/tokens', { body: { name: 'ci', email: 'dev@acme.test' } });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^spy_/);
      const me = await call(base, 'GET', '/api/v1/me', { token: created.body.token });
      assert.deepEqual(me.body, { org: 'acme', email: 'dev@acme.test', role: 'editor' });
      const tokens = await api('GET', '/api/v1/orgs/acme/tokens');
      const listed = tokens.body.tokens.find((t: { id: string }) => t.id === created.body.id);
      assert.deepEqual([listed.name, listed.email, listed.revokedAt], ['ci', 'dev@acme.test', null]);
      assert.ok(!tokens.text.includes(created.body.token));
      assert.equal((await api('DELETE', `/api/v1/orgs/acme/tokens/${created.body.id}`)).status, 204);
      assert.equal((await call(base, 'GET', '/api/v1/orgs/acme/images', { token: created.body.token })).status, 401);
      assert.equal((await api('DELETE', `/api/v1/orgs/acme/tokens/${created.body.id}`)).status, 404);

      assert.equal((await api('DELETE', '/api/v1/orgs/acme/members/dev@acme.test')).status, 204);
      assert.equal((await api('DELETE', '/api/v1/orgs/acme/members/dev@acme.test')).status, 404);
      assert.equal((await api('PUT', '/api/v1/orgs/acme/members', { body: { email: 'x@acme.test', role: 'admin' } })).status, 400);
    });

    it('answers bad input with one JSON line: malformed JSON 400, body over the limit 413, wrong type 415, unknown route 404', async () => {
      const malformed = await api('POST', '/api/v1/orgs/acme/repositories', { raw: '{"registry": ' });
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.error, /^malformed JSON body/);
      const large = await api('POST', '/api/v1/orgs/acme/repositories', { body: { registry: 'r.test', name: 'x'.repeat(TEST_BODY_LIMIT) } });
      assert.equal(large.status, 413);
      assert.equal(large.body.error, 'request body is larger than the server accepts');
      const text = await api('POST', '/api/v1/orgs/acme/repositories', { raw: '<registry/>', contentType: 'application/xml' });
      assert.equal(text.status, 415);
      assert.ok(typeof text.body.error === 'string' && !text.body.error.includes('\n'));
      const notObject = await api('POST', '/api/v1/orgs/acme/repositories', { body: ['r.test', 'x'] });
      assert.deepEqual([notObject.status, notObject.body], [400, { error: 'expected a JSON object as the request body' }]);
      const missing = await api('POST', '/api/v1/orgs/acme/repositories', { body: { registry: 'r.test' } });
      assert.deepEqual(missing.body, { error: 'name: required, a non-empty string' });
      const route = await call(base, 'GET', '/api/v1/nothing');
      assert.deepEqual([route.status, route.body], [404, { error: 'no route GET /api/v1/nothing' }]);
      const webhook = await call(base, 'POST', `/webhooks/distribution/${randomUUID()}`, { body: { events: [] }, headers: { authorization: 'Bearer x' } });
      assert.equal(webhook.status, 404);
      assert.equal(typeof webhook.body.error, 'string');
      for (const answer of [malformed, large, text, route]) assert.deepEqual(Object.keys(answer.body), ['error']);
    });

    it('serves an OpenAPI 3.1 document whose paths and methods are exactly the registered routes', async () => {
      const served = await call(base, 'GET', '/api/v1/openapi.json');
      assert.equal(served.status, 200);
      assert.equal(served.body.openapi, '3.1.0');
      const registered: string[] = [];
      const app = buildApp(server.ctx, { onRoute: (method, url) => registered.push(`${method} ${url.replace(/:([A-Za-z]+)/g, '{$1}')}`) });
      await app.ready();
      await app.close();
      const documented: string[] = [];
      for (const [path, operations] of Object.entries(OPENAPI_DOCUMENT.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(operations)) documented.push(`${method.toUpperCase()} ${path}`);
      }
      assert.deepEqual([...new Set(registered)].sort(), documented.sort());
      // Every $ref resolves.
      const schemas = (OPENAPI_DOCUMENT.components as { schemas: Record<string, unknown> }).schemas;
      for (const [, name] of JSON.stringify(OPENAPI_DOCUMENT).matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) assert.ok(schemas[name!], `schema ${name}`);
    });
  });
}

apiSuite('SQLite', undefined);
apiSuite('PostgreSQL', postgresUnavailable());
