// The dashboard's Images page with 10,000 images: GET /api/v1/orgs/{org}/images for the first page, through a
// real server on loopback (fastify, JSON, the token check). The rows are the fixture images' real analyses
// (SBOM, stored report, counts, base image, as the server stores them), copied into 10,000 images of 2,000
// repositories, so that the list's light query runs beside heavy rows as it would in production.
// Target: the first page in under 1 s. Prints the median of 5 requests per query and the ratio to the
// target, on SQLite and (when installed) PostgreSQL. Never fails on timing.
//
// Then the same page in a real browser (Debian's chromium through playwright-core, launched as
// test/web/dashboard.test.ts launches it; skipped with a line saying why when it is missing): a user with a
// password signs in through the sign-in page, and a fresh browser context holding that session times
// page.goto('/orgs/bench/images') until the first page's 25 rows and its "Repositories 1–25 of N" line are
// visible: cold (the first load, empty HTTP cache) and warm (median of 5 reloads).
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { SqliteAdvisoryStore } from '../src/advisories/store/sqlite.ts';
import { catalogImage } from '../src/catalog/engine.ts';
import type { Sbom } from '../src/core/sbom.ts';
import { openImage } from '../src/image/open.ts';
import { baseImageFacts } from '../src/server/analysis/base-image.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../src/server/context.ts';
import { setPassword } from '../src/server/auth/passwords.ts';
import { defaultWebRoot } from '../src/server/http/web.ts';
import { analyseSbom, storedReport } from '../src/server/results.ts';
import { startServer, type RunningServer } from '../src/server/server.ts';
import { fixtureDatabase } from '../test/helpers/feeds.ts';
import { FIXTURE_OCI, PROJECT_ROOT } from '../test/helpers/fixtures.ts';
import { postgresUnavailable, startPostgres } from '../test/helpers/postgres.ts';

const IMAGES = 10_000;
const PER_REPOSITORY = 5;
const TARGET_MS = 1000;
const FIXTURES = ['app-bullseye', 'app-bookworm', 'debian-bullseye-base', 'debian-bookworm-base'];
const QUERIES = [
  ['first page (default order, 50)', 'limit=50'],
  ['latest per repository, most critical first', 'latest=true&sort=critical&limit=50'],
  ['high severity, by total, page 100', 'severity=high&sort=total&limit=50&offset=4950'],
  ['repository name contains "07"', 'q=07&latest=true&limit=50'],
] as const;
const CHROMIUM = '/usr/bin/chromium';
const EMAIL = 'owner@bench.test';
const PASSWORD = 'correct horse battery staple';
const PAGE_ROWS = 25;
const RELOADS = 5;

interface Analysed {
  sbom: string;
  report: string;
  counts: string;
  baseImage: string | null;
  /** Every finding's id. */
  ids: Set<string>;
}

async function analyseFixtures(cacheDir: string): Promise<Analysed[]> {
  const dataDir = fixtureDatabase();
  const store = SqliteAdvisoryStore.open(dataDir);
  const analysed: Analysed[] = [];
  try {
    for (const ref of FIXTURES) {
      const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir, ref });
      let sbom: Sbom;
      let baseImage: string | null;
      try {
        sbom = await catalogImage(image, { cacheDir });
        baseImage = (await baseImageFacts(dataDir, sbom, image.attestations)).baseImage;
      } finally {
        await image.close();
      }
      const result = await analyseSbom(sbom, store);
      analysed.push({ sbom: JSON.stringify(sbom), report: JSON.stringify(storedReport(result.report)), counts: JSON.stringify(result.counts), baseImage, ids: new Set(result.report.findings.map((finding) => finding.id)) });
    }
  } finally {
    await store.close();
  }
  return analysed;
}

const ms = (value: number): string => `${Math.round(value)} ms (${(value / TARGET_MS).toFixed(4)} of the 1 s target)`;

