// Organization policies on the server: the document through the API (roles, a bad document refused
// whole), evaluation stored with each analysis, and a re-evaluation after an extra advisory (an OSV
// record written here, ingested with updateDatabase) that turns a met policy into a failed one and
// notifies a receiver this test runs. Real parts: the fixture images' SBOMs and config (catalogued and
// read from the fixture OCI layout, stored as the server stores them; no registry), the vulnerability
// database built from the shared feeds. Expected verdicts by hand: the fixtures run as root (the image
// config sets no User), so non-root-user fails; the organization's blocked id is one no real feed has,
// so it is met until the test's advisory names it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
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
import { imageFacts } from '../../src/policy/facts.ts';
import type { PolicyResult } from '../../src/policy/model.ts';
import { startWorker } from '../../src/server/jobs/worker.ts';
import { notifyHandler } from '../../src/server/notify.ts';
import { evaluateImagePolicies } from '../../src/server/policies.ts';
import { reevaluateImage } from '../../src/server/reevaluate.ts';
import { analyseSbom, saveResult } from '../../src/server/results.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { acmeWithRoles, call, startTestServer, type TestServer } from './api-server.ts';

const NEW_CVE = 'CVE-2099-50505';
const BLOCKED = 'Blocked CVEs';
const DOCUMENT = { policies: [{ type: 'high-profile', name: BLOCKED, kev: false, ids: [NEW_CVE] }, { type: 'non-root-user' }] };

