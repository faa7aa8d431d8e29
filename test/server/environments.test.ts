// Environments on the server and the CLI that uses them: images recorded in `production` and `staging`,
// listed, the trend between two images of one repository recorded one after the other (app-bullseye,
// then app-bookworm), two organizations that cannot see each other's environments, roles, and the CLI:
// `spyglass environment`, `compare --to-env`, `cves --env`, with bad input. Real parts: the fixture
// images catalogued from the fixture OCI layout and analysed as the server analyses them (analyseSbom,
// saveResult, evaluateImagePolicies with the organization's policies), the vulnerability database built
// from the shared feeds, a real registry that IMAGE is pulled from, the CLI in its own processes.
// Expected counts and policy changes come from the independent findings computation over the raw
// advisory files and the fixture manifests (test/helpers/expected-findings.ts) and from the images'
// config blobs read here; nothing is pasted from Spyglass's output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseGeneration } from '../../src/advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { openImage } from '../../src/image/open.ts';
import { imageFacts } from '../../src/policy/facts.ts';
import { evaluateImagePolicies } from '../../src/server/policies.ts';
import { seeRepository } from '../../src/server/repositories.ts';
import { analyseSbom, saveResult } from '../../src/server/results.ts';
import { expectedFindings, fixtureManifest, type ExpectedFinding } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { acmeWithRoles, call, startTestServer, type TestServer } from './api-server.ts';

const FIXABLE = 'Fixable vulnerabilities';
const NON_ROOT = 'Default non-root user';
const DOCUMENT = { policies: [{ type: 'custom-vulnerability', name: FIXABLE, fixStatus: 'fixed' }, { type: 'non-root-user', name: NON_ROOT }] };
const LAYOUT = `oci-dir://${FIXTURE_OCI}`;
const LEVELS = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
type Counts = Record<(typeof LEVELS)[number], number>;

