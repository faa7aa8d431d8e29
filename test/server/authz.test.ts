// Authorization of every API endpoint: each role of the organization (member, editor, owner), an owner
// of another organization (404: it must not learn that the organization exists), and wrong, revoked
// and missing tokens (401). The expected statuses are the table below, written from the roles of the
// issue (Members read; Editors also activate repositories, edit policies and record images in environments; only Owners manage integrations,
// notifications, members and tokens). The same suite runs on SQLite and on a real PostgreSQL server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { seeRepository } from '../../src/server/repositories.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { acmeWithRoles, call, startTestServer, type TestServer } from './api-server.ts';

type Who = 'member' | 'editor' | 'owner' | 'other';

interface Endpoint {
  method: string;
  /** The path, and the body, made fresh for each call (a DELETE needs something to delete). */
  prepare(): Promise<{ path: string; body?: unknown }>;
  expected: Record<Who, number>;
}

const READ = { member: 200, editor: 200, owner: 200, other: 404 };

function authorizationSuite(database: 'SQLite' | 'PostgreSQL', skip: string | undefined): void {
  describe(`server API authorization (${database})`, { skip }, () => {
    let server: TestServer;
    let postgres: PostgresServer | undefined;
    const tokens = {} as Record<Who, string>;
    let revoked: string;
    let orgId: string;
    let counter = 0;
    const unique = (prefix: string) => `${prefix}${++counter}`;
    const owner = (method: string, path: string, body?: unknown) => call(server.url, method, path, { token: tokens.owner, ...(body !== undefined ? { body } : {}) });

    before(async () => {
      if (database === 'PostgreSQL') postgres = await startPostgres();
      server = await startTestServer(postgres !== undefined ? { databaseUrl: await postgres.createDatabase('authz') } : {});
      const accounts = server.ctx.accounts;
      const acme = await acmeWithRoles(accounts);
      orgId = acme.orgId;
      Object.assign(tokens, acme.tokens);
      tokens.other = (await accounts.createOrg('globex', 'owner@globex.test')).token;
      revoked = (await accounts.createToken('acme', 'owner@acme.test', 'to revoke')).token;
      assert.equal(await accounts.revokeToken(revoked), true);
    });
    after(async () => {
      await server?.stop();
      await postgres?.stop();
    });

    const repository = async (): Promise<string> =>
      server.ctx.sql.transaction(async (tx) => (await seeRepository(tx, orgId, null, 'registry.acme.test', unique('repo'))).id);

    /** `registry/name@digest` of an image stored as analysed (an empty SBOM: environments need only that it was). */
    const analysedImage = async (): Promise<string> => {
      const name = unique('deployed');
      const repositoryId = await server.ctx.sql.transaction(async (tx) => (await seeRepository(tx, orgId, null, 'registry.acme.test', name)).id);
      const digest = `sha256:${String(counter).padStart(64, '0')}`;
      await server.ctx.sql.run("INSERT INTO images (id, org_id, repository_id, digest, pushed_at, analysed_at, sbom, report, counts) VALUES (?, ?, ?, ?, ?, ?, '{}', '{}', '{}')", [
        randomUUID(), orgId, repositoryId, digest, Date.now(), Date.now(),
      ]);
      return `registry.acme.test/${name}@${digest}`;
    };
    /** A repository whose image `production` runs (recorded by the owner). */
    const recordedRepository = async (): Promise<string> => {
      const image = await analysedImage();
      assert.equal((await owner('PUT', '/api/v1/orgs/acme/environments/production/images', { image })).status, 200);
      return image.split('@')[0]!;
    };

    const ENDPOINTS: Endpoint[] = [
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/images' }), expected: READ },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/images/sha256:0000' }), expected: { member: 404, editor: 404, owner: 404, other: 404 } },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/repositories' }), expected: READ },
      {
        method: 'POST', prepare: async () => ({ path: '/api/v1/orgs/acme/repositories', body: { registry: 'registry.acme.test', name: unique('added') } }),
        expected: { member: 403, editor: 201, owner: 201, other: 404 },
      },
      { method: 'PUT', prepare: async () => ({ path: `/api/v1/orgs/acme/repositories/${await repository()}/activation` }), expected: { member: 403, editor: 200, owner: 200, other: 404 } },
      { method: 'DELETE', prepare: async () => ({ path: `/api/v1/orgs/acme/repositories/${await repository()}/activation` }), expected: { member: 403, editor: 200, owner: 200, other: 404 } },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/integrations' }), expected: READ },
      {
        method: 'POST', prepare: async () => ({ path: '/api/v1/orgs/acme/integrations', body: { type: 'distribution', name: unique('integration') } }),
        expected: { member: 403, editor: 403, owner: 201, other: 404 },
      },
      {
        method: 'DELETE',
        prepare: async () => ({ path: `/api/v1/orgs/acme/integrations/${(await owner('POST', '/api/v1/orgs/acme/integrations', { type: 'harbor', name: unique('gone') })).body.id}` }),
        expected: { member: 403, editor: 403, owner: 204, other: 404 },
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/notifications' }), expected: { member: 403, editor: 403, owner: 200, other: 404 } },
      {
        method: 'POST', prepare: async () => ({ path: '/api/v1/orgs/acme/notifications', body: { url: 'https://hooks.acme.test/', kind: 'slack' } }),
        expected: { member: 403, editor: 403, owner: 201, other: 404 },
      },
      {
        method: 'DELETE',
        prepare: async () => ({ path: `/api/v1/orgs/acme/notifications/${(await owner('POST', '/api/v1/orgs/acme/notifications', { url: 'https://hooks.acme.test/' })).body.id}` }),
        expected: { member: 403, editor: 403, owner: 204, other: 404 },
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/members' }), expected: { member: 403, editor: 403, owner: 200, other: 404 } },
      {
        method: 'PUT', prepare: async () => ({ path: '/api/v1/orgs/acme/members', body: { email: `${unique('new')}@acme.test`, role: 'member' } }),
        expected: { member: 403, editor: 403, owner: 200, other: 404 },
      },
      {
        method: 'DELETE',
        prepare: async () => {
          const email = `${unique('leaving')}@acme.test`;
          await server.ctx.accounts.setMember('acme', email, 'member');
          return { path: `/api/v1/orgs/acme/members/${email}` };
        },
        expected: { member: 403, editor: 403, owner: 204, other: 404 },
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/tokens' }), expected: { member: 403, editor: 403, owner: 200, other: 404 } },
      { method: 'POST', prepare: async () => ({ path: '/api/v1/orgs/acme/tokens', body: { name: 'ci' } }), expected: { member: 403, editor: 403, owner: 201, other: 404 } },
      {
        method: 'DELETE',
        prepare: async () => ({ path: `/api/v1/orgs/acme/tokens/${(await server.ctx.accounts.createToken('acme', 'owner@acme.test', 'temporary')).id}` }),
        expected: { member: 403, editor: 403, owner: 204, other: 404 },
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/policies' }), expected: READ },
      {
        method: 'PUT', prepare: async () => ({ path: '/api/v1/orgs/acme/policies', body: { policies: [{ type: 'non-root-user' }] } }),
        expected: { member: 403, editor: 200, owner: 200, other: 404 },
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/environments' }), expected: READ },
      {
        method: 'GET',
        prepare: async () => {
          await recordedRepository();
          return { path: '/api/v1/orgs/acme/environments/production' };
        },
        expected: READ,
      },
      { method: 'PUT', prepare: async () => ({ path: '/api/v1/orgs/acme/environments/production/images', body: { image: await analysedImage() } }), expected: { member: 403, editor: 200, owner: 200, other: 404 } },
      { method: 'GET', prepare: async () => ({ path: `/api/v1/orgs/acme/environments/production/sbom?repository=${encodeURIComponent(await recordedRepository())}` }), expected: READ },
      { method: 'GET', prepare: async () => ({ path: `/api/v1/orgs/acme/repositories/${await repository()}/history` }), expected: READ },
      // A vulnerability an image of acme has (the test server has no vulnerability database: the org's images answer).
      {
        method: 'GET',
        prepare: async () => {
          const digest = (await analysedImage()).split('@')[1]!;
          const image = await server.ctx.sql.get('SELECT id FROM images WHERE org_id = ? AND digest = ?', [orgId, digest]);
          await server.ctx.sql.run('INSERT INTO image_vulnerabilities (image_id, vulnerability) VALUES (?, ?) ON CONFLICT DO NOTHING', [String(image!.id), 'CVE-2099-0001']);
          return { path: '/api/v1/orgs/acme/vulnerabilities/CVE-2099-0001' };
        },
        expected: READ,
      },
      { method: 'GET', prepare: async () => ({ path: '/api/v1/orgs/acme/jobs' }), expected: READ },
      {
        method: 'GET',
        prepare: async () => ({ path: `/api/v1/orgs/acme/jobs/${(await server.ctx.queue.enqueue({ kind: 'analyse', orgId, payload: {} })).id}` }),
        expected: READ,
      },
    ];

    it('the table covers every /orgs/{org} route the document lists', async () => {
      const { OPENAPI_DOCUMENT } = await import('../../src/server/http/app.ts');
      const documented = Object.entries(OPENAPI_DOCUMENT.paths as Record<string, Record<string, unknown>>)
        .filter(([path]) => path.startsWith('/api/v1/orgs/'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
      const covered = new Set<string>();
      for (const endpoint of ENDPOINTS) {
        const { path } = await endpoint.prepare();
        const template = path
          .replace(/\?.*$/, '')
          .replace(/^\/api\/v1\/orgs\/acme/, '/api/v1/orgs/{org}')
          .replace(/\/environments\/[^/]+/, '/environments/{env}')
          .replace(/\/images\/[^/]+$/, '/images/{digest}')
          .replace(/\/members\/[^/]+$/, '/members/{email}')
          .replace(/\/vulnerabilities\/[^/]+$/, '/vulnerabilities/{id}')
          .replace(/\/repositories\/[^/]+\/history$/, '/repositories/{id}/history')
          .replace(/\/(repositories|integrations|notifications|tokens|jobs)\/[^/]+(\/activation)?$/, '/$1/{id}$2');
        covered.add(`${endpoint.method} ${template}`);
      }
      assert.deepEqual([...covered].sort(), documented.sort());
    });

    for (const who of ['member', 'editor', 'owner', 'other'] as const) {
      it(`answers a${who === 'other' ? 'nother organization\'s owner' : ` ${who}`} as the table says`, async () => {
        const got: string[] = [];
        const want: string[] = [];
        for (const endpoint of ENDPOINTS) {
          const { path, body } = await endpoint.prepare();
          const answer = await call(server.url, endpoint.method, path, { token: tokens[who], ...(body !== undefined ? { body } : {}) });
          got.push(`${endpoint.method} ${path} → ${answer.status}`);
          want.push(`${endpoint.method} ${path} → ${endpoint.expected[who]}`);
          if (answer.status >= 400) assert.deepEqual(Object.keys(answer.body), ['error'], `${endpoint.method} ${path}`);
        }
        assert.deepEqual(got, want);
      });
    }

    it("gives another organization's token the same 404 as an organization that does not exist", async () => {
      const existing = await call(server.url, 'GET', '/api/v1/orgs/acme/repositories', { token: tokens.other });
      const missing = await call(server.url, 'GET', '/api/v1/orgs/initech/repositories', { token: tokens.other });
      assert.equal(existing.status, 404);
      assert.deepEqual(existing.body, { error: 'organization acme not found' });
      assert.deepEqual(missing.body, { error: 'organization initech not found' });
      // And its own organization sees none of acme's data.
      const own = await call(server.url, 'GET', '/api/v1/orgs/globex/repositories', { token: tokens.other });
      assert.deepEqual(own.body.repositories, []);
      const ownJobs = await call(server.url, 'GET', '/api/v1/orgs/globex/jobs', { token: tokens.other });
      assert.deepEqual(ownJobs.body.jobs, []);
    });

    it('answers wrong, revoked and missing tokens with 401 on every endpoint', async () => {
      const cases: [string, Record<string, string>][] = [
        ['missing', {}],
        ['wrong', { authorization: 'Bearer spy_0000000000000000000000000000000000000000000' }],
        ['not a bearer', { authorization: `Basic ${Buffer.from('owner:x').toString('base64')}` }],
        ['revoked', { authorization: `Bearer ${revoked}` }],
      ];
      for (const [label, headers] of cases) {
        for (const endpoint of ENDPOINTS) {
          const { path, body } = await endpoint.prepare();
          const answer = await call(server.url, endpoint.method, path, { headers, ...(body !== undefined ? { body } : {}) });
          assert.equal(answer.status, 401, `${label}: ${endpoint.method} ${path}`);
          assert.match(answer.body.error, label === 'missing' || label === 'not a bearer' ? /^missing API token/ : /^invalid or revoked API token$/);
        }
        assert.equal((await call(server.url, 'GET', '/api/v1/me', { headers })).status, 401);
      }
    });

    it('lets every token see who it is, and keeps /healthz, /metrics and the document open', async () => {
      for (const who of ['member', 'editor', 'owner'] as const) {
        const me = await call(server.url, 'GET', '/api/v1/me', { token: tokens[who] });
        assert.deepEqual(me.body, { org: 'acme', email: `${who}@acme.test`, role: who });
      }
      for (const path of ['/healthz', '/metrics', '/api/v1/openapi.json']) assert.equal((await call(server.url, 'GET', path)).status, 200, path);
    });
  });
}

authorizationSuite('SQLite', undefined);
authorizationSuite('PostgreSQL', postgresUnavailable());
