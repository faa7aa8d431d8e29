// Dashboard sign-in against a real server: passwords set through the real CLI and the store, the session
// cookie's attributes, the generic wrong-password answer, the rate limit (429 with Retry-After, a right
// password refused while limited), expiry, CSRF on changes, another organization's 404, sign-out, and
// bearer tokens working as before. Expected answers are the contract's (docs/server.md "Dashboard sign-in").
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCookie, parseSetCookie } from 'cookie';
import { setPassword } from '../../src/server/auth/passwords.ts';
import { hashSecret } from '../../src/server/auth/secrets.ts';
import { SessionStore } from '../../src/server/auth/sessions.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../src/server/context.ts';
import { seeRepository } from '../../src/server/repositories.ts';
import { startServer } from '../../src/server/server.ts';
import { runCli } from '../helpers/cli.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { acmeWithRoles, call, startTestServer, type TestServer } from './api-server.ts';

const PASSWORD = 'correct horse battery';

interface SignIn {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed answer for assertions
  body: any;
  setCookie: string | null;
  retryAfter: string | null;
  cacheControl: string | null;
}

async function signIn(base: string, email: string, password: string): Promise<SignIn> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  return {
    status: response.status, body: await response.json(), setCookie: response.headers.get('set-cookie'),
    retryAfter: response.headers.get('retry-after'), cacheControl: response.headers.get('cache-control'),
  };
}