/** Why the browser part cannot run here, or undefined. Builds the pages when the checkout has not been built. */
function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (install Debian's chromium to measure the page in a browser)`;
  if (!existsSync(join(defaultWebRoot(), 'index.html'))) {
    try {
      execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    } catch (error) {
      return `the dashboard is not built and building it failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return undefined;
}

/** The Images page in chromium: sign in through the page, then time the first page's rows, cold and warm. */
async function browserPart(browser: Browser, server: RunningServer, database: string, total: number): Promise<void> {
  await setPassword(server.ctx.sql, EMAIL, PASSWORD);
  const url = `${server.url}/orgs/bench/images`;
  const signing = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let storageState: Awaited<ReturnType<typeof signing.storageState>>;
  try {
    const page = await signing.newPage();
    page.setDefaultTimeout(30_000);
    // Signed in from a settings page, so the Images page's own query is first asked by the timed load.
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent('/orgs/bench/settings/notifications')}`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/orgs/bench/settings/notifications`);
    storageState = await signing.storageState();
  } finally {
    await signing.close();
  }
  // A fresh context with that session: no cached script, style or answer.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const shown = async (): Promise<void> => {
      await page.locator('table.images tbody tr').nth(PAGE_ROWS - 1).waitFor({ state: 'visible' });
      await page.locator('#images-count').filter({ hasText: `Repositories 1–${PAGE_ROWS} of ${total}` }).waitFor({ state: 'visible' });
    };
    let start = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await shown();
    const cold = performance.now() - start;
    const times: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      start = performance.now();
      await page.reload({ waitUntil: 'commit' });
      await shown();
      times.push(performance.now() - start);
    }
    const warm = times.sort((a, b) => a - b)[Math.floor(RELOADS / 2)]!;
    console.log(`  Images page in chromium (${database}), goto to the first ${PAGE_ROWS} of ${total} rows visible: warm median of ${RELOADS} reloads ${ms(warm)}; cold (first load) ${ms(cold)}`);
  } finally {
    await context.close();
  }
}

async function run(database: string, databaseUrl: string | undefined, analysed: Analysed[], browser: Browser | string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-dashboard-bench-'));
  const server = await startServer({
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    dataDir, cacheDir: join(dataDir, 'cache'), publicUrl: '', secretKey: randomBytes(32), maxImageBytes: DEFAULT_MAX_IMAGE_BYTES, maxBodyBytes: 1 << 20,
    concurrency: 1, dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 600_000, insecureRegistries: true, listen: { host: '127.0.0.1', port: 0 }, worker: false, log: () => undefined,
  });
  try {
    const sql = server.ctx.sql;
    const { org, token } = await server.ctx.accounts.createOrg('bench', 'owner@bench.test', { plan: 'business' });
    // The vulnerability page of a CVE every fixture image has (its images: every one of the 10,000).
    const common = [...analysed[0]!.ids].sort().find((id) => id.startsWith('CVE-') && analysed.every((entry) => entry.ids.has(id)))!;
    let start = performance.now();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let first = 0; first < IMAGES; first += 500) {
      await sql.transaction(async (tx) => {
        for (let n = first; n < Math.min(IMAGES, first + 500); n++) {
          const repository = Math.floor(n / PER_REPOSITORY);
          const repositoryId = `repository-${repository}`;
          if (n % PER_REPOSITORY === 0) {
            await tx.run('INSERT INTO repositories (id, org_id, registry, name, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)', [
              repositoryId, org.id, 'registry.bench.test', `team-${repository % 20}/service-${String(repository).padStart(4, '0')}`, t0,
            ]);
          }
          const entry = analysed[n % analysed.length]!;
          const digest = `sha256:${n.toString(16).padStart(64, '0')}`;
          const pushedAt = t0 + n * 60_000;
          const imageId = randomUUID();
          await tx.run(
            'INSERT INTO images (id, org_id, repository_id, digest, platform, size, pushed_at, analysed_at, sbom, report, counts, base_image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [imageId, org.id, repositoryId, digest, 'linux/amd64', 30_000_000, pushedAt, pushedAt + 5000, entry.sbom, entry.report, entry.counts, entry.baseImage],
          );
          await tx.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, `1.${n % PER_REPOSITORY}`, digest, pushedAt]);
          if (entry.ids.has(common)) await tx.run('INSERT INTO image_vulnerabilities (image_id, vulnerability) VALUES (?, ?)', [imageId, common]);
        }
      });
    }
    console.log(`dashboard images list (${database}): ${IMAGES} analysed images in ${IMAGES / PER_REPOSITORY} repositories inserted in ${Math.round(performance.now() - start)} ms`);
    for (const [label, query] of QUERIES) {
      const times: number[] = [];
      let shown = 0;
      let total = 0;
      // The first request of each query is cold (the file's pages not yet in the OS cache): shown apart.
      start = performance.now();
      await (await fetch(`${server.url}/api/v1/orgs/bench/images?${query}`, { headers: { authorization: `Bearer ${token}` } })).json();
      const cold = performance.now() - start;
      for (let i = 0; i < 5; i++) {
        start = performance.now();
        const response = await fetch(`${server.url}/api/v1/orgs/bench/images?${query}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as { images: unknown[]; total: number };
        times.push(performance.now() - start);
        if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
        shown = body.images.length;
        total = body.total;
      }
      const median = times.sort((a, b) => a - b)[2]!;
      console.log(`  ${label}: ${shown} of ${total} images, median ${Math.round(median)} ms (${(median / TARGET_MS).toFixed(4)} of the 1 s target); cold ${Math.round(cold)} ms (${(cold / TARGET_MS).toFixed(4)})`);
    }
    start = performance.now();
    const page = await fetch(`${server.url}/api/v1/orgs/bench/vulnerabilities/${common}`, { headers: { authorization: `Bearer ${token}` } });
    const vulnerability = (await page.json()) as { images?: unknown[] };
    const pageMs = performance.now() - start;
    console.log(`  vulnerability page of ${common} (in every image): its first ${vulnerability.images?.length ?? page.status} images in ${Math.round(pageMs)} ms (${(pageMs / TARGET_MS).toFixed(4)} of 1 s)`);
    if (typeof browser === 'string') console.log(`  Images page in chromium (${database}): skipped, ${browser}`);
    else await browserPart(browser, server, database, IMAGES / PER_REPOSITORY);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'spyglass-dashboard-bench-cache-'));
  try {
    const analysed = await analyseFixtures(work);
    const unavailable = browserUnavailable();
    const browser = unavailable ?? await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      await run('SQLite', undefined, analysed, browser);
      if (postgresUnavailable() === undefined) {
        const postgres = await startPostgres();
        try {
          await run('PostgreSQL', await postgres.createDatabase('dashboard_bench'), analysed, browser);
        } finally {
          await postgres.stop();
        }
      } else {
        console.log(`dashboard images list (PostgreSQL): skipped, ${postgresUnavailable()}`);
      }
    } finally {
      if (typeof browser !== 'string') await browser.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
