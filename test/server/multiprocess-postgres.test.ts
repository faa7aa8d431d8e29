// The server as separate processes on a real PostgreSQL server: one `spyglass serve --no-worker` (API and
// webhook receivers only) and two `spyglass worker` processes, each with its own data and cache
// directory, sharing the queue through the database; a real docker-registry notifies the API. The
// organization, integration and activations are made with the CLI; fixture images are pushed with
// skopeo; one worker is killed with SIGKILL while it analyses an image. Every pushed image must be
// analysed exactly once: one image row per platform digest, one `analysis` evaluation each, every
// analyse job done, and the killed worker's job finished by the other worker on its second attempt.
// Expected digests come from ../shared/fixtures/manifests (skopeo/umoci), not from Spyglass.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openServerDatabase } from '../../src/server/db/open.ts';
import { toNumber, type Sql } from '../../src/server/db/sql.ts';
import { runCli } from '../helpers/cli.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';

const LEASE_SECONDS = 4;
const skip = postgresUnavailable();

interface CliProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
}

/** Starts a long-running `spyglass …` process (from the sources, as runCli does) and waits for `ready` on its stderr. */
function startCli(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<CliProcess & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spyglass ${args.join(' ')} not ready in 60 s: ${output}`)), 60_000);
    child.once('exit', (code, signal) => reject(new Error(`spyglass ${args.join(' ')} exited (${code ?? signal}) before it was ready: ${output}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
      const match = ready.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid!, output: () => output, match });
      }
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function cliJson<T>(args: string[], env: NodeJS.ProcessEnv = {}): T {
  const result = runCli(args, { env });
  assert.equal(result.status, 0, `spyglass ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The pid inside a worker id (`HOST/PID/RANDOM`, jobs/worker.ts). */
function pidOf(lockedBy: unknown): number {
  const parts = String(lockedBy).split('/');
  return parts.length === 3 && parts[0] === hostname() ? Number(parts[1]) : NaN;
}

describe('one API process and two worker processes on PostgreSQL, a worker killed mid-job', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spyglass-multiprocess-'));
  const env = { SPYGLASS_SECRET_KEY: randomBytes(32).toString('hex'), SPYGLASS_DATABASE_URL: '', SPYGLASS_SERVER: '', SPYGLASS_TOKEN: '' };
  let postgres: PostgresServer;
  let databaseUrl: string;
  let sql: Sql;
  let api: CliProcess & { match: RegExpExecArray };
  let apiUrl: string;
  let token: string;
  const workers: CliProcess[] = [];
  let registry: TestRegistry;

  /** A data directory with its own copy of the vulnerability database, and a cache directory (another machine). */
  const machine = (name: string): string[] => {
    const dataDir = join(dir, name, 'data');
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
    return ['--data-dir', dataDir, '--cache-dir', join(dir, name, 'cache')];
  };

  before(async () => {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase('multiprocess');
    api = await startCli([...machine('api'), 'serve', '--database', databaseUrl, '--listen', '127.0.0.1:0', '--no-worker'], env, /listening on (http:\/\/\S+)/);
    apiUrl = api.match[1]!;
    sql = await openServerDatabase({ dataDir: dir, databaseUrl });
    token = cliJson<{ token: string }>(['admin', 'create-org', 'acme', '--owner', 'owner@example.com', '--database', databaseUrl, '--format', 'json'], env).token;
  });

  after(async () => {
    await Promise.all([...workers.map((worker) => stop(worker.child)), stop(api?.child)]);
    await registry?.stop();
    await sql?.close();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('analyses every pushed image exactly once, the killed worker\'s job taken over by the other', { timeout: 150_000 }, async () => {
    const client = ['--server', apiUrl, '--token', token];
    const integration = cliJson<{ id: string; webhookUrl: string; secret: string }>(
      ['integration', 'add', '--type', 'distribution', '--name', 'lab', '--format', 'json', ...client], env,
    );
    assert.equal(integration.webhookUrl, `${apiUrl}/webhooks/distribution/${integration.id}`);
    registry = await startRegistry({}, { notify: { url: integration.webhookUrl, authorization: `Bearer ${integration.secret}` } });
    // Three repositories: the free plan's limit.
    for (const name of ['lab/app', 'lab/base', 'lab/multi']) {
      const enabled = runCli(['repo', 'enable', `${registry.host}/${name}`, ...client], { env });
      assert.equal(enabled.status, 0, enabled.stderr);
    }
    for (const name of ['worker-a', 'worker-b']) {
      workers.push(await startCli([...machine(name), 'worker', '--database', databaseUrl, '--concurrency', '1', '--lease-seconds', String(LEASE_SECONDS), '--insecure-registry'],
        env, /worker started/));
    }
    const repositoryIds = new Map((await sql.all('SELECT id, name FROM repositories')).map((row) => [String(row.name), String(row.id)]));

    // What is pushed, and the images it must give (one per platform).
    const pushes: [string, string, { all?: boolean }][] = [
      ['multiarch', 'lab/multi:latest', { all: true }], // first: its untagged platform manifests' own jobs wait 30 s
      ['app-bookworm', 'lab/app:v1', {}],
      ['app-bullseye', 'lab/app:v2', {}],
      ['debian-bookworm-base', 'lab/base:v1', {}],
      ['debian-bullseye-base', 'lab/base:v2', {}],
      ['debian-bullseye-refreshed', 'lab/base:v3', {}],
    ];
    const expected = [
      ['lab/multi', 'multiarch-amd64'], ['lab/multi', 'multiarch-arm64'], ['lab/app', 'app-bookworm'], ['lab/app', 'app-bullseye'],
      ['lab/base', 'debian-bookworm-base'], ['lab/base', 'debian-bullseye-base'], ['lab/base', 'debian-bullseye-refreshed'],
    ].map(([repository, image]) => `${repository} ${expectedImage(image!).manifestDigest}`).sort();
    // The app images take the longest to catalogue: the worker that starts one of them is the one killed.
    const slow = new Set(['app-bookworm', 'app-bullseye'].map((image) => expectedImage(image).manifestDigest));

    const victimFound = waitFor('a worker analysing an app image', async () => {
      const running = await sql.all("SELECT id, locked_by, payload FROM jobs WHERE kind = 'analyse' AND status = 'running'");
      const row = running.find((job) => slow.has((JSON.parse(String(job.payload)) as { digest: string }).digest));
      if (row === undefined) return undefined;
      const worker = workers.find((candidate) => candidate.pid === pidOf(row.locked_by));
      return worker === undefined ? undefined : { jobId: String(row.id), worker };
    }, 90_000, 20);
    for (const [image, repoTag, options] of pushes) await pushFixture(registry, image, repoTag, options);

    const { jobId, worker: victim } = await victimFound;
    const survivor = workers.find((worker) => worker !== victim)!;
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;
    const atKill = (await sql.get('SELECT status, locked_by, attempts FROM jobs WHERE id = ?', [jobId]))!;
    assert.deepEqual([atKill.status, pidOf(atKill.locked_by), toNumber(atKill.attempts)], ['running', victim.pid, 1], 'killed while it held the job');

    await waitFor('every image analysed and every analyse job ended', async () => {
      const open = await sql.get("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'analyse' AND status IN ('queued', 'running')");
      const analysed = await sql.get('SELECT COUNT(*) AS n FROM images WHERE analysed_at IS NOT NULL');
      return toNumber(open?.n) === 0 && toNumber(analysed?.n) >= expected.length ? true : undefined;
    }, 90_000, 250);

    // One image row per platform digest, each analysed.
    const images = await sql.all('SELECT i.id, r.name, i.digest, i.analysed_at FROM images i JOIN repositories r ON r.id = i.repository_id');
    assert.deepEqual(images.map((row) => `${String(row.name)} ${String(row.digest)}`).sort(), expected);
    assert.ok(images.every((row) => row.analysed_at !== null));
    // Exactly one analysis per image.
    const evaluations = await sql.all("SELECT image_id, COUNT(*) AS n FROM evaluations WHERE reason = 'analysis' GROUP BY image_id");
    assert.deepEqual(evaluations.map((row) => String(row.image_id)).sort(), images.map((row) => String(row.id)).sort());
    assert.ok(evaluations.every((row) => toNumber(row.n) === 1), JSON.stringify(evaluations));

    // Every analyse job done; none was run by the API process; the killed one finished by the survivor.
    const jobs = await sql.all("SELECT id, status, attempts, locked_by, error, payload FROM jobs WHERE kind = 'analyse'");
    assert.ok(jobs.length >= pushes.length, `${jobs.length} analyse jobs`);
    for (const job of jobs) {
      assert.equal(job.status, 'done', `${String(job.payload)}: ${String(job.error)}`);
      assert.notEqual(pidOf(job.locked_by), api.pid);
    }
    const killed = jobs.find((job) => job.id === jobId)!;
    assert.equal(toNumber(killed.attempts), 2);
    assert.equal(pidOf(killed.locked_by), survivor.pid);
    const pushedDigests = new Set(jobs.map((job) => (JSON.parse(String(job.payload)) as { repositoryId: string; digest: string })).map((p) => `${p.repositoryId} ${p.digest}`));
    for (const [image, repoTag] of pushes) {
      const repository = repoTag.slice(0, repoTag.indexOf(':'));
      const digest = image === 'multiarch' ? undefined : expectedImage(image).manifestDigest;
      if (digest !== undefined) assert.ok(pushedDigests.has(`${repositoryIds.get(repository)} ${digest}`), `a job for ${repoTag}`);
    }

    // And through the API of the process that ran none of it.
    const response = await fetch(`${apiUrl}/api/v1/orgs/acme/images`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const listed = (await response.json()) as { images: { digest: string; vulnerabilities: Record<string, number> }[] };
    assert.deepEqual(listed.images.map((image) => image.digest).sort(), expected.map((line) => line.split(' ')[1]).sort());
    assert.ok(api.child.exitCode === null && survivor.child.exitCode === null, 'the API and the surviving worker still run');
  });
});
