// A real Spyglass server on a loopback port (SQLite in a temporary data directory), started once per
// test file, and a small client for its API. The worker is off: these tests look at the API, not at
// the handlers, and jobs stay as they were enqueued.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Accounts } from '../../src/server/accounts.ts';
import { DEFAULT_MAX_IMAGE_BYTES } from '../../src/server/context.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

export const TEST_BODY_LIMIT = 64 * 1024;

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

/** With `databaseUrl` (postgres://…) the server keeps its data there instead of SQLite in the data directory. */
export async function startTestServer(options: { databaseUrl?: string } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-api-'));
  const server = await startServer({
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
    dataDir, cacheDir: join(dataDir, 'cache'), publicUrl: '', secretKey: randomBytes(32),
    maxImageBytes: DEFAULT_MAX_IMAGE_BYTES, maxBodyBytes: TEST_BODY_LIMIT, concurrency: 1,
    dbUpdateIntervalSeconds: 0, dbWatchIntervalMs: 60_000, insecureRegistries: true,
    listen: { host: '127.0.0.1', port: 0 }, worker: false, log: () => undefined,
  });
  return {
    ...server, dataDir,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiAnswer {
  status: number;
  // The answer's JSON, loosely typed for assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  contentType: string;
}

export async function call(
  base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, contentType: response.headers.get('content-type') ?? '' };
}

/** Organization `acme` (business plan: no repository limit) with an owner, an editor and a member, each with a token. */
export async function acmeWithRoles(accounts: Accounts): Promise<{ orgId: string; tokens: Record<'owner' | 'editor' | 'member', string> }> {
  const acme = await accounts.createOrg('acme', 'owner@acme.test', { plan: 'business' });
  await accounts.setMember('acme', 'editor@acme.test', 'editor');
  await accounts.setMember('acme', 'member@acme.test', 'member');
  return {
    orgId: acme.org.id,
    tokens: {
      owner: acme.token,
      editor: (await accounts.createToken('acme', 'editor@acme.test')).token,
      member: (await accounts.createToken('acme', 'member@acme.test')).token,
    },
  };
}
