// Downloaded feed inputs: a real HTTP server on loopback serves the shared advisory files with ETag
// and Last-Modified, and the faults a mirror really produces (503, a cut connection, half a file).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFeedInput, type DownloadProgress, type FeedInputOptions } from '../../src/advisories/input/open.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { tarListing, zipListing } from './input-listing.ts';

const DATA = join(SHARED, 'data');
const ALPINE = 'advisories/alpine/secdb-json/v3.18/main.json';
const KEV = 'scoring/kev/known_exploited_vulnerabilities.json';
const ZIP = 'advisories/osv/archives/ghsa-npm-sample.zip';
const TAR_GZ = 'advisories/osv/archives/go-vulndb-sample.tar.gz';

const work = mkdtempSync(join(tmpdir(), 'spyglass-input-http-'));
let server: Server;
let base = '';
/** Requests per path and the headers of the last one, to see what the client sent. */
const hits = new Map<string, number>();
const lastHeaders = new Map<string, IncomingHttpHeaders>();

/**
 * `/files/P` serves DATA/P with a strong ETag (its SHA-256) and Last-Modified (its mtime), answering
 * conditional requests with 304; `/flaky/P` answers 503 to the first request; `/down/P` always 503;
 * `/half/P` sends half the bytes with a matching length; `/cut/P` promises all and drops the connection
 * half way.
 */
function handle(url: string, headers: IncomingHttpHeaders, response: import('node:http').ServerResponse): void {
  hits.set(url, (hits.get(url) ?? 0) + 1);
  lastHeaders.set(url, headers);
  const match = /^\/(files|flaky|down|half|cut)\/(.+)$/.exec(url);
  const path = match ? join(DATA, decodeURIComponent(match[2])) : '';
  if (!match || !existsSync(path)) {
    response.writeHead(404).end('not found');
    return;
  }
  const mode = match[1];
  if (mode === 'down' || (mode === 'flaky' && hits.get(url) === 1)) {
    response.writeHead(503, { 'retry-after': '0' }).end('busy');
    return;
  }
  const body = readFileSync(path);
  const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
  const lastModified = statSync(path).mtime.toUTCString();
  if (headers['if-none-match'] === etag || (headers['if-none-match'] === undefined && headers['if-modified-since'] === lastModified)) {
    response.writeHead(304, { etag, 'last-modified': lastModified }).end();
    return;
  }
  const half = body.subarray(0, Math.floor(body.length / 2));
  if (mode === 'half') {
    response.writeHead(200, { 'content-length': half.length, etag, 'last-modified': lastModified }).end(half);
  } else if (mode === 'cut') {
    response.writeHead(200, { 'content-length': body.length, etag, 'last-modified': lastModified });
    response.write(half, () => response.destroy());
  } else {
    response.writeHead(200, { 'content-length': body.length, etag, 'last-modified': lastModified }).end(body);
  }
}

