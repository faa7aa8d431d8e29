// The dashboard in a real browser: Debian's chromium driven by playwright-core against a real server
// (SQLite in a temporary data directory, its own job worker on) serving the built pages. The images the
// pages are checked on arrive as in production: fixture images pushed with skopeo to a real
// docker-registry that notifies the server's distribution webhook (an integration made through the API),
// repositories activated through the API by an Owner or an Editor, and the server's worker analysing them
// against the fixture advisory database and a base image catalog in its data directory. What the pages
// show is compared with what the API answers to a bearer token, and for one image with the fixture
// manifest and the findings computed from the raw advisory files. Screenshots of every page go to a
// temporary directory (printed).
//
// Without chromium the file is skipped, unless SPYGLASS_REQUIRE_BROWSER=1 (CI): then it fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { SqliteBaseImageCatalog } from '../../src/baseimage/catalog.ts';
import type { Digest } from '../../src/core/digest.ts';
import { setPassword } from '../../src/server/auth/passwords.ts';
import { recordEvaluation } from '../../src/server/history.ts';
import { defaultWebRoot } from '../../src/server/http/web.ts';
import { analyseSbom, saveResult } from '../../src/server/results.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { fixtureRecord } from '../helpers/base-catalog.ts';
import { expectedFindings, fixtureManifest } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { fixtureImageSbom, minimalSbom } from '../helpers/sbom.ts';
import { call } from '../server/api-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const noBrowser = existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM}: install Debian's chromium to run the browser tests`;
const REQUIRE_BROWSER = process.env.SPYGLASS_REQUIRE_BROWSER === '1';
const skip = REQUIRE_BROWSER ? undefined : noBrowser;
const PASSWORD = 'correct horse battery staple';
const XSS_REPOSITORY = 'team/<img src=x onerror=window.__pwned=1>';
const XSS_TAG = '<script>window.__pwned=2</script>';
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
/** What is pushed to the registry (every push is heard by acme's integration, the registry's one endpoint). */
const PUSHED = ['team/app', 'team/base', 'team/extra-one', 'team/extra-two', 'umbrella/tool', 'globex/secret-app'];

type Counts = Record<(typeof SEVERITIES)[number], number>;
interface JobView { kind: string; status: string; error: string | null }

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Vulnerabilities of a fixture image computed from the raw advisory files and its manifest alone,
 * counted once per package found (esbuild's Go binary is at two paths, so its findings count twice).
 */
function oracleTotal(image: string): number {
  const packages = fixtureManifest(image).packages;
  return expectedFindings(image).reduce((sum, row) => sum + packages.filter((pkg) => pkg.name === row.package && pkg.version === row.version).length, 0);
}

describe('dashboard in a real browser', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let registry: TestRegistry;
  let browser: Browser;
  let base: string;
  /** The registry's host[:port]: the prefix of every repository shown. */
  let host: string;
  let shots: string;
  const tokens: Record<string, string> = {};
  const repositoryIds: Record<string, string> = {};
  const oldDigest = expectedImage('app-bullseye').manifestDigest;
  const latestDigest = expectedImage('app-bookworm').manifestDigest;
  const toolDigest = expectedImage('app-bullseye').manifestDigest;
  let contexts: BrowserContext[] = [];

  const api = (method: string, path: string, token = tokens.owner!, body?: unknown) => call(base, method, path, { token, ...(body !== undefined ? { body } : {}) });

  async function addRepository(orgId: string, name: string, enabled: boolean): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await server.ctx.sql.run('INSERT INTO repositories (id, org_id, registry, name, enabled, last_pushed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      id, orgId, host, name, enabled ? 1 : 0, now, now,
    ]);
    return id;
  }

  /** An image inserted directly (only for what a registry cannot hold), analysed when `analyse` is set. */
  async function addImage(orgId: string, repositoryId: string, fixture: string, tags: string[], pushedAt: number, options: { analyse?: boolean; digest?: string } = {}): Promise<void> {
    const expected = expectedImage(fixture);
    const imageDigest = options.digest ?? expected.manifestDigest;
    const imageId = randomUUID();
    let analysis: { sbom: Awaited<ReturnType<typeof fixtureImageSbom>>; result: Awaited<ReturnType<typeof analyseSbom>> } | undefined;
    if (options.analyse === true) {
      const sbom = await fixtureImageSbom(fixture);
      const store = SqliteAdvisoryStore.open(fixtureDatabase());
      try {
        analysis = { sbom, result: await analyseSbom(sbom, store) };
      } finally {
        await store.close();
      }
    }
    await server.ctx.sql.transaction(async (tx) => {
      await tx.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        imageId, orgId, repositoryId, imageDigest, expected.configDigest, expected.platform, pushedAt,
      ]);
      for (const tag of tags) await tx.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, tag, imageDigest, pushedAt]);
      if (analysis !== undefined) await saveResult(tx, imageId, analysis.sbom, analysis.result, null);
      await tx.run('UPDATE repositories SET last_pushed_at = ? WHERE id = ?', [pushedAt, repositoryId]);
    });
  }

  /** Waits until every job of `org` is done and at least `analyses` analyses ran; a failed job fails the run with its reason. */
  async function jobsDone(org: string, token: string, analyses: number): Promise<void> {
    await waitFor(`${analyses} analyses of ${org}`, async () => {
      const answer = await api('GET', `/api/v1/orgs/${org}/jobs?limit=1000`, token);
      assert.equal(answer.status, 200, answer.text);
      const jobs = answer.body.jobs as JobView[];
      const failed = jobs.find((job) => job.status === 'failed');
      if (failed !== undefined) throw new Error(`${org}: ${failed.kind} job failed: ${failed.error}`);
      const done = jobs.filter((job) => job.kind === 'analyse' && job.status === 'done').length;
      return done >= analyses && jobs.every((job) => job.status === 'done') ? jobs : undefined;
    }, 120_000);
  }

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  /** The rows of the images table: repository and the counts of its badges. */
  async function imageRows(page: Page): Promise<{ repository: string; counts: Counts | null }[]> {
    await page.locator('#images-count').waitFor();
    await page.locator('table.images[aria-busy="false"]').waitFor();
    return page.$$eval('table.images tbody tr', (rows) => rows.map((row) => {
      const badges = [...row.querySelectorAll('[data-severity]')];
      const counts: Record<string, number> = {};
      for (const badge of badges) counts[badge.getAttribute('data-severity')!] = Number.parseInt(badge.textContent ?? '', 10);
      return { repository: row.getAttribute('data-repository') ?? '', counts: badges.length === 0 ? null : counts as Counts };
    }));
  }

  before(async () => {
    if (noBrowser !== undefined) throw new Error(`${noBrowser} (SPYGLASS_REQUIRE_BROWSER=1: the browser tests must run here)`);
    // The pages as `npm run build` makes them; built here when a checkout has not been built yet.
    if (!existsSync(join(defaultWebRoot(), 'index.html'))) {
      execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    }
    const launched = chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    shots = mkdtempSync(join(tmpdir(), 'spyglass-dashboard-shots-'));
    console.log(`screenshots: ${shots}`);
    dir = mkdtempSync(join(tmpdir(), 'spyglass-dashboard-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
    // The base image catalog the analyses read: debian:bullseye-slim was debian-bullseye-base, then moved
    // to debian-bullseye-refreshed (what the quickview's base and refreshed base show).
    const catalog = SqliteBaseImageCatalog.open(dataDir);
    for (const [image, indexedAt] of [['debian-bullseye-base', '2025-01-01T00:00:00.000Z'], ['debian-bullseye-refreshed', '2025-02-01T00:00:00.000Z']] as const) {
      const digest = expectedImage(image).manifestDigest;
      catalog.put(fixtureRecord(image, { repository: 'docker.io/library/debian', tag: 'bullseye-slim', indexedAt }),
        minimalSbom([], { source: { input: digest, manifestDigest: digest as Digest }, createdAt: indexedAt }));
    }
    catalog.close();
    server = await startServer({
      dataDir, cacheDir: join(dir, 'cache'), publicUrl: '', secretKey: randomBytes(32), maxImageBytes: 100_000_000,
      maxBodyBytes: 64 * 1024, concurrency: 2, dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 600_000, insecureRegistries: true,
      listen: { host: '127.0.0.1', port: 0 }, log: () => undefined,
    });
    base = server.url;
    const { accounts, sql } = server.ctx;
    const acme = await accounts.createOrg('acme', 'owner@acme.test');
    tokens.owner = acme.token;
    await accounts.setMember('acme', 'editor@acme.test', 'editor');
    await accounts.setMember('acme', 'member@acme.test', 'member');
    tokens.editor = (await accounts.createToken('acme', 'editor@acme.test')).token;
    tokens.member = (await accounts.createToken('acme', 'member@acme.test')).token;
    // The owner's second organization, and one they are not in.
    const umbrella = await accounts.createOrg('umbrella', 'owner@acme.test', { plan: 'business' });
    tokens.umbrella = umbrella.token;
    const globex = await accounts.createOrg('globex', 'boss@globex.test');
    tokens.globex = globex.token;
    for (const email of ['owner@acme.test', 'editor@acme.test', 'member@acme.test', 'boss@globex.test']) await setPassword(sql, email, PASSWORD);

    // acme's registry integration, made by its Owner through the API (the secret is shown once), and the
    // registry notifying its webhook with that secret.
    const integration = await api('POST', '/api/v1/orgs/acme/integrations', tokens.owner, { type: 'distribution', name: 'lab registry' });
    assert.equal(integration.status, 201, integration.text);
    registry = await startRegistry({}, { notify: { url: new URL(integration.body.webhookUrl as string, base).href, authorization: `Bearer ${integration.body.secret}` } });
    host = registry.host;

    // The pushes. team/app gets app-bullseye (1.0), then app-bookworm (2.0, latest); team/extra-* a small
    // two-platform image, for the Editor to enable later. umbrella/tool and globex/secret-app go to the same
    // registry, so acme's integration hears them too (seen, never activated there: no images); their own
    // organizations add them through the API and activate them, and the activation's backfill analyses them.
    let latestPushedFrom = 0;
    await Promise.all([
      (async () => {
        await pushFixture(registry, 'app-bullseye', 'team/app:1.0');
        await pushFixture(registry, 'app-bookworm', 'team/app:2.0');
        latestPushedFrom = Date.now();
        await pushFixture(registry, 'app-bookworm', 'team/app:latest');
      })(),
      pushFixture(registry, 'debian-bookworm-base', 'team/base:12'),
      pushFixture(registry, 'multiarch', 'team/extra-one:1', { all: true }),
      pushFixture(registry, 'multiarch', 'team/extra-two:1', { all: true }),
      pushFixture(registry, 'app-bullseye', 'umbrella/tool:1'),
      pushFixture(registry, 'app-bullseye', 'globex/secret-app:1'),
    ]);
    // Every push recorded by the webhook (the last one: team/app's `latest`) before anything is activated.
    const seen = await waitFor('the pushes recorded through the webhook', async () => {
      const answer = await api('GET', '/api/v1/orgs/acme/repositories');
      const byName = new Map((answer.body.repositories as { id: string; name: string; lastPushedAt: string | null }[]).map((r) => [r.name, r]));
      const app = byName.get('team/app');
      return PUSHED.every((name) => byName.has(name)) && app !== undefined && Date.parse(app.lastPushedAt ?? '') >= latestPushedFrom ? byName : undefined;
    });
    for (const [key, name] of [['app', 'team/app'], ['base', 'team/base'], ['extra1', 'team/extra-one'], ['extra2', 'team/extra-two']] as const) repositoryIds[key] = seen.get(name)!.id;
    // Activation through the API: team/app by the Owner, team/base by the Editor; umbrella and globex add theirs first.
    const activate = async (org: string, id: string, token: string) => {
      const answer = await api('PUT', `/api/v1/orgs/${org}/repositories/${id}/activation`, token);
      assert.equal(answer.status, 200, answer.text);
    };
    await activate('acme', repositoryIds.app!, tokens.owner);
    await activate('acme', repositoryIds.base!, tokens.editor);
    for (const [org, name] of [['umbrella', 'umbrella/tool'], ['globex', 'globex/secret-app']] as const) {
      const added = await api('POST', `/api/v1/orgs/${org}/repositories`, tokens[org], { registry: host, name });
      assert.equal(added.status, 201, added.text);
      await activate(org, added.body.id as string, tokens[org]!);
    }
    // While the worker analyses: the cases a registry cannot hold, inserted directly. A repository name and a
    // tag carrying HTML are not valid in a registry (lower-case path components, [\w.-] tags), so the payload
    // repository is a database row, analysed here with the same functions the worker uses.
    repositoryIds.xss = await addRepository(acme.org.id, XSS_REPOSITORY, false);
    await addImage(acme.org.id, repositoryIds.xss, 'debian-bookworm-base', [XSS_TAG], Date.now(), { analyse: true });
    // umbrella's paging: 30 more repositories (two pages of 25 with umbrella/tool), not analysed, inserted.
    for (let n = 0; n < 30; n += 1) {
      const id = await addRepository(umbrella.org.id, `umbrella/svc-${String(n).padStart(2, '0')}`, false);
      await addImage(umbrella.org.id, id, 'app-bullseye', ['1'], Date.now() - (n + 1) * 86_400_000, { digest: `sha256:${n.toString(16).padStart(64, 'a')}` });
    }
    await jobsDone('acme', tokens.owner, 3);
    await jobsDone('umbrella', tokens.umbrella, 1);
    await jobsDone('globex', tokens.globex, 1);

    // A re-evaluation of team/app's latest image after an advisory update: one more point in the history.
    // Inserted (an advisory update is dashboard-api.test.ts's business); the counts are the analysis' plus one high.
    const latest = await api('GET', `/api/v1/orgs/acme/images/${latestDigest}`);
    assert.equal(latest.status, 200, latest.text);
    const latestId = String((await sql.get('SELECT id FROM images WHERE digest = ? AND repository_id = ?', [latestDigest, repositoryIds.app]))!.id);
    await sql.transaction(async (tx) => recordEvaluation(tx, {
      imageId: latestId, reason: 'database update', generation: 3,
      diff: { added: [{ id: 'CVE-2099-0001', package: 'curl', severity: 'high' }], removed: [], changed: [] },
      counts: { ...(latest.body.vulnerabilities as Counts), high: (latest.body.vulnerabilities as Counts).high + 1 },
    }));
    browser = await launched;
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    contexts = [];
    await browser?.close();
    await server?.close();
    await registry?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the pages with the security headers; API paths keep their JSON 404', async () => {
    for (const path of ['/', '/orgs/acme/images', '/sign-in']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(response.headers.get('content-security-policy'), "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'");
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.match(await response.text(), /<div id="app">/);
    }
    const api404 = await call(base, 'GET', '/api/v1/no-such-thing');
    assert.equal(api404.status, 404);
    assert.deepEqual(api404.body, { error: 'no route GET /api/v1/no-such-thing' });
    assert.equal((await call(base, 'POST', '/orgs/acme/images')).status, 404);
  });

  it('a wrong password or an unknown email gets one generic message; repeated failures are told to wait', async () => {
    const page = await newPage();
    await page.goto(`${base}/orgs/acme/images`);
    await page.waitForURL(/\/sign-in\?next=%2Forgs%2Facme%2Fimages$/);
    await shot(page, '01-sign-in');
    await signIn(page, 'owner@acme.test', 'wrong password!');
    assert.equal(await page.getByRole('alert').textContent(), 'wrong email or password');
    await signIn(page, 'nobody@acme.test', 'wrong password!');
    await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await signIn(page, 'member@acme.test', `not the password ${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    }
    await page.getByRole('alert').filter({ hasText: /too many failed sign-ins; try again in \d+ seconds/ }).waitFor();
    await shot(page, '02-sign-in-rate-limited');
    assert.match(page.url(), /\/sign-in/);
    // Nothing was signed in.
    const session = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(session, 401);
    // The locked-out member is signed in later, so clear its failures (the table every process reads).
    await server.ctx.sql.run('DELETE FROM login_failures WHERE email = ?', ['member@acme.test']);
  });

  let owner: Page;

  it('signs in and returns to the page asked for; the images list is the API\'s, one row per repository', async () => {
    owner = await newPage();
    await owner.goto(`${base}/orgs/acme/images`);
    await owner.waitForURL(/\/sign-in/);
    await signIn(owner, 'owner@acme.test');
    await owner.waitForURL(`${base}/orgs/acme/images`);
    const rows = await imageRows(owner);
    const expected = await api('GET', '/api/v1/orgs/acme/images?latest=true&sort=repository&order=asc&limit=25&offset=0');
    assert.equal(expected.status, 200);
    assert.equal(expected.body.total, 3);
    assert.deepEqual(rows, expected.body.images.map((image: { repository: string; vulnerabilities: Counts | null }) => ({ repository: image.repository, counts: image.vulnerabilities })));
    assert.deepEqual(rows.map((row) => row.repository).sort(), [`${host}/team/app`, `${host}/team/base`, `${host}/${XSS_REPOSITORY}`].sort());
    // The row of team/app is its latest push, with the change since the previous one.
    const app = owner.locator('tr', { has: owner.getByRole('link', { name: `${host}/team/app` }) });
    await app.getByText('2.0').waitFor();
    assert.equal(await app.getByText('1.0', { exact: true }).count(), 0);
    assert.equal(await owner.getByText('Repositories 1–3 of 3').count(), 1);
    assert.ok(!(await owner.content()).includes('globex'));
    // A 1280-pixel laptop screen shows the page without scrolling sideways.
    assert.ok(await owner.evaluate(() => document.documentElement.scrollWidth <= 1280), 'no horizontal scrolling at 1280px');
    await shot(owner, '03-images');
    assert.equal(await owner.title(), 'Images · acme · Spyglass');
    // The keyboard reaches everything, with a visible focus: the skip link first, then the header's controls.
    await owner.keyboard.press('Tab');
    assert.equal(await owner.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    assert.notEqual(await owner.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none');
    await owner.keyboard.press('Tab');
    assert.equal(await owner.getByLabel('Organization').evaluate((element) => element === document.activeElement), true);
    await owner.getByRole('button', { name: 'Last pushed (UTC)' }).focus();
    await owner.keyboard.press('Enter');
    await owner.waitForURL(/sort=pushed&order=desc/);
    const byPushed = await api('GET', '/api/v1/orgs/acme/images?latest=true&sort=pushed&order=desc&limit=25&offset=0');
    await owner.locator('th[aria-sort="descending"]', { hasText: 'Last pushed' }).waitFor();
    assert.deepEqual((await imageRows(owner)).map((row) => row.repository), byPushed.body.images.map((image: { repository: string }) => image.repository));
    await owner.goBack();
    await owner.waitForURL(`${base}/orgs/acme/images`);
  });

  it('renders a repository name and a tag carrying HTML as text, never running it', async () => {
    await owner.getByText(`${host}/${XSS_REPOSITORY}`, { exact: true }).waitFor();
    await owner.getByText(XSS_TAG, { exact: true }).waitFor();
    assert.equal(await owner.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await owner.locator('table.images img').count(), 0);
    await owner.getByRole('link', { name: `${host}/${XSS_REPOSITORY}` }).click();
    await owner.getByRole('heading', { level: 1 }).filter({ hasText: XSS_TAG }).waitFor();
    assert.equal(await owner.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await owner.locator('main img, main script').count(), 0);
    await owner.goBack();
    await owner.locator('#images-count').waitFor();
  });

  it('filters by name and severity and sorts on the server', async () => {
    await owner.getByLabel('Repository name').fill('BASE');
    await owner.getByRole('button', { name: 'Filter' }).click();
    await owner.waitForURL(/q=BASE/);
    await owner.getByText('Repositories 1–1 of 1').waitFor();
    assert.deepEqual((await imageRows(owner)).map((row) => row.repository), [`${host}/team/base`]);
    await owner.getByLabel('Repository name').fill('');
    await owner.getByRole('button', { name: 'Filter' }).click();
    await owner.waitForURL((url) => !url.search.includes('q='));
    const critical = await api('GET', '/api/v1/orgs/acme/images?latest=true&severity=critical&sort=repository&order=asc&limit=25&offset=0');
    await owner.getByLabel('Severity').selectOption('critical');
    await owner.waitForURL(/severity=critical/);
    await owner.getByText(critical.body.total === 0 ? 'No images match.' : `Repositories 1–${critical.body.total} of ${critical.body.total}`).waitFor();
    assert.deepEqual((await imageRows(owner)).map((row) => row.repository), critical.body.images.map((image: { repository: string }) => image.repository));
    await owner.getByLabel('Severity').selectOption('');
    await owner.getByRole('button', { name: /^Vulnerabilities/ }).click();
    await owner.waitForURL(/sort=total&order=desc/);
    const byTotal = await api('GET', '/api/v1/orgs/acme/images?latest=true&sort=total&order=desc&limit=25&offset=0');
    await owner.locator('th[aria-sort="descending"]').waitFor();
    assert.deepEqual((await imageRows(owner)).map((row) => row.repository), byTotal.body.images.map((image: { repository: string }) => image.repository));
  });

  it('switches organization: only that organization\'s images, paged by 25', async () => {
    await owner.getByLabel('Organization').selectOption('umbrella');
    await owner.waitForURL(`${base}/orgs/umbrella/images`);
    await owner.getByText('Repositories 1–25 of 31').waitFor();
    const first = await imageRows(owner);
    assert.equal(first.length, 25);
    assert.ok(first.every((row) => row.repository.startsWith(`${host}/umbrella/`)));
    await owner.getByRole('button', { name: 'Next' }).click();
    await owner.getByText('Repositories 26–31 of 31').waitFor();
    const second = await imageRows(owner);
    assert.equal(second.length, 6);
    const all = [...first, ...second].map((row) => row.repository);
    assert.equal(new Set(all).size, 31);
    const expected = await api('GET', '/api/v1/orgs/umbrella/images?latest=true&sort=repository&order=asc&limit=25&offset=25', tokens.umbrella);
    assert.deepEqual(second.map((row) => row.repository), expected.body.images.map((image: { repository: string }) => image.repository));
    assert.ok(!(await owner.content()).includes('team/app'));
    await shot(owner, '04-images-second-org');
    // The quickview of an image whose base the catalog knows: the base and its refreshed digest, as the API has them.
    const tool = (await api('GET', `/api/v1/orgs/umbrella/images/${toolDigest}`, tokens.umbrella)).body;
    const refreshed = tool.recommendations.recommendations.find((r: { kind: string }) => r.kind === 'refreshed');
    assert.ok(refreshed !== undefined && typeof tool.baseImage?.name === 'string', 'the catalog gives a base and a refreshed base');
    await owner.goto(`${base}/orgs/umbrella/images/${encodeURIComponent(toolDigest)}`);
    const quickview = owner.locator('section[aria-labelledby="quickview-title"]');
    await quickview.locator('.card', { hasText: 'Base image' }).first().getByText(tool.baseImage.name, { exact: true }).waitFor();
    await quickview.locator('.card', { hasText: 'Refreshed base image' }).getByText(refreshed.name, { exact: true }).waitFor();
    await shot(owner, '05-image-quickview');
    // An organization the user is not in is not found, as the API answers.
    await owner.goto(`${base}/orgs/globex/images`);
    await owner.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.ok(!(await owner.content()).includes('secret-app'));
    await owner.getByLabel('Organization').selectOption('acme');
    await owner.waitForURL(`${base}/orgs/acme/images`);
  });

  it('shows an image\'s details with exactly the counts, findings and packages the API returns', async () => {
    const expected = (await api('GET', `/api/v1/orgs/acme/images/${latestDigest}`)).body;
    await owner.getByRole('link', { name: `${host}/team/app` }).click();
    await owner.waitForURL(`${base}/orgs/acme/images/${encodeURIComponent(latestDigest)}`);
    await owner.locator('#severity-counts').waitFor();
    const counts = await owner.$$eval('#severity-counts [data-severity]', (badges) => Object.fromEntries(badges.map((badge) => [badge.getAttribute('data-severity'), Number.parseInt(badge.textContent ?? '', 10)])));
    assert.deepEqual(counts, expected.vulnerabilities);
    const sum = SEVERITIES.reduce((total, level) => total + (expected.vulnerabilities[level] as number), 0);
    // The independent expectation: app-bookworm's findings computed from the raw advisory files and its
    // manifest, and the packages its manifest lists (dpkg-query, the language packages' own metadata).
    assert.equal(sum, oracleTotal('app-bookworm'));
    assert.equal(expected.packages.length, fixtureManifest('app-bookworm').packages.length);
    await owner.getByRole('heading', { name: `Vulnerabilities: ${sum} in all` }).waitFor();
    await owner.getByRole('heading', { name: `Vulnerabilities (${expected.findings.length})` }).waitFor();
    assert.equal(await owner.locator('table.findings tbody tr').count(), expected.findings.length);
    await owner.getByRole('heading', { name: `Packages (${expected.packages.length})` }).waitFor();
    assert.equal(await owner.locator('section[aria-labelledby="packages-title"] tbody tr').count(), expected.packages.length);
    const type = expected.packages[0].type as string;
    await owner.getByLabel('Type').selectOption(type);
    assert.equal(await owner.locator('section[aria-labelledby="packages-title"] tbody tr').count(), expected.packages.filter((p: { type: string }) => p.type === type).length);
    assert.equal(await owner.locator('section[aria-labelledby="layers-title"] tbody tr').count(), expected.layers.length);
    await owner.getByRole('heading', { name: 'Quickview' }).waitFor();
    await owner.locator('canvas[aria-label^="Severity distribution"]').waitFor();
    // The repository's history: both pushes' analyses and the re-evaluation, as the API lists them.
    const history = (await api('GET', `/api/v1/orgs/acme/repositories/${repositoryIds.app}/history`)).body;
    assert.equal(history.points.length, 3);
    const last = history.points.at(-1).vulnerabilities as Counts;
    await owner.locator(`canvas[aria-label="Vulnerabilities over time: 3 evaluations, latest ${SEVERITIES.reduce((total, level) => total + last[level], 0)} in all"]`).waitFor();
    const reevaluation = owner.locator('section[aria-labelledby="evaluations-title"] li', { hasText: 'database update' }).first();
    await reevaluation.getByText('Added: CVE-2099-0001 (curl, high)').waitFor();
    await shot(owner, '06-image-details');
    // A finding links to its vulnerability page.
    const finding = expected.findings[0] as { id: string };
    await owner.locator('table.findings').getByRole('link', { name: finding.id, exact: true }).first().click();
    await owner.waitForURL(`${base}/orgs/acme/vulnerabilities/${encodeURIComponent(finding.id)}`);
    await owner.getByRole('heading', { level: 1 }).filter({ hasText: finding.id }).waitFor();
    await owner.getByRole('heading', { name: /^Affected images/ }).waitFor();
    await owner.getByRole('link', { name: `${host}/team/app` }).first().waitFor();
    await shot(owner, '07-vulnerability');
  });

  it('shows the not-found page for a deleted image, an unknown page and an unknown vulnerability', async () => {
    await server.ctx.sql.run('DELETE FROM images WHERE digest = ? AND repository_id = ?', [oldDigest, repositoryIds.app]);
    await owner.goto(`${base}/orgs/acme/images/${encodeURIComponent(oldDigest)}`);
    await owner.getByRole('heading', { name: 'Page not found' }).waitFor();
    await owner.getByText(`Not found: image ${oldDigest} not found.`).waitFor();
    await shot(owner, '08-not-found');
    await owner.goto(`${base}/no/such/page`);
    await owner.getByRole('heading', { name: 'Page not found' }).waitFor();
    await owner.goto(`${base}/orgs/acme/vulnerabilities/CVE-1999-99999`);
    await owner.getByRole('heading', { name: 'Page not found' }).waitFor();
  });

  it('refuses a change with a forged or missing CSRF token (403)', async () => {
    await owner.goto(`${base}/orgs/acme/images`);
    await owner.locator('#images-count').waitFor();
    const path = `/api/v1/orgs/acme/repositories/${repositoryIds.extra1}/activation`;
    const answers = await owner.evaluate(async (url) => {
      const forged = await fetch(url, { method: 'PUT', headers: { 'x-csrf-token': 'forged' } });
      const missing = await fetch(url, { method: 'PUT' });
      return [{ status: forged.status, body: await forged.json() as unknown }, { status: missing.status, body: await missing.json() as unknown }];
    }, path);
    for (const answer of answers) assert.deepEqual(answer, { status: 403, body: { error: 'invalid or missing CSRF token' } });
    const repository = (await api('GET', '/api/v1/orgs/acme/repositories')).body.repositories.find((r: { id: string }) => r.id === repositoryIds.extra1);
    assert.equal(repository.enabled, false);
  });

  it('lets an Editor enable a repository and shows the plan limit error', async () => {
    const editor = await newPage();
    await editor.goto(`${base}/orgs/acme/settings/repositories`);
    await editor.waitForURL(/\/sign-in/);
    await signIn(editor, 'editor@acme.test');
    await editor.waitForURL(`${base}/orgs/acme/settings/repositories`);
    await editor.getByText('2 of 3 used (plan free)').waitFor();
    await editor.getByRole('switch', { name: `Enable image analysis for ${host}/team/extra-one` }).click();
    await editor.getByText('3 of 3 used (plan free)').waitFor();
    assert.equal(await editor.getByRole('switch', { name: `Enable image analysis for ${host}/team/extra-one` }).isChecked(), true);
    await editor.getByRole('switch', { name: `Enable image analysis for ${host}/team/extra-two` }).click();
    await editor.getByRole('alert').filter({ hasText: 'organization acme already has 3 activated repositories, the limit of its plan "free"' }).waitFor();
    assert.equal(await editor.getByRole('switch', { name: `Enable image analysis for ${host}/team/extra-two` }).isChecked(), false);
    await shot(editor, '09-repository-settings-limit');
    const listed = (await api('GET', '/api/v1/orgs/acme/repositories')).body;
    assert.equal(listed.activated, 3);
    assert.equal(listed.repositories.find((r: { id: string }) => r.id === repositoryIds.extra2).enabled, false);
    // Editors do not see the Owners' pages.
    assert.equal(await editor.getByRole('link', { name: 'Integrations' }).count(), 0);
  });

  it('shows a Member the settings read-only and the API refuses their change (403)', async () => {
    const member = await newPage();
    await member.goto(`${base}/sign-in`);
    await signIn(member, 'member@acme.test');
    await member.waitForURL(`${base}/orgs/acme/images`);
    await member.getByRole('link', { name: 'Repository settings' }).click();
    await member.getByText('3 of 3 used (plan free)').waitFor();
    await member.getByText('Read-only: your role in acme is member.', { exact: false }).waitFor();
    const switches = member.getByRole('switch');
    // Every repository acme has seen (the pushed ones, umbrella's and globex's included: acme's integration
    // hears the whole registry) and the inserted payload one, as the API lists them.
    assert.equal(await switches.count(), (await api('GET', '/api/v1/orgs/acme/repositories', tokens.member)).body.repositories.length);
    assert.equal(await switches.count(), PUSHED.length + 1);
    for (const each of await switches.all()) assert.equal(await each.isDisabled(), true);
    await shot(member, '10-repository-settings-member');
    const answer = await member.evaluate(async (url) => {
      const session = await (await fetch('/api/v1/session')).json() as { csrfToken: string };
      const refused = await fetch(url, { method: 'DELETE', headers: { 'x-csrf-token': session.csrfToken } });
      return { status: refused.status, body: await refused.json() as { error: string } };
    }, `/api/v1/orgs/acme/repositories/${repositoryIds.app}/activation`);
    assert.equal(answer.status, 403);
    assert.match(answer.body.error, /member/);
    await member.goto(`${base}/orgs/acme/settings/integrations`);
    await member.getByText('Only Owners of acme manage integrations.').waitFor();
  });

  it('shows Owners the integrations and notifications pages, with the secret shown once', async () => {
    await owner.goto(`${base}/orgs/acme/images`);
    await owner.getByRole('link', { name: 'Integrations' }).click();
    await owner.waitForURL(`${base}/orgs/acme/settings/integrations`);
    await owner.getByLabel('Name', { exact: true }).fill('local registry');
    await owner.getByLabel('Registry (host[:port])').fill('registry.acme.test:5000');
    await owner.getByRole('button', { name: 'Add integration' }).click();
    const secret = (await owner.locator('#created-secret').textContent()) ?? '';
    assert.ok(secret.length >= 16, 'a secret is shown');
    await owner.getByRole('rowheader', { name: 'local registry', exact: true }).waitFor();
    await shot(owner, '11-integrations');
    await owner.reload();
    await owner.getByRole('rowheader', { name: 'local registry' }).waitFor();
    assert.equal(await owner.locator('#created-secret').count(), 0);
    assert.ok(!(await owner.content()).includes(secret), 'the secret is not shown again');

    await owner.getByRole('link', { name: 'Notifications' }).click();
    await owner.getByLabel('URL', { exact: true }).fill('https://hooks.acme.test/spyglass');
    await owner.getByRole('button', { name: 'Add target' }).click();
    const signing = (await owner.locator('#created-secret').textContent()) ?? '';
    assert.ok(signing.length >= 16);
    await owner.getByRole('cell', { name: 'https://hooks.acme.test/spyglass', exact: true }).waitFor();
    await shot(owner, '12-notifications');
  });

  it('sends an expired session back to sign-in and then to the page it was on', async () => {
    await owner.goto(`${base}/orgs/acme/images?q=app`);
    await owner.locator('#images-count').waitFor();
    const past = Date.now() - 1000;
    await server.ctx.sql.run('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [past, past - 86_400_000, 'owner@acme.test']);
    await owner.getByRole('link', { name: 'Repository settings' }).click();
    await owner.waitForURL(/\/sign-in\?next=%2Forgs%2Facme%2Fsettings%2Frepositories$/);
    await owner.getByText('After signing in you return to /orgs/acme/settings/repositories.').waitFor();
    await shot(owner, '13-session-expired');
    await signIn(owner, 'owner@acme.test');
    await owner.waitForURL(`${base}/orgs/acme/settings/repositories`);
    await owner.getByText('3 of 3 used (plan free)').waitFor();
    // A reload of a filtered list after expiry keeps the filter through sign-in.
    await owner.goto(`${base}/orgs/acme/images?q=app`);
    await owner.locator('#images-count').waitFor();
    await server.ctx.sql.run('UPDATE sessions SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [Date.now() - 1000, 'owner@acme.test']);
    await owner.reload();
    await owner.waitForURL(/\/sign-in\?next=/);
    await signIn(owner, 'owner@acme.test');
    await owner.waitForURL(`${base}/orgs/acme/images?q=app`);
    assert.equal(await owner.getByLabel('Repository name').inputValue(), 'app');
  });

  it('signs out: the session ends and pages ask for sign-in again', async () => {
    await owner.getByRole('button', { name: 'Sign out' }).click();
    await owner.waitForURL(`${base}/sign-in`);
    await owner.getByText('You are signed out.').waitFor();
    assert.equal(await owner.evaluate(async () => (await fetch('/api/v1/session')).status), 401);
    await owner.goto(`${base}/orgs/acme/images`);
    await owner.waitForURL(/\/sign-in\?next=/);
    assert.equal((await api('GET', '/api/v1/orgs/acme/images')).status, 200, 'API tokens keep working');
  });
});
