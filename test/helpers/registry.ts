// Real registries for tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1:0, optionally
// with htpasswd or token auth, and a Node token server, following ../shared/notes/registry.md.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_OCI } from './fixtures.ts';

const run = promisify(execFile);

export interface RegistryAuthConfig {
  htpasswd?: { username: string; password: string };
  token?: { realm: string; service: string; issuer: string; certPath: string };
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  port: number;
  dir: string;
  /** Access log lines so far (`"GET /v2/… HTTP/1.1" 200 …`), to count requests. */
  accessLog(): string[];
  stop(): Promise<void>;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A notification endpoint (../shared/notes/registry.md): the registry POSTs its events there with this Authorization. */
export interface RegistryNotify {
  url: string;
  authorization: string;
}

export async function startRegistry(auth: RegistryAuthConfig = {}, options: { notify?: RegistryNotify } = {}): Promise<TestRegistry> {
  const dir = tempDir('spyglass-registry-');
  const lines = ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', '  addr: 127.0.0.1:0', '  secret: not-a-real-secret-for-tests'];
  if (options.notify) {
    // Lists cannot be set from the environment, so the endpoint goes into the YAML.
    lines.push('notifications:', '  endpoints:', '    - name: spyglass', `      url: ${options.notify.url}`, '      headers:',
      `        Authorization: [${JSON.stringify(options.notify.authorization)}]`, '      timeout: 5s', '      threshold: 5', '      backoff: 1s');
  }
  if (auth.htpasswd) {
    const made = spawnSync('htpasswd', ['-Bbn', auth.htpasswd.username, auth.htpasswd.password], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), made.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: test-realm', `    path: ${join(dir, 'htpasswd')}`);
  } else if (auth.token) {
    const t = auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certPath}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const access: string[] = [];
  let stdoutRest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = stdoutRest + chunk.toString();
    const parts = text.split('\n');
    stdoutRest = parts.pop()!;
    access.push(...parts.filter(Boolean));
  });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start:\n${log}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`docker-registry exited with ${code}:\n${log}`)));
  }).catch(async (error: unknown) => {
    // Never leave a registry behind: a live child keeps the test process from exiting.
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const host = `127.0.0.1:${port}`;
  await waitReady(host);
  return {
    host, port, dir,
    accessLog: () => [...access],
    stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

async function waitReady(host: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const status = await new Promise<number>((resolve) => {
      http.get(`http://${host}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', () => resolve(0));
    });
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`registry ${host} never answered /v2/`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Copies a fixture image (an `org.opencontainers.image.ref.name` of ../shared/fixtures/images/oci) to
 * `registry/repoTag` with skopeo; `all` copies every platform of an index.
 */
export async function pushFixture(
  registry: TestRegistry, image: string, repoTag: string, options: { all?: boolean; creds?: string } = {},
): Promise<void> {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (options.all) args.push('--all');
  if (options.creds) args.push('--dest-creds', options.creds);
  args.push(`oci:${FIXTURE_OCI}:${image}`, `docker://${registry.host}/${repoTag}`);
  await run('skopeo', args, { timeout: 120_000 });
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT/token`. */
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Each token request: the scopes asked for and the user it authenticated (or '' for anonymous). */
  requests: { scopes: string[]; user: string; status: number }[];
  stop(): Promise<void>;
}

/** libtrust key id, which distribution expects in `kid`: sha256(DER SPKI)[:30] → base32 → 12 groups of 4. */
function libtrustKid(publicKey: KeyObject): string {
  const hash = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

/** A token server for distribution's token auth (RS256 JWT, libtrust kid), users name → password. */
export async function startTokenServer(users: Record<string, string>): Promise<TokenServer> {
  const dir = tempDir('spyglass-token-');
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '3650', '-subj', '/CN=test-token-issuer'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const key = createPrivateKey(readFileSync(keyPath));
  const kid = libtrustKid(new X509Certificate(readFileSync(certPath)).publicKey);
  const issuer = 'test-token-issuer';
  const service = 'test-registry';
  const b64u = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    const scopes = url.searchParams.getAll('scope');
    let user = '';
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [name = '', ...rest] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      if (users[name] === undefined || users[name] !== rest.join(':')) {
        requests.push({ scopes, user: name, status: 401 });
        return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      }
      user = name;
    }
    const access = user ? scopes.map((scope) => {
      const i = scope.indexOf(':');
      const j = scope.lastIndexOf(':');
      return { type: scope.slice(0, i), name: scope.slice(i + 1, j), actions: scope.slice(j + 1).split(',') };
    }) : [];
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64u({ typ: 'JWT', alg: 'RS256', kid })}.${b64u({ iss: issuer, sub: user, aud: url.searchParams.get('service'),
      exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    requests.push({ scopes, user, status: 200 });
    // Only `access_token`, the OAuth2 name, to prove the client accepts either field.
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath, requests,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }).then(() => rmSync(dir, { recursive: true, force: true })),
  };
}