before(async () => {
  server = createServer((request, response) => handle(request.url ?? '/', request.headers, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const options = (extra: Partial<FeedInputOptions> = {}): FeedInputOptions => ({ cacheDir: join(work, 'cache'), retry: { baseDelayMs: 10 }, ...extra });

async function names(files: AsyncIterable<{ name: string; read(): Promise<Buffer> }>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const file of files) out.set(file.name, await file.read());
  return out;
}

describe('openFeedInput on URLs', () => {
  it('downloads into <cacheDir>/feeds with the validators, then gets 304 and no files', async () => {
    const url = `${base}/files/${ALPINE}`;
    const first = await openFeedInput(url, options());
    assert.equal(first.notModified, false);
    const body = readFileSync(join(DATA, ALPINE));
    assert.equal(first.etag, `"${createHash('sha256').update(body).digest('hex')}"`);
    assert.equal(first.lastModified, statSync(join(DATA, ALPINE)).mtime.toUTCString());
    assert.deepEqual(await names(first.files), new Map([['main.json', body]]));
    const cached = readdirSync(join(work, 'cache/feeds'));
    assert.ok(cached.some((name) => name.endsWith('-main.json') && readFileSync(join(work, 'cache/feeds', name)).equals(body)));

    const second = await openFeedInput(url, options({ validators: { etag: first.etag, lastModified: first.lastModified } }));
    assert.equal(second.notModified, true);
    assert.equal(second.etag, first.etag);
    assert.deepEqual(await names(second.files), new Map());
    assert.equal(lastHeaders.get(`/files/${ALPINE}`)?.['if-none-match'], first.etag);
    assert.equal(lastHeaders.get(`/files/${ALPINE}`)?.['if-modified-since'], first.lastModified);

    const byDate = await openFeedInput(url, options({ validators: { lastModified: first.lastModified } }));
    assert.equal(byDate.notModified, true);
  });

  it('reports progress per download, ending at the full size', async () => {
    const seen: DownloadProgress[] = [];
    const input = await openFeedInput(`${base}/files/${KEV}`, options({ progress: (p) => seen.push(p) }));
    const size = statSync(join(DATA, KEV)).size;
    assert.ok(seen.length >= 2);
    assert.deepEqual(seen.at(-1), { location: `${base}/files/${KEV}`, receivedBytes: size, totalBytes: size, done: true });
    assert.deepEqual(await names(input.files), new Map([['known_exploited_vulnerabilities.json', readFileSync(join(DATA, KEV))]]));
  });

  it('opens a downloaded .zip and .tar.gz as archives: the entries unzip and tar list', async () => {
    const zip = await names((await openFeedInput(`${base}/files/${ZIP}`, options())).files);
    assert.deepEqual([...zip.keys()], zipListing(join(DATA, ZIP)));
    const tar = await names((await openFeedInput(`${base}/files/${TAR_GZ}`, options())).files);
    assert.deepEqual([...tar.keys()], tarListing(join(DATA, TAR_GZ), 'z'));
  });

  it('retries a 503 and succeeds on the next answer', async () => {
    const input = await openFeedInput(`${base}/flaky/${KEV}`, options());
    assert.equal(hits.get(`/flaky/${KEV}`), 2);
    assert.equal((await names(input.files)).size, 1);
  });

  it('gives up after the retries with one line naming the URL', async () => {
    const url = `${base}/down/${KEV}`;
    await rejectsWithMessage(openFeedInput(url, options({ retry: { attempts: 3, baseDelayMs: 1 } })), `Cannot read feed input ${url}: download failed: HTTP 503 Service Unavailable (after 3 attempts)`);
    assert.equal(hits.get(`/down/${KEV}`), 3);
  });

  it('does not retry a 404', async () => {
    const url = `${base}/files/no/such/feed.json`;
    await rejectsWithMessage(openFeedInput(url, options()), `Cannot read feed input ${url}: download failed: HTTP 404 Not Found`);
    assert.equal(hits.get('/files/no/such/feed.json'), 1);
  });

  it('fails on a truncated archive (half the bytes served) and on a connection cut half way', async () => {
    for (const archive of [ZIP, TAR_GZ]) {
      const url = `${base}/half/${archive}`;
      await rejectsWithMessage(openFeedInput(url, options()), new RegExp(`^Cannot read feed input ${url.replace(/[.]/g, '\\.')}: .+`));
    }
    const cut = `${base}/cut/${TAR_GZ}`;
    await rejectsWithMessage(openFeedInput(cut, options({ retry: { attempts: 2, baseDelayMs: 1 } })), new RegExp(`^Cannot read feed input ${cut.replace(/[.]/g, '\\.')}: download failed: .+\\(after 2 attempts\\)$`));
    assert.ok(!readdirSync(join(work, 'cache/feeds')).some((name) => name.endsWith('.partial')), 'no partial download left behind');
  });

  it('refuses other URL schemes', async () => {
    await rejectsWithMessage(openFeedInput('ftp://127.0.0.1/feed.json', options()), 'Cannot read feed input ftp://127.0.0.1/feed.json: ftp URLs are not supported (use http or https)');
  });
});
