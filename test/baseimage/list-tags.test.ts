// listTags through the registry client: `GET /v2/<name>/tags/list` pages followed through the `Link`
// header (distribution spec, "Listing Tags"), Basic auth from a Docker config, `--tags` filtering, and
// the one-line errors. The Debian docker-registry (distribution 2.8) answers every tag in one page
// whatever `n` asks, so paging is served here by a small server that follows the spec's example.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags } from '../../src/baseimage/index-images.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';

const TAGS = ['11-slim', '12-slim', 'bookworm-slim', 'bullseye', 'bullseye-slim'];
const AUTHORIZATION = `Basic ${Buffer.from('reader:secret').toString('base64')}`;

let server: http.Server;
let host: string;
let work: string;
let dockerConfig: string;
const requests: string[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-list-tags-'));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.test');
    requests.push(`${url.pathname}${url.search}`);
    if (req.headers.authorization !== AUTHORIZATION) {
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    const match = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (match?.[1] === 'library/empty') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"library/empty","tags":null}');
    if (match?.[1] !== 'library/debian') {
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
    }
    const n = Number(url.searchParams.get('n') ?? TAGS.length);
    const last = url.searchParams.get('last');
    const rest = last === null ? TAGS : TAGS.filter((tag) => tag > last);
    const page = rest.slice(0, n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (rest.length > n) headers.link = `</v2/library/debian/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: 'library/debian', tags: page }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  dockerConfig = join(work, 'config.json');
  writeFileSync(dockerConfig, JSON.stringify({ auths: { [host]: { auth: Buffer.from('reader:secret').toString('base64') } } }));
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe('listTags', () => {
  it('follows the Link header page by page, with the credentials of the Docker config', async () => {
    requests.length = 0;
    assert.deepEqual(await listTags(`${host}/library/debian`, { insecureRegistries: [], pageSize: 2, dockerConfigPath: dockerConfig }), TAGS);
    assert.deepEqual(requests.filter((request) => request.includes('tags/list')), [
      '/v2/library/debian/tags/list?n=2',
      '/v2/library/debian/tags/list?n=2',
      '/v2/library/debian/tags/list?n=2&last=12-slim',
      '/v2/library/debian/tags/list?n=2&last=bullseye',
    ]);
  });

  it('keeps the tags the pattern matches; a repository without tags has none', async () => {
    const options = { insecureRegistries: [], dockerConfigPath: dockerConfig };
    assert.deepEqual(await listTags(`${host}/library/debian`, { ...options, pattern: /^bullseye/ }), ['bullseye', 'bullseye-slim']);
    assert.deepEqual(await listTags(`${host}/library/debian`, { ...options, pattern: /slim$/ }), ['11-slim', '12-slim', 'bookworm-slim', 'bullseye-slim']);
    assert.deepEqual(await listTags(`${host}/library/empty`, options), []);
  });

  it('an unknown repository, missing credentials or a tag in the name: one line naming it', async () => {
    await rejectsWithMessage(listTags(`${host}/library/nothing`, { insecureRegistries: [], dockerConfigPath: dockerConfig }),
      `registry://${host}/library/nothing: repository unknown (not found in the registry)`);
    await rejectsWithMessage(listTags(`${host}/library/debian`, { insecureRegistries: [], dockerConfigPath: join(work, 'absent.json') }),
      new RegExp(`^registry://${host}/library/debian: unauthorized \\(401\\); log in with "docker login ${host}"`));
    await rejectsWithMessage(listTags(`${host}/library/debian:12-slim`, { insecureRegistries: [] }),
      `${host}/library/debian:12-slim: expected a repository (REGISTRY/REPOSITORY), without a tag or digest`);
  });
});
