// `spyglass login SERVER` / `spyglass logout` against a real Spyglass server started in this process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../server/api-server.ts';
import { CLEAN_ENV, runInProcess, temporaryDir } from './config-helpers.ts';

/** The CLI in its own process with `input` on standard input (spawnSync would block this process's server). */
function runWithStdin(args: string[], input: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('spyglass login and logout', () => {
  let server: TestServer;
  let url: string;
  let token: string;
  let tmp: ReturnType<typeof temporaryDir>;
  let file: string;
  const run = (argv: string[]) => runInProcess(argv, { ...CLEAN_ENV, SPYGLASS_CONFIG: file });

  before(async () => {
    server = await startTestServer();
    url = server.url;
    tmp = temporaryDir('spyglass-login-');
    const created = runCli(['--data-dir', server.dataDir, 'admin', 'create-org', 'acme', '--owner', 'owner@acme.test', '--format', 'json'], { env: { SPYGLASS_CONFIG: join(tmp.dir, 'none.yaml') } });
    assert.equal(created.status, 0, created.stderr);
    token = (JSON.parse(created.stdout) as { token: string }).token;
  });
  after(async () => {
    await server.stop();
    tmp.remove();
  });

  it('a refused token stores nothing', async () => {
    file = join(tmp.dir, 'refused', 'config.yaml');
    assert.deepEqual(await run(['login', url, '--token', 'spy_not-a-token']), {
      status: 1, stdout: '', stderr: `spyglass: login ${url}: GET /api/v1/me: invalid or revoked API token (HTTP 401); nothing was stored\n`,
    });
    assert.equal(existsSync(file), false);
    assert.deepEqual(await run(['login', url]), { status: 1, stdout: '', stderr: 'spyglass: login: no token: give --token-stdin (the token on standard input) or --token TOKEN\n' });
    assert.equal((await run(['login', 'http://127.0.0.1:1', '--token', token])).stderr.startsWith('spyglass: login http://127.0.0.1:1: cannot reach the server at http://127.0.0.1:1: '), true);
  });

  it('login --token-stdin checks the token, stores server and token with mode 0600; the client commands then need neither flag', async () => {
    file = join(tmp.dir, 'stdin', 'config.yaml');
    const login = await runWithStdin(['login', `${url}/`, '--token-stdin'], `${token}\n`, { ...CLEAN_ENV, SPYGLASS_CONFIG: file });
    assert.deepEqual(login, { status: 0, stdout: `Logged in to ${url} as owner@acme.test (organization acme); token stored in ${file}\n`, stderr: '' });
    assert.equal(readFileSync(file, 'utf8'), `server: ${url}\ntoken: ${token}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const repos = await run(['repo', 'list', '--format', 'json']);
    assert.deepEqual([repos.status, repos.stderr, (JSON.parse(repos.stdout) as { plan: string; repositories: unknown[] })], [0, '', { repositories: [], activated: 0, limit: 3, plan: 'free' }]);
  });

  it('logout removes the token and keeps the server; the client commands then say there is no token', async () => {
    file = join(tmp.dir, 'logout', 'config.yaml');
    assert.equal((await run(['login', url, '--token', token])).status, 0);
    assert.deepEqual(await run(['logout']), { status: 0, stdout: `Removed the token for ${url} from ${file}\n`, stderr: '' });
    assert.equal(readFileSync(file, 'utf8'), `server: ${url}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await run(['repo', 'list']), { status: 1, stdout: '', stderr: 'spyglass: no API token: give --token TOKEN or set SPYGLASS_TOKEN\n' });
    assert.deepEqual(await run(['logout']), { status: 0, stdout: `Not logged in: ${file} holds no token\n`, stderr: '' });
  });
});
