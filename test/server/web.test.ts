// Serving the dashboard's static files: the file a path names, index.html for every other page path, the
// security headers, nothing outside the folder, the JSON 404 kept for API paths and other methods, and a
// one-line 503 when the dashboard has not been built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { packageRoot, registerWeb, WEB_HEADERS } from '../../src/server/http/web.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';

async function appFor(root: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const web = registerWeb(app, root);
  app.setNotFoundHandler((request, reply) => {
    if (web(request, reply)) return;
    void reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  await app.ready();
  return app;
}

describe('dashboard static files', () => {
  let dir: string;
  let app: FastifyInstance;
  const INDEX = '<!doctype html><div id="app"></div>';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-web-'));
    const root = join(dir, 'web');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the web folder');
    app = await appFor(root);
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers page paths with index.html and the security headers', async () => {
    for (const url of ['/', '/sign-in', '/orgs/acme/images/sha256:abc?q=x', '/no/such/page']) {
      const answer = await app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 200, url);
      assert.equal(answer.body, INDEX);
      assert.match(String(answer.headers['content-type']), /^text\/html/);
      assert.equal(answer.headers['cache-control'], 'no-cache');
      for (const [name, value] of Object.entries(WEB_HEADERS)) assert.equal(answer.headers[name], value, name);
    }
    assert.equal(WEB_HEADERS['content-security-policy'], "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'");
    const head = await app.inject({ method: 'HEAD', url: '/orgs/acme/images' });
    assert.equal(head.statusCode, 200);
  });

  it('serves the files that exist, hashed assets as immutable', async () => {
    const script = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.body, 'console.log(1);');
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.match(String(script.headers['cache-control']), /immutable/);
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
  });

  it('never serves a file outside the folder', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const answer = await app.inject({ method: 'GET', url });
      assert.ok(!answer.body.includes('outside the web folder'), url);
      if (answer.statusCode === 200) assert.equal(answer.body, INDEX, url);
    }
  });

  it('keeps the JSON 404 for API paths and for methods other than GET and HEAD', async () => {
    for (const url of ['/api/v1/nothing', '/api', '/webhooks/x', '/healthz/x', '/metrics/x']) {
      const answer = await app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 404, url);
      assert.deepEqual(answer.json(), { error: `no route GET ${url}` });
    }
    const post = await app.inject({ method: 'POST', url: '/orgs/acme/images' });
    assert.equal(post.statusCode, 404);
    assert.deepEqual(post.json(), { error: 'no route POST /orgs/acme/images' });
    // A path that only starts like an API prefix is a page.
    assert.equal((await app.inject({ method: 'GET', url: '/apiary' })).body, INDEX);
  });

  it('says in one line how to build the dashboard when it is not built', async () => {
    const missing = await appFor(join(dir, 'not-built'));
    try {
      const answer = await missing.inject({ method: 'GET', url: '/' });
      assert.equal(answer.statusCode, 503);
      assert.equal(answer.body, 'dashboard not built: run npm run build\n');
      assert.equal((await missing.inject({ method: 'GET', url: '/api/v1/x' })).statusCode, 404);
    } finally {
      await missing.close();
    }
  });

  it('finds the package root from its own folder', () => {
    assert.equal(packageRoot(), PROJECT_ROOT);
  });
});
