// The dashboard's policy pages in a real browser: Debian's chromium driven by playwright-core against a
// real server (SQLite in a temporary data directory). Two fixture images of one repository are matched
// against the fixture advisory database and their policies evaluated by the server's own code
// (src/server/policies.ts, with an organization policy document PUT through the API); an environment is
// recorded through the API. What the Images page's Policies column, the policy page and the Environments
// page show is compared with what the API answers to a bearer token. Screenshots go to a temporary
// directory (printed). Without /usr/bin/chromium the file is skipped, unless SPYGLASS_REQUIRE_BROWSER=1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { setPassword } from '../../src/server/auth/passwords.ts';
import { evaluateImagePolicies } from '../../src/server/policies.ts';
import { analyseSbom, saveResult, type AnalysisResult } from '../../src/server/results.ts';
import { defaultWebRoot } from '../../src/server/http/web.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { fixtureImageSbom } from '../helpers/sbom.ts';
import { call, startTestServer, type TestServer } from '../server/api-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.SPYGLASS_REQUIRE_BROWSER === '1';
const skip = existsSync(CHROMIUM) || required ? undefined : `no ${CHROMIUM}: install Debian's chromium to run the browser tests`;
const PASSWORD = 'correct horse battery staple';
const REGISTRY = 'registry.acme.test:5000';
const WATCH_LIST = 'No vulnerability on the watch list';

type Change = 'better' | 'worse' | 'unchanged' | 'unknown';

async function analysed(name: string): Promise<{ sbom: Sbom; result: AnalysisResult }> {
  const sbom = await fixtureImageSbom(name);
  const store = SqliteAdvisoryStore.open(fixtureDatabase());
  try {
    return { sbom, result: await analyseSbom(sbom, store) };
  } finally {
    await store.close();
  }
}

function idsOf(result: AnalysisResult): Set<string> {
  return new Set(result.report.findings.flatMap((finding) => [finding.id, ...finding.aliases]));
}