function sessionSuite(database: 'SQLite' | 'PostgreSQL', skip: string | undefined): void {
describe(`dashboard sign-in (POST/GET/DELETE /api/v1/session, the session cookie on /orgs routes) (${database})`, { skip }, () => {
  let server: TestServer;
  let postgres: PostgresServer | undefined;
  let databaseUrl: string | undefined;
  let tokens: Record<'owner' | 'editor' | 'member', string>;
  let orgId: string;
  const cookieHeader = (setCookie: string | null): string => {
    assert.ok(setCookie !== null, 'a Set-Cookie header');
    const parsed = parseSetCookie(setCookie);
    return `${parsed.name}=${parsed.value}`;
  };
  const withCookie = (cookie: string, headers: Record<string, string> = {}) => ({ headers: { cookie, ...headers } });

  /** A second server process on the same database and data directory (sessions and failures are shared). */
  const anotherServer = (extra: { trustProxy?: string[] } = {}) => startServer({
      ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      dataDir: server.dataDir, cacheDir: join(server.dataDir, 'cache'), publicUrl: '', secretKey: randomBytes(32),
      maxImageBytes: DEFAULT_MAX_IMAGE_BYTES, maxBodyBytes: 64 * 1024, concurrency: 1, dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 60_000,
      insecureRegistries: true, listen: { host: '127.0.0.1', port: 0 }, worker: false, log: () => undefined, ...extra,
  });

  before(async () => {
    if (database === 'PostgreSQL') {
      postgres = await startPostgres();
      databaseUrl = await postgres.createDatabase('session');
    }
    server = await startTestServer(databaseUrl !== undefined ? { databaseUrl } : {});
    const acme = await acmeWithRoles(server.ctx.accounts);
    tokens = acme.tokens;
    orgId = acme.orgId;
    await server.ctx.accounts.createOrg('globex', 'owner@globex.test', { plan: 'business' });
    await server.ctx.accounts.setMember('globex', 'member@acme.test', 'member');
    for (const email of ['editor@acme.test', 'member@acme.test', 'owner@acme.test']) await setPassword(server.ctx.sql, email, PASSWORD);
  });
  after(async () => {
    await server?.stop();
    await postgres?.stop();
  });

  it('signs in: the user, their organizations and a CSRF token; an HttpOnly SameSite=Strict cookie for the whole site', async () => {
    const answer = await signIn(server.url, 'Editor@Acme.test', PASSWORD);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.email, 'editor@acme.test');
    assert.deepEqual(answer.body.orgs, [{ name: 'acme', role: 'editor', plan: 'business' }]);
    assert.match(answer.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(Object.keys(answer.body).sort(), ['csrfToken', 'email', 'orgs']);
    assert.equal(answer.cacheControl, 'no-store');
    const cookie = parseSetCookie(answer.setCookie!);
    assert.equal(cookie.name, 'spyglass_session');
    assert.match(cookie.value!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'strict');
    assert.equal(cookie.path, '/');
    // The test server's public URL is http://127.0.0.1:PORT: no Secure (the browser would never send it back).
    assert.equal(cookie.secure, undefined);
    assert.equal(cookie.maxAge, 7 * 24 * 3600);
    // Only the cookie's hash is stored.
    const rows = await server.ctx.sql.all<{ id: string }>('SELECT id FROM sessions');
    assert.ok(rows.every((row) => row.id !== cookie.value && /^[0-9a-f]{64}$/.test(row.id)));

    const member = await signIn(server.url, 'member@acme.test', PASSWORD);
    assert.deepEqual(member.body.orgs, [{ name: 'acme', role: 'member', plan: 'business' }, { name: 'globex', role: 'member', plan: 'business' }]);
  });

  it('GET /api/v1/session and /api/v1/me answer for the cookie; GET session sets no new cookie', async () => {
    const signedIn = await signIn(server.url, 'editor@acme.test', PASSWORD);
    const cookie = cookieHeader(signedIn.setCookie);
    const response = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('set-cookie'), null);
    assert.deepEqual(await response.json(), { email: 'editor@acme.test', orgs: [{ name: 'acme', role: 'editor', plan: 'business' }], csrfToken: signedIn.body.csrfToken });
    const me = await call(server.url, 'GET', '/api/v1/me', withCookie(cookie));
    assert.deepEqual([me.status, me.body], [200, { email: 'editor@acme.test', orgs: [{ name: 'acme', role: 'editor', plan: 'business' }] }]);
    const none = await call(server.url, 'GET', '/api/v1/session');
    assert.deepEqual([none.status, none.body], [401, { error: 'not signed in' }]);
    const unknown = await call(server.url, 'GET', '/api/v1/session', withCookie(`spyglass_session=${'A'.repeat(43)}`));
    assert.deepEqual([unknown.status, unknown.body], [401, { error: 'not signed in' }]);
  });

  it('answers a wrong password and an unknown email alike, and refuses malformed bodies naming the field', async () => {
    const wrong = await signIn(server.url, 'owner@acme.test', 'not the password');
    const unknown = await signIn(server.url, 'nobody@acme.test', PASSWORD);
    // A user without a password (only a token) cannot sign in either.
    await server.ctx.accounts.setMember('globex', 'token-only@globex.test', 'member');
    const noPassword = await signIn(server.url, 'token-only@globex.test', PASSWORD);
    for (const answer of [wrong, unknown, noPassword]) {
      assert.deepEqual([answer.status, answer.body], [401, { error: 'wrong email or password' }]);
      assert.equal(answer.setCookie, null);
    }
    const missing = await call(server.url, 'POST', '/api/v1/session', { body: { email: 'owner@acme.test' } });
    assert.deepEqual([missing.status, missing.body], [400, { error: 'password: required, a non-empty string' }]);
    const extra = await call(server.url, 'POST', '/api/v1/session', { body: { email: 'owner@acme.test', password: PASSWORD, remember: true } });
    assert.equal(extra.status, 400);
    assert.match(extra.body.error, /^unknown field "remember"/);
    // Failures of this test are forgotten by the right password (owner signs in later).
    assert.equal((await signIn(server.url, 'owner@acme.test', PASSWORD)).status, 200);
  });

  it('after 5 failed sign-ins for an email answers 429 with Retry-After, also to the right password', async () => {
    await setPassword(server.ctx.sql, 'owner@globex.test', PASSWORD);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const answer = await signIn(server.url, 'owner@globex.test', `wrong password ${attempt}`);
      assert.deepEqual([answer.status, answer.body], [401, { error: 'wrong email or password' }], `attempt ${attempt}`);
    }
    for (const password of ['wrong again', PASSWORD]) {
      const limited = await signIn(server.url, 'OWNER@globex.test', password);
      assert.equal(limited.status, 429);
      const seconds = Number(limited.retryAfter);
      assert.ok(Number.isInteger(seconds) && seconds > 14 * 60 && seconds <= 15 * 60, `Retry-After ${limited.retryAfter}`);
      assert.deepEqual(limited.body, { error: `too many failed sign-ins; try again in ${seconds} seconds` });
      assert.equal(limited.setCookie, null);
    }
    // Kept in the database (every process reads it): five rows for the email, none added while limited.
    const rows = await server.ctx.sql.all('SELECT email FROM login_failures WHERE email = ?', ['owner@globex.test']);
    assert.equal(rows.length, 5);
    // Another email from the same address is not limited by this one's failures.
    assert.equal((await signIn(server.url, 'member@acme.test', PASSWORD)).status, 200);
    // When the failures are older than 15 minutes, the right password works again.
    await server.ctx.sql.run('UPDATE login_failures SET at = at - ? WHERE email = ?', [15 * 60_000, 'owner@globex.test']);
    assert.equal((await signIn(server.url, 'owner@globex.test', PASSWORD)).status, 200);
  });

  it('refuses an address after 20 failures within 15 minutes, whatever the emails', async () => {
    const store = new SessionStore(server.ctx.sql, server.ctx.options);
    const now = Date.now();
    for (let n = 0; n < 19; n++) await store.recordFailure(`guess${n}@acme.test`, '203.0.113.7', now - 60_000);
    assert.equal(await store.retryAfter('fresh@acme.test', '203.0.113.7', now), undefined);
    await store.recordFailure('guess19@acme.test', '203.0.113.7', now - 60_000);
    // The 20th most recent failure is a minute old: 14 minutes to wait.
    assert.equal(await store.retryAfter('fresh@acme.test', '203.0.113.7', now), 14 * 60);
    assert.equal(await store.retryAfter('fresh@acme.test', '198.51.100.1', now), undefined);
    await server.ctx.sql.run('DELETE FROM login_failures WHERE address = ?', ['203.0.113.7']);
  });

  it('a second server process on the same database honours the first one\'s sessions and rate limit', async () => {
    const second = await anotherServer();
    try {
      const signedIn = await signIn(server.url, 'owner@acme.test', PASSWORD);
      const cookie = cookieHeader(signedIn.setCookie);
      const there = await call(second.url, 'GET', '/api/v1/session', withCookie(cookie));
      assert.deepEqual([there.status, there.body.email, there.body.csrfToken], [200, 'owner@acme.test', signedIn.body.csrfToken]);
      for (let attempt = 1; attempt <= 5; attempt++) {
        assert.equal((await signIn(attempt % 2 === 0 ? server.url : second.url, 'owner@acme.test', `wrong ${attempt}`)).status, 401);
      }
      for (const base of [server.url, second.url]) {
        const limited = await signIn(base, 'owner@acme.test', PASSWORD);
        assert.equal(limited.status, 429, base);
      }
      // Signed out through the second server, the cookie is refused by the first.
      assert.equal((await call(second.url, 'DELETE', '/api/v1/session', withCookie(cookie, { 'x-csrf-token': signedIn.body.csrfToken }))).status, 204);
      assert.equal((await call(server.url, 'GET', '/api/v1/orgs/acme/images', withCookie(cookie))).status, 401);
    } finally {
      await second.close();
      await server.ctx.sql.run('DELETE FROM login_failures WHERE email = ?', ['owner@acme.test']);
    }
  });

  it('counts the address a trusted proxy forwards (serve --trust-proxy), and ignores X-Forwarded-For otherwise', async () => {
    const behindProxy = await anotherServer({ trustProxy: ['127.0.0.1/32'] });
    const wrongFrom = (base: string, forwardedFor: string) => fetch(`${base}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: 'proxy-test@acme.test', password: 'not the password' }),
    });
    try {
      assert.equal((await wrongFrom(behindProxy.url, '198.51.100.9')).status, 401);
      assert.equal((await wrongFrom(server.url, '198.51.100.10')).status, 401);
      const rows = await server.ctx.sql.all('SELECT address FROM login_failures WHERE email = ? ORDER BY at, address', ['proxy-test@acme.test']);
      assert.deepEqual(rows.map((row) => String(row.address)).sort(), ['127.0.0.1', '198.51.100.9']);
    } finally {
      await behindProxy.close();
      await server.ctx.sql.run('DELETE FROM login_failures WHERE email = ?', ['proxy-test@acme.test']);
    }
  });

  it('with the cookie: reads as a member, changes need X-CSRF-Token (403 when missing or forged), and another organization is 404', async () => {
    const signedIn = await signIn(server.url, 'editor@acme.test', PASSWORD);
    const cookie = cookieHeader(signedIn.setCookie);
    const csrf = signedIn.body.csrfToken as string;
    const images = await call(server.url, 'GET', '/api/v1/orgs/acme/images', withCookie(cookie));
    assert.equal(images.status, 200);
    const repository = await server.ctx.sql.transaction(async (tx) => (await seeRepository(tx, orgId, null, 'registry.acme.test', 'web')).id);
    const path = `/api/v1/orgs/acme/repositories/${repository}/activation`;
    const forged = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    const attempts: Record<string, string>[] = [{}, { 'x-csrf-token': '' }, { 'x-csrf-token': forged }, { 'x-csrf-token': (await signIn(server.url, 'member@acme.test', PASSWORD)).body.csrfToken }];
    for (const headers of attempts) {
      const refused = await call(server.url, 'PUT', path, withCookie(cookie, headers));
      assert.deepEqual([refused.status, refused.body], [403, { error: 'invalid or missing CSRF token' }], JSON.stringify(headers));
    }
    assert.equal((await server.ctx.sql.get<{ enabled: number }>('SELECT enabled FROM repositories WHERE id = ?', [repository]))!.enabled, 0);
    const activated = await call(server.url, 'PUT', path, withCookie(cookie, { 'x-csrf-token': csrf }));
    assert.equal(activated.status, 200);
    assert.equal(activated.body.enabled, true);
    // The role is the user's membership: a member signed in may read, not activate.
    const member = await signIn(server.url, 'member@acme.test', PASSWORD);
    const memberPut = await call(server.url, 'PUT', path, withCookie(cookieHeader(member.setCookie), { 'x-csrf-token': member.body.csrfToken }));
    assert.deepEqual([memberPut.status, memberPut.body], [403, { error: 'your role in acme is member, which may not do this (repositories:write)' }]);
    // globex exists, but the editor is not a member of it: the same 404 as for an organization that does not exist.
    const other = await call(server.url, 'GET', '/api/v1/orgs/globex/images', withCookie(cookie));
    const none = await call(server.url, 'GET', '/api/v1/orgs/initech/images', withCookie(cookie));
    assert.deepEqual([other.status, other.body], [404, { error: 'organization globex not found' }]);
    assert.deepEqual([none.status, none.body], [404, { error: 'organization initech not found' }]);
    // The member of both sees globex's images with the same cookie.
    assert.equal((await call(server.url, 'GET', '/api/v1/orgs/globex/images', withCookie(cookieHeader(member.setCookie)))).status, 200);
  });

  it('an idle session expires (401 "session expired: sign in again"), and so does one past its absolute lifetime', async () => {
    const signedIn = await signIn(server.url, 'editor@acme.test', PASSWORD);
    const cookie = cookieHeader(signedIn.setCookie);
    const idle = server.ctx.options.sessionIdleMs;
    server.ctx.options.sessionIdleMs = 300;
    try {
      assert.equal((await call(server.url, 'GET', '/api/v1/orgs/acme/images', withCookie(cookie))).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      for (const [method, path] of [['GET', '/api/v1/orgs/acme/images'], ['GET', '/api/v1/session'], ['GET', '/api/v1/me'], ['GET', '/api/v1/orgs/acme/repositories']]) {
        const expired = await call(server.url, method!, path!, withCookie(cookie));
        assert.deepEqual([expired.status, expired.body], [401, { error: 'session expired: sign in again' }], path);
      }
    } finally {
      server.ctx.options.sessionIdleMs = idle;
    }
    // Used within the idle time, a session lives on until its absolute end.
    const max = server.ctx.options.sessionMaxMs;
    server.ctx.options.sessionMaxMs = 600;
    try {
      const short = cookieHeader((await signIn(server.url, 'editor@acme.test', PASSWORD)).setCookie);
      assert.equal((await call(server.url, 'GET', '/api/v1/session', withCookie(short))).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const expired = await call(server.url, 'GET', '/api/v1/session', withCookie(short));
      assert.deepEqual([expired.status, expired.body], [401, { error: 'session expired: sign in again' }]);
    } finally {
      server.ctx.options.sessionMaxMs = max;
    }
  });

  it('signs out: DELETE needs the CSRF token, deletes the session, clears the cookie; the cookie then gets 401', async () => {
    const signedIn = await signIn(server.url, 'editor@acme.test', PASSWORD);
    const cookie = cookieHeader(signedIn.setCookie);
    const noCsrf = await call(server.url, 'DELETE', '/api/v1/session', withCookie(cookie));
    assert.deepEqual([noCsrf.status, noCsrf.body], [403, { error: 'invalid or missing CSRF token' }]);
    const response = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': signedIn.body.csrfToken } });
    assert.equal(response.status, 204);
    const cleared = parseSetCookie(response.headers.get('set-cookie')!);
    assert.deepEqual([cleared.name, cleared.value, cleared.maxAge, cleared.httpOnly, cleared.sameSite], ['spyglass_session', '', 0, true, 'strict']);
    const value = parseCookie(cookie).spyglass_session!;
    assert.equal(await server.ctx.sql.get('SELECT id FROM sessions WHERE id = ?', [hashSecret(value)]), undefined);
    for (const path of ['/api/v1/session', '/api/v1/orgs/acme/images', '/api/v1/me']) {
      const after = await call(server.url, 'GET', path, withCookie(cookie));
      assert.deepEqual([after.status, after.body], [401, { error: 'not signed in' }], path);
    }
  });

  it('bearer tokens work as before, and win over a cookie; without either the API still asks for a token', async () => {
    const me = await call(server.url, 'GET', '/api/v1/me', { token: tokens.member });
    assert.deepEqual([me.status, me.body], [200, { org: 'acme', email: 'member@acme.test', role: 'member' }]);
    const editorCookie = cookieHeader((await signIn(server.url, 'editor@acme.test', PASSWORD)).setCookie);
    const repository = await server.ctx.sql.transaction(async (tx) => (await seeRepository(tx, orgId, null, 'registry.acme.test', 'api')).id);
    // A token needs no CSRF header (no browser sends it by itself); the member token's role applies, not the editor cookie's.
    const asMember = await call(server.url, 'PUT', `/api/v1/orgs/acme/repositories/${repository}/activation`, { token: tokens.member, headers: { cookie: editorCookie } });
    assert.equal(asMember.status, 403);
    const asEditor = await call(server.url, 'PUT', `/api/v1/orgs/acme/repositories/${repository}/activation`, { token: tokens.editor });
    assert.equal(asEditor.status, 200);
    const missing = await call(server.url, 'GET', '/api/v1/orgs/acme/images');
    assert.deepEqual([missing.status, missing.body], [401, { error: 'missing API token: send Authorization: Bearer TOKEN' }]);
    const wrong = await call(server.url, 'GET', '/api/v1/orgs/acme/images', { token: 'spy_wrong' });
    assert.deepEqual([wrong.status, wrong.body], [401, { error: 'invalid or revoked API token' }]);
    assert.equal((await call(server.url, 'GET', '/api/v1/orgs/acme/images', { token: tokens.owner })).status, 200);
  });

  it('serve refuses a --trust-proxy value that is not addresses or CIDR ranges, in one line', () => {
    for (const [value, shown] of [['10.0.0.0/33', '10.0.0.0/33'], ['proxy.internal', 'proxy.internal'], ['', '""']] as const) {
      const result = runCli(['--data-dir', join(server.dataDir, 'cli'), 'serve', '--listen', '127.0.0.1:0', '--trust-proxy', value]);
      assert.equal(result.status, 1, value);
      assert.match(result.stderr.trim(), new RegExp(`^spyglass: --trust-proxy ${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `), value);
    }
  });

  it('spyglass admin create-user --password-stdin and set-password: the user signs in; bad input is one line, exit 1', async () => {
    const env = { SPYGLASS_DATA_DIR: server.dataDir, SPYGLASS_DATABASE_URL: databaseUrl ?? '' };
    const created = runCli(['admin', 'create-user', 'Dev@Acme.test', '--org', 'acme', '--role', 'editor', '--password-stdin'], { env, input: 'dev password 1\n' });
    assert.deepEqual(created, { status: 0, stdout: 'dev@acme.test is editor of acme\n', stderr: '' });
    const dev = await signIn(server.url, 'dev@acme.test', 'dev password 1');
    assert.equal(dev.status, 200);
    assert.deepEqual(dev.body.orgs, [{ name: 'acme', role: 'editor', plan: 'business' }]);
    const devCookie = cookieHeader(dev.setCookie);

    const changed = runCli(['admin', 'set-password', 'dev@acme.test', '--password-stdin'], { env, input: 'dev password 2' });
    assert.deepEqual(changed, { status: 0, stdout: 'password set for dev@acme.test\n', stderr: '' });
    assert.equal((await signIn(server.url, 'dev@acme.test', 'dev password 1')).status, 401);
    assert.equal((await signIn(server.url, 'dev@acme.test', 'dev password 2')).status, 200);
    // A new password ends the sessions signed in with the old one.
    assert.equal((await call(server.url, 'GET', '/api/v1/session', withCookie(devCookie))).status, 401);

    const bad: [string[], string, string][] = [
      [['admin', 'create-user', 'new@acme.test', '--org', 'acme', '--role', 'member', '--password-stdin'], '\n', 'spyglass: the password is empty\n'],
      [['admin', 'create-user', 'new@acme.test', '--org', 'acme', '--role', 'member', '--password-stdin'], 'short\n', 'spyglass: the password is too short: at least 8 characters\n'],
      [['admin', 'set-password', 'dev@acme.test', '--password-stdin'], '1234567', 'spyglass: the password is too short: at least 8 characters\n'],
      [['admin', 'set-password', 'ghost@acme.test', '--password-stdin'], 'long enough', 'spyglass: no user ghost@acme.test (add one with spyglass admin create-user)\n'],
    ];
    for (const [args, input, stderr] of bad) assert.deepEqual(runCli(args, { env, input }), { status: 1, stdout: '', stderr }, args.join(' '));
    // The refused create-user added no one (a bad password loses nothing and makes no half-made user).
    assert.equal(await server.ctx.sql.get('SELECT id FROM users WHERE email = ?', ['new@acme.test']), undefined);
    assert.equal((await signIn(server.url, 'dev@acme.test', 'dev password 2')).status, 200);
    // Without --password-stdin create-user works as before (no password: the user cannot sign in yet).
    const plain = runCli(['admin', 'create-user', 'plain@acme.test', '--org', 'acme', '--role', 'member'], { env });
    assert.deepEqual(plain, { status: 0, stdout: 'plain@acme.test is member of acme\n', stderr: '' });
    const setPasswordWithout = runCli(['admin', 'set-password', 'plain@acme.test'], { env });
    assert.equal(setPasswordWithout.status, 1);
    assert.match(setPasswordWithout.stderr, /--password-stdin/);
  });
});
}

sessionSuite('SQLite', undefined);
sessionSuite('PostgreSQL', postgresUnavailable());