describe('organization policies on the server', () => {
  const root = mkdtempSync(join(tmpdir(), 'spyglass-policies-'));
  const cacheDir = join(root, 'cache');
  let server: TestServer;
  const tokens = {} as Record<'owner' | 'editor' | 'member', string>;
  let orgId: string;
  const images = new Map<string, { sbom: Sbom; facts: string }>();

  before(async () => {
    server = await startTestServer();
    copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(server.dataDir, 'spyglass.db'));
    const accounts = server.ctx.accounts;
    const acme = await acmeWithRoles(accounts);
    orgId = acme.orgId;
    Object.assign(tokens, acme.tokens);
    for (const name of ['app-bookworm', 'debian-bullseye-base']) {
      const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir, ref: name });
      try {
        images.set(name, { sbom: await catalogImage(image, { cacheDir }), facts: JSON.stringify(await imageFacts(image)) });
      } finally {
        await image.close();
      }
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const api = (who: keyof typeof tokens, method: string, body?: unknown) =>
    call(server.url, method, '/api/v1/orgs/acme/policies', { token: tokens[who], ...(body !== undefined ? { body } : {}) });

  it('reads the defaults, lets Editors and Owners replace the document and refuses a bad one whole', async () => {
    const defaults = await api('member', 'GET');
    assert.equal(defaults.status, 200);
    assert.equal(defaults.body.source, 'default');
    assert.ok(defaults.body.policies.some((policy: { type: string }) => policy.type === 'fixable-critical-high'));

    assert.equal((await api('member', 'PUT', DOCUMENT)).status, 403);
    const owner = await api('owner', 'PUT', { policies: [{ type: 'copyleft' }] });
    assert.equal(owner.status, 200, owner.text);
    const editor = await api('editor', 'PUT', DOCUMENT);
    assert.equal(editor.status, 200, editor.text);
    assert.deepEqual(editor.body.evaluated, [BLOCKED, 'Default non-root user']);

    const unknownType = await api('editor', 'PUT', { policies: [{ type: 'no-such-policy' }] });
    assert.equal(unknownType.status, 400);
    assert.match(unknownType.body.error, /^policy document: policies\[0\]\.type: unknown policy type "no-such-policy"/);
    assert.doesNotMatch(unknownType.body.error, /\n/);
    const badLicence = await api('owner', 'PUT', { policies: [{ type: 'copyleft', licenses: ['GPL-3.0-only', 'Not A Licence'] }] });
    assert.equal(badLicence.status, 400);
    assert.match(badLicence.body.error, /policies\[0\]\.licenses\[1\]: "Not A Licence" is not an SPDX licence id/);
    assert.equal((await api('owner', 'PUT', [DOCUMENT])).status, 400);

    const stored = await api('member', 'GET');
    assert.equal(stored.body.source, 'organization');
    assert.deepEqual(stored.body.policies, DOCUMENT.policies, 'the refused documents left the stored one as it was');
  });

  it('evaluates the policies with each analysis, shows the counts and trend, and notifies when a re-evaluation fails one', async () => {
    const sql = server.ctx.sql;
    const dataDir = server.dataDir;
    const repositoryId = randomUUID();
    const now = Date.now();
    await sql.run('INSERT INTO repositories (id, org_id, registry, name, enabled, enabled_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [
      repositoryId, orgId, 'registry.acme.test', 'app', now, now,
    ]);
    // An older image of the repository (the bullseye base), then the current one (bookworm app), tagged latest.
    const store = SqliteAdvisoryStore.open(dataDir);
    const ids: Record<string, string> = {};
    try {
      for (const [name, pushedAt] of [['debian-bullseye-base', now - 60_000], ['app-bookworm', now]] as const) {
        const id = randomUUID();
        const expected = expectedImage(name);
        const { sbom, facts } = images.get(name)!;
        await sql.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at, image_facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          id, orgId, repositoryId, expected.manifestDigest, expected.configDigest, expected.platform, pushedAt, facts,
        ]);
        const result = await analyseSbom(sbom, store);
        // What writeImage does after saving an analysis.
        await sql.transaction(async (tx) => {
          await saveResult(tx, id, sbom, result, databaseGeneration(dataDir)?.generation ?? null);
          await evaluateImagePolicies(tx, id, result.report, 'analysis');
        });
        ids[name] = id;
      }
    } finally {
      await store.close();
    }
    const app = expectedImage('app-bookworm').manifestDigest;
    await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, 'latest', app, now]);

    const storedRow = await sql.get<{ policy: string }>('SELECT policy FROM images WHERE id = ?', [ids['app-bookworm']!]);
    const stored = JSON.parse(storedRow!.policy) as PolicyResult[];
    assert.deepEqual(stored.map((result) => [result.name, result.status]), [[BLOCKED, 'met'], ['Default non-root user', 'failed']]);
    assert.equal((await sql.all('SELECT id FROM policy_evaluations WHERE image_id = ?', [ids['app-bookworm']!])).length, 1);

    const list = await call(server.url, 'GET', '/api/v1/orgs/acme/images', { token: tokens.member });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.images.map((image: { digest: string; policy: unknown }) => [image.digest, image.policy]), [
      [app, { met: 1, total: 2, unknown: 0 }],
      [expectedImage('debian-bullseye-base').manifestDigest, { met: 1, total: 2, unknown: 0 }],
    ]);
    const detail = await call(server.url, 'GET', `/api/v1/orgs/acme/images/${app}`, { token: tokens.member });
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body.policies.map((result: PolicyResult) => result.status), ['met', 'failed']);
    assert.equal(detail.body.policyTrend.against, expectedImage('debian-bullseye-base').manifestDigest);
    assert.deepEqual(detail.body.policyTrend.policies.map((delta: { name: string; change: string }) => [delta.name, delta.change]), [
      [BLOCKED, 'unchanged'], ['Default non-root user', 'unchanged'],
    ]);

    // A receiver for the organization's webhook.
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    await sql.run('INSERT INTO notification_targets (id, org_id, repository_id, kind, url, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      randomUUID(), orgId, null, 'webhook', `http://127.0.0.1:${port}/hook`, null, Date.now(),
    ]);
    const worker = startWorker(server.ctx.queue, { handlers: { notify: notifyHandler(server.ctx) }, pollMs: 50 });
    try {
      // The extra advisory: zlib (in the bookworm image), the organization's blocked id, no severity, no fix.
      const extra = join(root, 'extra-osv');
      mkdirSync(extra);
      writeFileSync(join(extra, `DEBIAN-${NEW_CVE}.json`), JSON.stringify({
        schema_version: '1.6.0', id: `DEBIAN-${NEW_CVE}`, aliases: [NEW_CVE], modified: '2026-11-20T00:00:00Z', published: '2026-11-20T00:00:00Z',
        summary: 'zlib: test-only advisory', affected: [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
      }));
      await updateDatabase(dataDir, [{ name: 'osv', location: extra }], { openInput: openFeedInput, cacheDir });
      const generation = databaseGeneration(dataDir)?.generation ?? 1;
      const reopened = SqliteAdvisoryStore.open(dataDir);
      try {
        await reevaluateImage(server.ctx, reopened, ids['app-bookworm']!, generation);
      } finally {
        await reopened.close();
      }
      worker.wake();
      const deadline = Date.now() + 30_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await worker.stop();
      await new Promise((resolve) => receiver.close(resolve));
    }
    assert.equal(received.length, 1);
    const body = JSON.parse(received[0]!) as { added: string[]; policies: string[]; digest: string; tag: string };
    assert.deepEqual(body.policies, [BLOCKED]);
    assert.ok(body.added.includes(NEW_CVE), 'the added vulnerability is still reported');
    assert.equal(body.digest, app);
    assert.equal(body.tag, 'latest');

    assert.equal((await sql.all('SELECT id FROM policy_evaluations WHERE image_id = ?', [ids['app-bookworm']!])).length, 2, 'history: the analysis and the re-evaluation');
    const afterList = await call(server.url, 'GET', '/api/v1/orgs/acme/images', { token: tokens.member });
    assert.deepEqual(afterList.body.images.find((image: { digest: string }) => image.digest === app).policy, { met: 0, total: 2, unknown: 0 });
    const afterDetail = await call(server.url, 'GET', `/api/v1/orgs/acme/images/${app}`, { token: tokens.member });
    const blocked = afterDetail.body.policies.find((result: PolicyResult) => result.name === BLOCKED) as PolicyResult;
    assert.equal(blocked.status, 'failed');
    assert.ok(blocked.violations.some((violation) => violation.vulnerability === NEW_CVE));
    assert.deepEqual(afterDetail.body.policyTrend.policies.map((delta: { name: string; change: string }) => [delta.name, delta.change]), [
      [BLOCKED, 'worse'], ['Default non-root user', 'unchanged'],
    ]);
  });
});