describe('dashboard policies and environments in a real browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  let shots: string;
  let token: string;
  let oldDigest: string;
  let latestDigest: string;
  let page: Page;

  const api = async (method: string, path: string, body?: unknown) => {
    const answer = await call(base, method, path, { token, ...(body !== undefined ? { body } : {}) });
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
    return answer.body;
  };

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  /** An image row as the analysis handler leaves it: the result saved, then the organization's policies evaluated. */
  async function addImage(orgId: string, repositoryId: string, fixture: string, tags: string[], pushedAt: number, analysis: { sbom: Sbom; result: AnalysisResult }): Promise<string> {
    const expected = expectedImage(fixture);
    const imageId = randomUUID();
    await server.ctx.sql.transaction(async (tx) => {
      await tx.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        imageId, orgId, repositoryId, expected.manifestDigest, expected.configDigest, expected.platform, pushedAt,
      ]);
      for (const tag of tags) await tx.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, tag, expected.manifestDigest, pushedAt]);
      await saveResult(tx, imageId, analysis.sbom, analysis.result, null);
      await evaluateImagePolicies(tx, imageId, analysis.result.report, 'analysis');
      await tx.run('UPDATE repositories SET last_pushed_at = ? WHERE id = ?', [pushedAt, repositoryId]);
    });
    return expected.manifestDigest;
  }

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`SPYGLASS_REQUIRE_BROWSER=1 but ${CHROMIUM} is not installed`);
    if (!existsSync(join(defaultWebRoot(), 'index.html'))) {
      execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    }
    shots = mkdtempSync(join(tmpdir(), 'spyglass-policies-shots-'));
    console.log(`screenshots: ${shots}`);
    server = await startTestServer();
    base = server.url;
    const { accounts, sql } = server.ctx;
    const acme = await accounts.createOrg('acme', 'owner@acme.test');
    token = acme.token;
    await setPassword(sql, 'owner@acme.test', PASSWORD);

    const [bullseye, bookworm] = [await analysed('app-bullseye'), await analysed('app-bookworm')];
    // The organization's policies: the defaults plus a watch list naming a vulnerability the bullseye
    // image has and the bookworm one does not, so that this policy goes from failed to met.
    const newer = idsOf(bookworm.result);
    const watched = [...idsOf(bullseye.result)].filter((id) => id.startsWith('CVE-') && !newer.has(id)).sort()[0];
    assert.ok(watched !== undefined, 'a CVE of app-bullseye that app-bookworm does not have');
    const defaults = await api('GET', '/api/v1/orgs/acme/policies');
    await api('PUT', '/api/v1/orgs/acme/policies', { policies: [...defaults.policies, { type: 'high-profile', name: WATCH_LIST, kev: false, ids: [watched] }] });

    const repositoryId = randomUUID();
    const t0 = Date.parse('2026-01-10T10:00:00Z');
    await sql.run('INSERT INTO repositories (id, org_id, registry, name, enabled, last_pushed_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [
      repositoryId, acme.org.id, REGISTRY, 'team/app', t0, t0,
    ]);
    oldDigest = await addImage(acme.org.id, repositoryId, 'app-bullseye', ['1.0'], t0, bullseye);
    latestDigest = await addImage(acme.org.id, repositoryId, 'app-bookworm', ['2.0'], t0 + 86_400_000, bookworm);
    // production ran the bullseye image, then the bookworm one; staging runs the bullseye one.
    await api('PUT', '/api/v1/orgs/acme/environments/production/images', { image: `${REGISTRY}/team/app:1.0` });
    await api('PUT', '/api/v1/orgs/acme/environments/production/images', { image: latestDigest });
    await api('PUT', '/api/v1/orgs/acme/environments/staging/images', { image: oldDigest });

    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email').fill('owner@acme.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/orgs/acme/images`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the Images page shows the API\'s met/total and the arrow against the previous push', async () => {
    const list = await api('GET', '/api/v1/orgs/acme/images?latest=true');
    const latest = list.images.find((image: { digest: string }) => image.digest === latestDigest);
    assert.equal(latest.previous.digest, oldDigest);
    assert.ok(latest.policy !== null && latest.previous.policy !== null, 'both images have policy results');
    // The watch-list policy alone is met by the bookworm image and failed by the bullseye one.
    const expected: Change = latest.policy.met > latest.previous.policy.met ? 'better' : latest.policy.met < latest.previous.policy.met ? 'worse' : 'unchanged';

    await page.goto(`${base}/orgs/acme/images`);
    const cell = page.locator(`table.images tbody tr[data-repository="${REGISTRY}/team/app"] .policy-counts`);
    await cell.waitFor();
    assert.equal((await cell.locator('[aria-hidden="true"]').first().textContent()), `${latest.policy.met}/${latest.policy.total}`);
    assert.equal(await cell.getAttribute('data-met'), String(latest.policy.met));
    assert.equal(await cell.getAttribute('data-total'), String(latest.policy.total));
    const arrow = cell.locator('.trend');
    assert.equal(await arrow.getAttribute('data-change'), expected);
    assert.equal(await arrow.locator('[aria-hidden="true"]').textContent(), { better: '↑', worse: '↓', unchanged: '→', unknown: '?' }[expected]);
    // Screen readers get words, not the arrow.
    assert.match(await cell.innerText(), new RegExp(`${latest.policy.met} of ${latest.policy.total} policies met`));
    assert.match(await arrow.innerText(), new RegExp(`${expected} than previous image`));
    await shot('01-images-policies-column');
  });

  it('the policy page lists the API\'s verdicts, what fails, and the trend of each policy', async () => {
    const detail = await api('GET', `/api/v1/orgs/acme/images/${latestDigest}`);
    assert.equal(detail.policyTrend.against, oldDigest);
    // Reached from the column's link.
    await page.goto(`${base}/orgs/acme/images`);
    await page.locator(`tr[data-repository="${REGISTRY}/team/app"] a.policy-link`).click();
    await page.waitForURL(`${base}/orgs/acme/images/${encodeURIComponent(latestDigest)}/policies`);
    await page.locator('table.policies tbody tr').first().waitFor();
    const rows = await page.$$eval('table.policies tbody tr', (trs) => trs.map((tr) => ({
      name: tr.getAttribute('data-policy'), status: tr.getAttribute('data-status'), change: tr.querySelector('td[data-change]')?.getAttribute('data-change') ?? '',
    })));
    assert.deepEqual(rows, detail.policies.map((result: { name: string; status: string }) => ({
      name: result.name, status: result.status,
      change: detail.policyTrend.policies.find((delta: { name: string }) => delta.name === result.name)?.change ?? '',
    })));
    const watch = rows.find((row) => row.name === WATCH_LIST);
    assert.deepEqual(watch, { name: WATCH_LIST, status: 'met', change: 'better' });
    // Each failed policy's section lists exactly the API's violations.
    for (const result of detail.policies.filter((r: { status: string }) => r.status === 'failed')) {
      const section = page.locator('section.panel', { has: page.getByRole('heading', { name: result.name, exact: true }) });
      const texts = await section.locator('table.violations tbody tr td:nth-child(2)').evaluateAll((cells) => cells.map((td) => td.firstChild?.textContent ?? ''));
      assert.deepEqual(texts, result.violations.map((violation: { text: string }) => violation.text), result.name);
    }
    await shot('02-policy-page');

    // The older image's page: the watch-list policy failed, naming the watched vulnerability; no earlier image.
    await page.goto(`${base}/orgs/acme/images/${encodeURIComponent(oldDigest)}/policies`);
    const old = await api('GET', `/api/v1/orgs/acme/images/${oldDigest}`);
    assert.equal(old.policyTrend, null);
    const oldRow = page.locator(`table.policies tbody tr[data-policy="${WATCH_LIST}"]`);
    assert.equal(await oldRow.getAttribute('data-status'), 'failed');
    assert.match(await oldRow.innerText(), /no previous image/);
    await shot('03-policy-page-older');

    // Linked from the image details page.
    await page.goto(`${base}/orgs/acme/images/${encodeURIComponent(latestDigest)}`);
    await page.getByRole('link', { name: 'Policy details' }).waitFor();
    await shot('05-image-details');
    await page.getByRole('link', { name: 'Policy details' }).click();
    await page.waitForURL(/\/policies$/);
  });

  it('the Environments page shows the recorded image per repository with policies and the trend against the image it replaced', async () => {
    const production = await api('GET', '/api/v1/orgs/acme/environments/production');
    const running = production.images[0];
    assert.equal(running.digest, latestDigest);
    assert.equal(running.previous.digest, oldDigest);

    await page.goto(`${base}/orgs/acme/images`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Environments' }).click();
    await page.waitForURL(`${base}/orgs/acme/environments`);
    const row = page.locator(`table[data-environment="production"] tbody tr[data-repository="${REGISTRY}/team/app"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-digest'), latestDigest);
    const cell = row.locator('.policy-counts');
    assert.equal(await cell.getAttribute('data-met'), String(running.policy.met));
    assert.equal(await cell.getAttribute('data-total'), String(running.policy.total));
    const expected: Change = running.policy.met > running.previous.policy.met ? 'better' : running.policy.met < running.previous.policy.met ? 'worse' : 'unchanged';
    assert.equal(await cell.locator('.trend').getAttribute('data-change'), expected);
    // The policies that changed, in words, as the API's trend has them.
    const changed = running.trend.policies.filter((delta: { change: string }) => delta.change !== 'unchanged').map((delta: { name: string }) => delta.name);
    assert.ok(changed.includes(WATCH_LIST));
    const listed = await row.locator('.policy-changes li').allInnerTexts();
    assert.deepEqual(listed.map((text) => changed.find((name: string) => text.includes(name))), changed);
    // The badges are the API's counts.
    for (const [level, count] of Object.entries(running.vulnerabilities as Record<string, number>)) {
      assert.equal(Number.parseInt(await row.locator(`[data-severity="${level}"]`).textContent() ?? '', 10), count, level);
    }
    const staging = page.locator(`table[data-environment="staging"] tbody tr[data-repository="${REGISTRY}/team/app"]`);
    assert.equal(await staging.getAttribute('data-digest'), oldDigest);
    await shot('04-environments');
    // The image links to its details.
    await row.getByRole('link', { name: latestDigest.slice(7, 19) }).click();
    await page.waitForURL(`${base}/orgs/acme/images/${encodeURIComponent(latestDigest)}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  });
});