/** The CLI in its own process, without blocking this process (its server answers the CLI). */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The `User` of a fixture image's config, read from the OCI layout's blobs (index → manifest → config). */
function configUser(name: string): string | undefined {
  const blob = (digest: string) => JSON.parse(readFileSync(join(FIXTURE_OCI, 'blobs', ...digest.split(':')), 'utf8')) as Record<string, unknown>;
  const index = JSON.parse(readFileSync(join(FIXTURE_OCI, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((manifest) => manifest.annotations?.['org.opencontainers.image.ref.name'] === name)!;
  const manifest = blob(entry.digest) as { config: { digest: string } };
  const config = blob(manifest.config.digest) as { config?: { User?: string } };
  const user = config.config?.User;
  return user === undefined || user === '' ? undefined : user;
}

/**
 * Findings of the independent computation, counted as Scout counts them (once per package found: the
 * manifest lists esbuild's Go binary at two paths, so its findings count twice): all, and those with a fix.
 */
function oracle(image: string): { total: number; fixed: number } {
  const packages = fixtureManifest(image).packages;
  const count = (rows: ExpectedFinding[]) => rows.reduce((sum, row) => sum + packages.filter((pkg) => pkg.name === row.package && pkg.version === row.version).length, 0);
  const findings = expectedFindings(image);
  return { total: count(findings), fixed: count(findings.filter((finding) => finding.status === 'fixed')) };
}

const total = (counts: Counts) => LEVELS.reduce((sum, level) => sum + counts[level], 0);

describe('environments', () => {
  const root = mkdtempSync(join(tmpdir(), 'spyglass-environments-'));
  const cacheDir = join(root, 'cache');
  let server: TestServer;
  let registry: TestRegistry;
  let repository: string;
  const tokens = {} as Record<'owner' | 'editor' | 'member', string>;
  let globex: string;
  let orgId: string;
  const digests = {
    bullseye: expectedImage('app-bullseye').manifestDigest,
    bookworm: expectedImage('app-bookworm').manifestDigest,
    base: expectedImage('debian-bookworm-base').manifestDigest,
  };
  const UNANALYSED = `sha256:${'0'.repeat(64)}`;
  const api = (who: keyof typeof tokens | string, method: string, path: string, body?: unknown) =>
    call(server.url, method, `/api/v1/orgs/acme${path}`, { token: tokens[who as keyof typeof tokens] ?? who, ...(body !== undefined ? { body } : {}) });
  let cliEnv: NodeJS.ProcessEnv;
  let closed: string;

  before(async () => {
    server = await startTestServer();
    // A loopback port nothing listens on (taken, then released).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(server.dataDir, 'spyglass.db'));
    registry = await startRegistry();
    repository = `${registry.host}/app`;
    const accounts = server.ctx.accounts;
    const acme = await acmeWithRoles(accounts);
    orgId = acme.orgId;
    Object.assign(tokens, acme.tokens);
    globex = (await accounts.createOrg('globex', 'owner@globex.test')).token;
    assert.equal((await api('owner', 'PUT', '/policies', DOCUMENT)).status, 200);

    // Repositories `REGISTRY/app` (app-bullseye tagged 1, app-bookworm tagged 2 and latest, an image not
    // analysed yet) and `registry.acme.test/base` (debian-bookworm-base tagged 12), analysed as the worker does.
    const sql = server.ctx.sql;
    const now = Date.now();
    const repositories: Record<string, string> = {};
    for (const [registryHost, name] of [[registry.host, 'app'], ['registry.acme.test', 'base']] as const) {
      const id = randomUUID();
      await sql.run('INSERT INTO repositories (id, org_id, registry, name, enabled, enabled_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [id, orgId, registryHost, name, now, now]);
      repositories[name] = id;
    }
    const store = SqliteAdvisoryStore.open(server.dataDir);
    try {
      for (const [fixture, name, tags, pushedAt] of [
        ['app-bullseye', 'app', ['1'], now - 120_000], ['app-bookworm', 'app', ['2', 'latest'], now - 60_000], ['debian-bookworm-base', 'base', ['12'], now],
      ] as const) {
        const image = await openImage(LAYOUT, { cacheDir, ref: fixture });
        let sbom: Sbom;
        let facts: string;
        try {
          sbom = await catalogImage(image, { cacheDir });
          facts = JSON.stringify(await imageFacts(image));
        } finally {
          await image.close();
        }
        const expected = expectedImage(fixture);
        const id = randomUUID();
        await sql.run('INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, pushed_at, image_facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          id, orgId, repositories[name]!, expected.manifestDigest, expected.configDigest, expected.platform, pushedAt, facts,
        ]);
        const result = await analyseSbom(sbom, store);
        await sql.transaction(async (tx) => {
          await saveResult(tx, id, sbom, result, databaseGeneration(server.dataDir)?.generation ?? null);
          await evaluateImagePolicies(tx, id, result.report, 'analysis');
        });
        for (const tag of tags) await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositories[name]!, tag, expected.manifestDigest, pushedAt]);
      }
    } finally {
      await store.close();
    }
    await sql.run('INSERT INTO images (id, org_id, repository_id, digest, platform, pushed_at) VALUES (?, ?, ?, ?, ?, ?)', [randomUUID(), orgId, repositories.app!, UNANALYSED, 'linux/amd64', now]);
    await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositories.app!, 'next', UNANALYSED, now]);
    cliEnv = { SPYGLASS_SERVER: server.url, SPYGLASS_TOKEN: tokens.editor, SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: cacheDir, CI: '1' };
  });
  after(async () => {
    await registry?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('records images in production and staging and lists each environment with the image it runs per repository', async () => {
    const empty = await api('member', 'GET', '/environments');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { environments: [] });

    const first = await api('editor', 'PUT', '/environments/production/images', { image: `${repository}:1` });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.changed, true);
    assert.equal(first.body.image.digest, digests.bullseye);
    assert.equal(first.body.image.previous, null);
    assert.equal(first.body.image.recordedBy, 'editor@acme.test');
    const again = await api('owner', 'PUT', '/environments/production/images', { image: digests.bullseye });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.changed, false, 'the image production already runs: nothing recorded');

    for (const image of [`${repository}@${digests.bookworm}`, 'registry://registry.acme.test/base:12']) {
      const recorded = await api('owner', 'PUT', '/environments/staging/images', { image });
      assert.equal(recorded.status, 200, recorded.text);
    }

    const list = await api('member', 'GET', '/environments');
    assert.equal(list.status, 200);
    const rows = list.body.environments.map((environment: { name: string; images: { repository: string; digest: string; tags: string[] }[] }) =>
      [environment.name, environment.images.map((image) => [image.repository, image.digest, image.tags])]);
    assert.deepEqual(rows, [
      ['production', [[repository, digests.bullseye, ['1']]]],
      ['staging', [[repository, digests.bookworm, ['2', 'latest']], ['registry.acme.test/base', digests.base, ['12']]]],
    ], 'environments by name, repositories by registry and name');
    const production = list.body.environments[0].images[0];
    assert.equal(total(production.vulnerabilities), oracle('app-bullseye').total, 'the counts are the findings of the raw advisories');
    assert.deepEqual(production.policy, { met: 0, total: 2, unknown: 0 }, 'both policies fail: fixable findings, and a config without User');
  });

  it('shows the trend between two images of one repository recorded one after the other in an environment', async () => {
    assert.equal(configUser('app-bullseye'), undefined);
    assert.equal(configUser('app-bookworm'), undefined);
    const recorded = await api('editor', 'PUT', '/environments/production/images', { image: `${repository}:latest` });
    assert.equal(recorded.status, 200, recorded.text);
    const detail = await api('member', 'GET', '/environments/production');
    assert.equal(detail.status, 200);
    assert.equal(detail.body.images.length, 1);
    const image = detail.body.images[0];
    assert.equal(image.digest, digests.bookworm);
    assert.equal(image.previous.digest, digests.bullseye);
    const bullseye = oracle('app-bullseye');
    const bookworm = oracle('app-bookworm');
    assert.equal(image.trend.vulnerabilities.total, bookworm.total - bullseye.total);
    for (const level of LEVELS) assert.equal(image.trend.vulnerabilities[level], image.vulnerabilities[level] - image.previous.vulnerabilities[level]);
    // Fixable: both fail, the one with fewer fixable findings is better; non-root: both fail with the one setting.
    assert.notEqual(bookworm.fixed, bullseye.fixed);
    assert.deepEqual(image.trend.policies.map((delta: { name: string; change: string; image: { violations: number }; other: { violations: number } }) =>
      [delta.name, delta.change, delta.image.violations, delta.other.violations]), [
      [FIXABLE, bookworm.fixed < bullseye.fixed ? 'better' : 'worse', bookworm.fixed, bullseye.fixed],
      [NON_ROOT, 'unchanged', 1, 1],
    ]);
    // Staging still runs app-bookworm as its first image of the repository: no trend there.
    const staging = await api('member', 'GET', '/environments/staging');
    assert.deepEqual(staging.body.images.map((entry: { previous: unknown; trend: unknown }) => [entry.previous, entry.trend]), [[null, null], [null, null]]);
  });

  it('keeps organizations apart and lets Members read but not record', async () => {
    const other = (method: string, path: string, body?: unknown) => call(server.url, method, path, { token: globex, ...(body !== undefined ? { body } : {}) });
    for (const [method, path, body] of [
      ['GET', '/api/v1/orgs/acme/environments', undefined], ['GET', '/api/v1/orgs/acme/environments/production', undefined],
      ['PUT', '/api/v1/orgs/acme/environments/production/images', { image: digests.bullseye }],
      ['GET', `/api/v1/orgs/acme/environments/production/sbom?repository=${repository}`, undefined],
    ] as const) {
      const answer = await other(method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.body.error, 'organization acme not found');
    }
    const own = await other('PUT', '/api/v1/orgs/globex/environments/production/images', { image: digests.bullseye });
    assert.equal(own.status, 404);
    assert.match(own.body.error, /^image sha256:0*[0-9a-f]+ not found in globex/);
    assert.deepEqual((await other('GET', '/api/v1/orgs/globex/environments')).body, { environments: [] });

    const member = await api('member', 'PUT', '/environments/production/images', { image: digests.base });
    assert.equal(member.status, 403);
    assert.match(member.body.error, /environments:write/);
    assert.equal((await api('member', 'GET', '/environments/production')).body.images.length, 1, 'nothing recorded');
  });

  it('answers bad input with one line: names, unknown and unanalysed images, unknown environments', async () => {
    // A multi-platform index (two analysed images, the tag on the index) and one of its digests in a second repository.
    const sql = server.ctx.sql;
    const [amd64, arm64, index] = ['a', 'b', 'c'].map((hex) => `sha256:${hex.repeat(64)}`) as [string, string, string];
    for (const name of ['multi', 'copy']) {
      const repositoryId = await sql.transaction(async (tx) => (await seeRepository(tx, orgId, null, 'registry.acme.test', name)).id);
      const images = name === 'multi' ? [[amd64, 'linux/amd64'], [arm64, 'linux/arm64']] : [[amd64, 'linux/amd64']];
      for (const [digest, platform] of images) {
        await sql.run("INSERT INTO images (id, org_id, repository_id, digest, index_digest, platform, pushed_at, analysed_at, sbom, report, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}', '{}')", [
          randomUUID(), orgId, repositoryId, digest, index, platform, Date.now(), Date.now(),
        ]);
      }
      if (name === 'multi') await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repositoryId, 'latest', index, Date.now()]);
    }
    const cases: [string, string, unknown, number, RegExp][] = [
      ['PUT', '/environments/Production/images', { image: digests.bullseye }, 400, /^environment name "Production": expected/],
      ['PUT', `/environments/${'a'.repeat(64)}/images`, { image: digests.bullseye }, 400, /^environment name/],
      ['PUT', '/environments/production/images', {}, 400, /^image: required/],
      ['PUT', '/environments/production/images', { image: digests.bullseye, tag: 'x' }, 400, /^unknown field "tag"/],
      ['PUT', '/environments/production/images', { image: 'Not A Reference' }, 400, /^invalid image reference "Not A Reference"/],
      ['PUT', '/environments/production/images', { image: `sha256:${'1'.repeat(64)}` }, 404, /not found in acme \(only images the server has analysed/],
      ['PUT', '/environments/production/images', { image: 'registry.acme.test/nothing:1' }, 404, /repository registry\.acme\.test\/nothing not found in acme/],
      ['PUT', '/environments/production/images', { image: `${repository}:9` }, 404, /has no tag 9 in acme/],
      ['PUT', '/environments/production/images', { image: `${repository}:next` }, 404, /has not been analysed yet/],
      ['PUT', '/environments/production/images', { image: 'registry.acme.test/multi' }, 400,
        new RegExp(`^image registry\\.acme\\.test/multi is a multi-platform index: record one of its images: linux/amd64 ${amd64}, linux/arm64 ${arm64}$`)],
      ['PUT', '/environments/production/images', { image: amd64 }, 400,
        new RegExp(`^image ${amd64} is in several repositories of acme \\(registry\\.acme\\.test/copy, registry\\.acme\\.test/multi\\): give registry/repository@${amd64}$`)],
      ['GET', '/environments/testing', undefined, 404, /^environment testing not found in acme$/],
      ['GET', '/environments/production/sbom', undefined, 400, /^\?repository: required/],
      ['GET', '/environments/production/sbom?repository=registry.acme.test/base', undefined, 404, /^environment production has no image of registry\.acme\.test\/base$/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const answer = await api('editor', method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`);
      assert.match(answer.body.error, error);
      assert.doesNotMatch(answer.body.error, /\n/);
    }
  });

  it('spyglass environment lists, shows one environment and records', async () => {
    const listed = await cli(['environment'], cliEnv);
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ENVIRONMENT +REPOSITORY +DIGEST +TAGS +VULNERABILITIES +POLICIES +RECORDED$/);
    assert.match(lines[1]!, new RegExp(`^production +${repository.replace(/[.]/g, '\\.')} +${digests.bookworm.slice(7, 19)} +2,latest +`));
    assert.equal(lines.length, 4);

    const json = await cli(['environment', '--format', 'json'], cliEnv);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).environments.map((environment: { name: string }) => environment.name), ['production', 'staging']);

    const record = await cli(['environment', 'qa', `registry://${repository}:1`], cliEnv);
    assert.equal(record.status, 0, record.stderr);
    assert.equal(record.stdout.split('\n')[0], `qa: recorded ${repository}@${digests.bullseye}`);
    const same = await cli(['environment', 'qa', digests.bullseye], cliEnv);
    assert.equal(same.stdout, `qa: already runs ${repository}@${digests.bullseye} (nothing changed)\n`);
    const shown = await cli(['environment', 'production'], cliEnv);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`against ${digests.bullseye.slice(7, 19)}: [+-]?\\d+ vulnerabilities policies \\d better, \\d worse, 1 unchanged`));

    const member = await cli(['environment', 'qa', digests.bookworm], { ...cliEnv, SPYGLASS_TOKEN: tokens.member });
    assert.equal(member.status, 1);
    assert.match(member.stderr, /^spyglass: PUT \S+: your role in acme is member, which may not do this \(environments:write\) \(HTTP 403\)\n$/);
  });

  it('compare IMAGE --to-env compares with the environment\'s image exactly as with two images', async () => {
    await pushFixture(registry, 'app-bookworm', 'app:2');
    // staging runs app-bookworm for REGISTRY/app; production ran app-bullseye before app-bookworm: qa runs app-bullseye.
    const toEnv = await cli(['compare', `registry://${repository}:2`, '--insecure-registry', registry.host, '--to-env', 'qa', '--format', 'json'], cliEnv);
    assert.equal(toEnv.status, 0, toEnv.stderr);
    const direct = await cli(['compare', LAYOUT, '--ref', 'app-bookworm', '--to', LAYOUT, '--to-ref', 'app-bullseye', '--format', 'json'], cliEnv);
    assert.equal(direct.status, 0, direct.stderr);
    const a = JSON.parse(toEnv.stdout) as { summary: unknown; packages: unknown; vulnerabilities: unknown; other: { manifestDigest: string; name: string }; policies: { type: string; change: string }[] };
    const b = JSON.parse(direct.stdout) as typeof a;
    assert.deepEqual(a.summary, b.summary);
    assert.deepEqual(a.packages, b.packages);
    assert.deepEqual(a.vulnerabilities, b.vulnerabilities);
    assert.equal(a.other.manifestDigest, digests.bullseye);
    // The stored SBOM has no image config: the non-root policy cannot be compared.
    assert.equal(a.policies.find((delta) => delta.type === 'non-root-user')?.change, 'unknown');
    assert.equal(b.policies.find((delta) => delta.type === 'non-root-user')?.change, 'unchanged');
  });

  it('cves IMAGE --env analyses the environment\'s image of IMAGE\'s repository from its stored SBOM, without pulling', async () => {
    const pulls = registry.accessLog().length;
    const fromEnv = await cli(['cves', `${repository}:2`, '--env', 'qa', '--format', 'json'], cliEnv);
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.equal(registry.accessLog().length, pulls, 'the registry was not asked');
    const direct = await cli(['cves', LAYOUT, '--ref', 'app-bullseye', '--format', 'json'], cliEnv);
    const a = JSON.parse(fromEnv.stdout) as { summary: Counts; vulnerabilities: unknown[] };
    const b = JSON.parse(direct.stdout) as typeof a;
    assert.deepEqual(a.summary, b.summary);
    assert.deepEqual(a.vulnerabilities, b.vulnerabilities);
    assert.match(fromEnv.stdout, new RegExp(digests.bullseye));
  });

  it('refuses bad input on the command line with one line and exit 1', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['environment', 'Prod'], {}, /^spyglass: environment "Prod": expected 1 to 63 lower-case letters/],
      [['environment', 'nowhere'], {}, /^spyglass: GET \S+: environment nowhere not found in acme \(HTTP 404\)$/],
      [['environment', 'qa', `sha256:${'1'.repeat(64)}`], {}, /not found in acme \(only images the server has analysed can be recorded\) \(HTTP 404\)$/],
      [['environment', 'qa', 'archive://app.tar'], {}, /^spyglass: archive:\/\/app\.tar: give an image the server has analysed/],
      [['environment'], { SPYGLASS_SERVER: closed }, /^spyglass: cannot reach the server at http:\/\/127\.0\.0\.1:\d+: /],
      [['cves', `${repository}:2`, '--env', 'nowhere'], {}, /^spyglass: --env nowhere: environment nowhere not found in acme \(HTTP 404\)$/],
      [['cves', `${repository}:2`, '--env', 'Bad Name'], {}, /^spyglass: --env "Bad Name": expected/],
      [['cves', 'registry.acme.test/base:12', '--env', 'qa'], {}, /^spyglass: --env qa: environment qa has no image of registry\.acme\.test\/base \(HTTP 404\)$/],
      [['cves', `sbom://x.json`, '--env', 'qa'], {}, /^spyglass: --env qa: sbom:\/\/x\.json names no repository/],
      [['cves', `${repository}:2`, '--env', 'qa'], { SPYGLASS_SERVER: closed }, /^spyglass: --env qa: cannot reach the server at http:\/\/127\.0\.0\.1:\d+: /],
      [['compare', `${repository}:2`, '--to-env', 'nowhere'], {}, /^spyglass: --to-env nowhere: environment nowhere not found in acme/],
      [['compare', `${repository}:2`, '--to-env', 'qa', '--to', 'x'], {}, /^spyglass: --to and --to-env exclude each other/],
      [['compare', `${repository}:2`], {}, /^spyglass: --to or --to-env: give the image to compare with/],
    ];
    for (const [args, env, error] of cases) {
      const result = await cli(args, { ...cliEnv, ...env });
      assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr.trimEnd(), error, args.join(' '));
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    }
  });
});
