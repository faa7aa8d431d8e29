// Faults a real registry cannot be made to produce on demand, from small in-test HTTP servers:
// corrupted blobs, 429 with Retry-After, redirects to blob storage, schema 1 manifests, bad digests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256Digest } from '../../src/core/digest.ts';
import { parseImageRef } from '../../src/core/reference.ts';
import { RegistryClient, isLoopbackHost, registryBaseUrl } from '../../src/image/registry/client.ts';
import { parseRetryAfter } from '../../src/image/registry/http.ts';
import { parseChallenge } from '../../src/image/registry/auth.ts';
import { openRegistryImage } from '../../src/image/registry/source.ts';
import { DATA_IMAGES } from '../helpers/fixtures.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A one-layer image whose blobs are arbitrary bytes (resolve only checks digests, not tar content). */
function tinyImage(name: string) {
  const layer = Buffer.from(`layer of ${name}\n`.repeat(100));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(`diff of ${name}`)] },
    history: [{ created_by: `made for ${name}` }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256Digest(layer), size: layer.length }],
  }));
  return { layer, config, manifest, layerDigest: sha256Digest(layer), configDigest: sha256Digest(config), manifestDigest: sha256Digest(manifest) };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface FakeServer {
  host: string;
  hits: { method: string; path: string; authorization?: string; accept?: string }[];
  stop(): Promise<void>;
}

