// The server's CLI as an operator and a user run it: `spyglass serve` in its own process on a loopback
// port, `spyglass admin …` against the same data directory, and the client commands talking to the API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';

/** Starts `spyglass serve --listen 127.0.0.1:0` and resolves with its URL from the `listening on` line. */
function serve(dataDir: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/cli/main.ts'), '--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0'], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SPYGLASS_SECRET_KEY: 'ab'.repeat(32) },
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spyglass serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`spyglass serve exited with ${code}: ${stderr}`));
    });
  });
}

describe('spyglass serve, admin, repo, integration, notification', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let token: string;
  const client = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env: { SPYGLASS_SERVER: server.url, SPYGLASS_TOKEN: token, ...env } });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spyglass-cli-server-'));
    server = await serve(dataDir);
  });
  after(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('admin create-org --format json prints a token that works against the running server', () => {
    const created = runCli(['--data-dir', dataDir, 'admin', 'create-org', 'acme', '--owner', 'owner@acme.test', '--format', 'json']);
    assert.equal(created.status, 0, created.stderr);
    const answer = JSON.parse(created.stdout) as { token: string; org: string };
    assert.equal(answer.org, 'acme');
    assert.match(answer.token, /^spy_[A-Za-z0-9_-]{43}$/);
    token = answer.token;
    const listed = client(['repo', 'list', '--format', 'json']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), { repositories: [], activated: 0, limit: 3, plan: 'free' });
    const again = runCli(['--data-dir', dataDir, 'admin', 'create-org', 'acme', '--owner', 'x@acme.test']);
    assert.deepEqual([again.status, again.stderr], [1, 'spyglass: organization acme already exists\n']);
  });

  it('repo enable activates up to the free plan limit of 3, then exits 1 naming the limit and the plan', () => {
    for (const name of ['one', 'two', 'three']) {
      const enabled = client(['repo', 'enable', `registry.acme.test:5000/team/${name}`]);
      assert.equal(enabled.status, 0, enabled.stderr);
      assert.equal(enabled.stdout, `registry.acme.test:5000/team/${name}: enabled\n`);
    }
    const refused = client(['repo', 'enable', 'registry.acme.test:5000/team/four']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^spyglass: .*organization acme already has 3 activated repositories, the limit of its plan "free"; deactivate one, or raise the limit with `spyglass admin set-plan` \(HTTP 409\)\n$/);
    const list = client(['repo', 'list']);
    assert.match(list.stdout, /^registry\.acme\.test:5000\/team\/four +no +/m);
    assert.match(list.stdout, /^3 of 3 activated \(plan free\)$/m);

    const disabled = client(['repo', 'disable', 'registry.acme.test:5000/team/one']);
    assert.deepEqual([disabled.status, disabled.stdout], [0, 'registry.acme.test:5000/team/one: disabled\n']);
    assert.equal(client(['repo', 'enable', 'registry.acme.test:5000/team/four']).status, 0);

    const plan = runCli(['--data-dir', dataDir, 'admin', 'set-plan', 'acme', 'team']);
    assert.equal(plan.status, 0, plan.stderr);
    assert.equal(client(['repo', 'enable', 'registry.acme.test:5000/team/one']).status, 0);
    const unknown = client(['repo', 'disable', 'registry.acme.test:5000/team/none']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^spyglass: no repository registry\.acme\.test:5000\/team\/none in acme/);
  });

  it('integration add --format json prints exactly {id, webhookUrl, secret}; list and remove', () => {
    const added = client(['integration', 'add', '--type', 'distribution', '--name', 'lab', '--format', 'json']);
    assert.equal(added.status, 0, added.stderr);
    const answer = JSON.parse(added.stdout) as { id: string; webhookUrl: string; secret: string };
    assert.deepEqual(Object.keys(answer), ['id', 'webhookUrl', 'secret']);
    assert.equal(answer.webhookUrl, `${server.url}/webhooks/distribution/${answer.id}`);
    assert.match(answer.secret, /^[A-Za-z0-9_-]{43}$/);
    const listed = client(['integration', 'list']);
    assert.match(listed.stdout, new RegExp(`^lab +distribution +- +${server.url}/webhooks/distribution/${answer.id} +${answer.id}$`, 'm'));
    assert.ok(!listed.stdout.includes(answer.secret));
    const badType = client(['integration', 'add', '--type', 'quay', '--name', 'q']);
    assert.deepEqual([badType.status, badType.stderr], [1, 'spyglass: POST /api/v1/orgs/acme/integrations: type "quay": expected one of distribution, harbor, artifactory, poller (HTTP 400)\n']);
    const removed = client(['integration', 'remove', 'lab']);
    assert.deepEqual([removed.status, removed.stdout], [0, 'removed integration lab\n']);
    assert.equal(client(['integration', 'remove', 'lab']).status, 1);
  });

  it('notification add|list|remove, per organization and per repository', () => {
    const hook = client(['notification', 'add', '--org', 'acme', '--url', 'https://hooks.acme.test/spyglass', '--format', 'json']);
    assert.equal(hook.status, 0, hook.stderr);
    const created = JSON.parse(hook.stdout) as { id: string; secret: string };
    assert.match(created.secret, /^[A-Za-z0-9_-]{43}$/);
    const slack = client(['notification', 'add', '--org', 'acme', '--url', 'https://hooks.slack.test/T/B/X', '--slack', '--repository', 'registry.acme.test:5000/team/one']);
    assert.equal(slack.status, 0, slack.stderr);
    const listed = client(['notification', 'list', '--format', 'json']);
    assert.deepEqual((JSON.parse(listed.stdout) as { kind: string; repository?: string }[]).map((t) => [t.kind, t.repository ?? null]), [
      ['webhook', null], ['slack', 'registry.acme.test:5000/team/one'],
    ]);
    assert.equal(client(['notification', 'remove', created.id]).status, 0);
    assert.equal((JSON.parse(client(['notification', 'list', '--format', 'json']).stdout) as unknown[]).length, 1);
  });

  it('admin create-user and token create|revoke; roles apply; errors are one line with exit 1', async () => {
    assert.equal(runCli(['--data-dir', dataDir, 'admin', 'create-user', 'dev@acme.test', '--org', 'acme', '--role', 'member']).status, 0);
    const made = runCli(['--data-dir', dataDir, 'admin', 'token', 'create', '--org', 'acme', '--email', 'dev@acme.test', '--name', 'ci', '--format', 'json']);
    assert.equal(made.status, 0, made.stderr);
    const memberToken = (JSON.parse(made.stdout) as { token: string }).token;
    assert.equal(client(['repo', 'list'], { SPYGLASS_TOKEN: memberToken }).status, 0);
    const forbidden = client(['integration', 'add', '--type', 'harbor', '--name', 'h'], { SPYGLASS_TOKEN: memberToken });
    assert.equal(forbidden.status, 1);
    assert.match(forbidden.stderr, /^spyglass: .*your role in acme is member.*\(HTTP 403\)\n$/);
    const revoke = runCli(['--data-dir', dataDir, 'admin', 'token', 'revoke', memberToken]);
    assert.equal(revoke.status, 0, revoke.stderr);
    const rejected = client(['repo', 'list'], { SPYGLASS_TOKEN: memberToken });
    assert.equal(rejected.status, 1);
    assert.match(rejected.stderr, /^spyglass: GET \/api\/v1\/me: invalid or revoked API token \(check --token or SPYGLASS_TOKEN\) \(HTTP 401\)\n$/);
    const badRole = runCli(['--data-dir', dataDir, 'admin', 'create-user', 'x@acme.test', '--org', 'acme', '--role', 'admin']);
    assert.deepEqual([badRole.status, badRole.stderr], [1, 'spyglass: unknown role "admin" (owner, editor or member)\n']);
    // A port nobody listens on: one just bound and released.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = runCli(['repo', 'list', '--server', `http://127.0.0.1:${port}`, '--token', token]);
    assert.equal(unreachable.status, 1);
    assert.equal(unreachable.stderr, `spyglass: cannot reach the server at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    const noServer = runCli(['repo', 'list'], { env: { SPYGLASS_SERVER: '', SPYGLASS_TOKEN: token } });
    assert.deepEqual([noServer.status, noServer.stderr], [1, 'spyglass: no server: give --server URL or set SPYGLASS_SERVER\n']);
  });

  it('serve stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