async function serve(handler: Handler): Promise<FakeServer> {
  const hits: FakeServer['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const count = (server: FakeServer, path: string) => server.hits.filter((hit) => hit.path === path).length;

describe('registry faults from in-test servers', () => {
  let work: string;
  let registry: FakeServer;
  let storage: FakeServer;
  const images = {
    badLayer: tinyImage('bad-layer'), badConfig: tinyImage('bad-config'), retry: tinyImage('retry'),
    redirect: tinyImage('redirect'), digest: tinyImage('digest'),
  };
  const schema1 = readFileSync(join(DATA_IMAGES, 'containers-image/manifests/v2s1.manifest.json'));
  const retryAttempts = new Map<string, number>();
  const flip = (bytes: Buffer) => Buffer.from(bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
  let cacheCounter = 0;
  const newCache = () => join(work, `cache-${++cacheCounter}`);
  const open = (ref: string, cacheDir = newCache(), env: NodeJS.ProcessEnv = { HOME: work }) =>
    openRegistryImage(ref, { cacheDir, input: ref, env, http: { baseDelayMs: 20, retries: 3 } });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-registry-faults-'));
    storage = await serve((req, res) => {
      const digest = req.url?.replace('/storage/', '');
      if (digest === images.redirect.layerDigest) res.writeHead(200).end(images.redirect.layer);
      else res.writeHead(404).end();
    });
    registry = await serve((req, res) => {
      const url = req.url ?? '';
      const manifest = (bytes: Buffer, type = OCI_MANIFEST, headers: Record<string, string> = {}) =>
        res.writeHead(200, { 'content-type': type, 'docker-content-digest': sha256Digest(bytes), ...headers }).end(bytes);
      const blob = (bytes: Buffer) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      const repo = /^\/v2\/([^/]+\/[^/]+)\//.exec(url)?.[1];
      if (url === '/v2/') return void res.writeHead(200).end('{}');
      if (repo === 'redirect/app' && !req.headers.authorization) {
        return void res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      }
      const image = { 'bad/layer': images.badLayer, 'bad/config': images.badConfig, 'retry/app': images.retry,
        'redirect/app': images.redirect, 'digest/app': images.digest }[repo ?? ''];
      if (url === '/v2/schema1/app/manifests/latest') return void manifest(schema1, 'application/vnd.docker.distribution.manifest.v1+prettyjws');
      if (!image) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
      const attempt = (retryAttempts.get(url) ?? 0) + 1;
      retryAttempts.set(url, attempt);
      if (repo === 'retry/app' && url.endsWith('/manifests/latest') && attempt === 1) {
        return void res.writeHead(429, { 'retry-after': '1' }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      }
      if (repo === 'retry/app' && url.includes('/blobs/') && attempt <= 2) return void res.writeHead(503).end();
      if (url.endsWith('/manifests/latest')) {
        if (repo === 'digest/app') return void manifest(image.manifest, OCI_MANIFEST, { 'docker-content-digest': sha256Digest('something else') });
        return void manifest(image.manifest);
      }
      if (url.endsWith(`/manifests/${image.manifestDigest}`)) return void manifest(repo === 'digest/app' ? flip(image.manifest) : image.manifest);
      if (url.endsWith(`/blobs/${image.configDigest}`)) return void blob(repo === 'bad/config' ? flip(image.config) : image.config);
      if (url.endsWith(`/blobs/${image.layerDigest}`)) {
        if (repo === 'redirect/app') return void res.writeHead(307, { location: `http://${storage.host}/storage/${image.layerDigest}` }).end();
        return void blob(repo === 'bad/layer' ? flip(image.layer) : image.layer);
      }
      res.writeHead(404).end();
    });
  });
  after(async () => {
    await registry?.stop();
    await storage?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('rejects a layer blob whose bytes do not match its digest, and caches nothing', async () => {
    const cacheDir = newCache();
    const { layerDigest } = images.badLayer;
    const image = await open(`${registry.host}/bad/layer:latest`, cacheDir);
    const badHex = createHash('sha256').update(flip(images.badLayer.layer)).digest('hex');
    await rejectsWithMessage(
      (async () => { for await (const _chunk of await image.layers[0]!.open()) { /* drain */ } })(),
      `registry://${registry.host}/bad/layer:latest blob ${layerDigest}: content does not match its digest ${layerDigest} (got sha256:${badHex}); rejected`,
    );
    assert.equal(existsSync(join(cacheDir, 'blobs/sha256', layerDigest.slice(7))), false);
    assert.deepEqual(readdirSync(join(cacheDir, 'tmp')), []);
    assert.deepEqual(readdirSync(join(cacheDir, 'blobs/sha256')), [images.badLayer.configDigest.slice(7)], 'only the good config is cached');
  });

  it('rejects a config blob that does not match, before any image is returned', async () => {
    const cacheDir = newCache();
    const { configDigest } = images.badConfig;
    await rejectsWithMessage(
      open(`${registry.host}/bad/config:latest`, cacheDir),
      new RegExp(`^registry://${registry.host}/bad/config:latest blob ${configDigest}: content does not match its digest ${configDigest} \\(got sha256:[0-9a-f]{64}\\); rejected$`),
    );
    assert.deepEqual(readdirSync(join(cacheDir, 'blobs/sha256')), []);
    assert.deepEqual(readdirSync(join(cacheDir, 'tmp')), []);
  });

  it('waits as Retry-After says on 429, and backs off on 503, then succeeds', async () => {
    const started = Date.now();
    const image = await open(`${registry.host}/retry/app:latest`);
    assert.ok(Date.now() - started >= 950, 'waited the 1 s Retry-After');
    assert.equal(count(registry, '/v2/retry/app/manifests/latest'), 2);
    assert.equal(count(registry, `/v2/retry/app/blobs/${images.retry.configDigest}`), 3);
    assert.equal(image.configDigest, images.retry.configDigest);
  });

  it('follows a blob redirect to another host without sending it the credentials', async () => {
    const env = { HOME: work, DOCKER_CONFIG: work };
    writeFileSync(join(work, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('u:p').toString('base64') } } }));
    const image = await open(`${registry.host}/redirect/app:latest`, newCache(), env);
    const chunks: Buffer[] = [];
    for await (const chunk of await image.layers[0]!.open()) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), images.redirect.layer);
    const blobHit = registry.hits.find((hit) => hit.path === `/v2/redirect/app/blobs/${images.redirect.layerDigest}` && hit.authorization);
    assert.equal(blobHit?.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.deepEqual(storage.hits.map(({ method, path, authorization }) => ({ method, path, authorization })),
      [{ method: 'GET', path: `/storage/${images.redirect.layerDigest}`, authorization: undefined }]);
  });

  it('says clearly that a schema 1 manifest is not supported', async () => {
    await rejectsWithMessage(
      open(`${registry.host}/schema1/app:latest`),
      `registry://${registry.host}/schema1/app:latest: Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image with a current Docker, BuildKit or skopeo`,
    );
    const asked = registry.hits.find((hit) => hit.path === '/v2/schema1/app/manifests/latest');
    assert.match(asked?.accept ?? '', /application\/vnd\.docker\.distribution\.manifest\.v1\+prettyjws/);
  });

  it('rejects a manifest whose bytes differ from Docker-Content-Digest or from the digest asked for', async () => {
    const { manifest, manifestDigest } = images.digest;
    await rejectsWithMessage(
      open(`${registry.host}/digest/app:latest`),
      `registry://${registry.host}/digest/app:latest: the registry says the manifest is ${sha256Digest('something else')}, but its bytes are ${sha256Digest(manifest)}; rejected`,
    );
    await rejectsWithMessage(
      open(`${registry.host}/digest/app@${manifestDigest}`),
      `registry://${registry.host}/digest/app@${manifestDigest} manifest ${manifestDigest}: content does not match its digest ${manifestDigest} (got ${sha256Digest(flip(manifest))}); rejected`,
    );
  });

  it('gives up after the bounded retries with the registry\'s status', async () => {
    const always = await serve((_req, res) => res.writeHead(503, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}'));
    try {
      await rejectsWithMessage(
        open(`${always.host}/down/app:v1`),
        `registry://${always.host}/down/app:v1: the registry answered 503 Service Unavailable for manifest: service unavailable`,
      );
      assert.equal(always.hits.length, 4, 'one attempt and three retries');
    } finally {
      await always.stop();
    }
  });
});

describe('registry URLs and protocol details', () => {
  it('uses plain HTTP only for loopback hosts and listed insecure registries', () => {
    assert.equal(registryBaseUrl('registry.example:5000').href, 'https://registry.example:5000/');
    assert.equal(registryBaseUrl('10.0.0.7:5000').href, 'https://10.0.0.7:5000/');
    assert.equal(registryBaseUrl('127.0.0.1:5000').href, 'http://127.0.0.1:5000/');
    assert.equal(registryBaseUrl('127.8.9.10').href, 'http://127.8.9.10/');
    assert.equal(registryBaseUrl('localhost:5000').href, 'http://localhost:5000/');
    assert.equal(registryBaseUrl('[::1]:5000').href, 'http://[::1]:5000/');
    assert.equal(registryBaseUrl('registry.example:5000', ['registry.example:5000']).href, 'http://registry.example:5000/');
    assert.equal(registryBaseUrl('registry.example:5000', ['other.example:5000']).href, 'https://registry.example:5000/');
    assert.equal(registryBaseUrl('docker.io').href, 'https://registry-1.docker.io/');
    assert.equal(new RegistryClient(parseImageRef('alpine:3.20')).baseUrl.href, 'https://registry-1.docker.io/');
    assert.equal(new RegistryClient(parseImageRef('alpine:3.20')).label, 'registry://docker.io/library/alpine:3.20');
    assert.equal(isLoopbackHost('127.0.0.1.example.com'), false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });

  it('parses Bearer challenges with quoted scopes holding commas', () => {
    assert.deepEqual(
      parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="insufficient_scope"'),
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } },
    );
    assert.deepEqual(parseChallenge('Basic realm="test-realm"'), { scheme: 'basic', params: { realm: 'test-realm' } });
  });
});
