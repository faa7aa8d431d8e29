// The NVD CVE API 2.0 read page by page from a loopback server that pages the real API records of
// ../shared/data/scoring/nvd/api-2.0-pages the way NVD does (startIndex, resultsPerPage, totalResults).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nvdFeed } from '../../src/advisories/feeds/nvd/nvd-feed.ts';
import { openFeedInput } from '../../src/advisories/input/open.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { ingestAll } from './feeds/scoring-sink.ts';

const PAGES = join(SHARED, 'data/scoring/nvd/api-2.0-pages');

describe('NVD CVE API 2.0 paging', () => {
  const records = readdirSync(PAGES).filter((name) => name.endsWith('.json')).sort()
    .flatMap((name) => (JSON.parse(readFileSync(join(PAGES, name), 'utf8')) as { vulnerabilities: unknown[] }).vulnerabilities);
  const requests: { startIndex: string | null; resultsPerPage: string | null; apiKey: string | undefined }[] = [];
  let server: Server;
  let base: string;
  let cache: string;
  let failAt: number | undefined;
  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'spyglass-nvd-api-'));
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const startIndex = Number(url.searchParams.get('startIndex') ?? 0);
      const perPage = Number(url.searchParams.get('resultsPerPage') ?? 2000);
      requests.push({ startIndex: url.searchParams.get('startIndex'), resultsPerPage: url.searchParams.get('resultsPerPage'), apiKey: request.headers.apikey as string | undefined });
      if (failAt !== undefined && startIndex >= failAt) {
        response.writeHead(404).end();
        return;
      }
      const page = records.slice(startIndex, startIndex + perPage);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ resultsPerPage: page.length, startIndex, totalResults: records.length, format: 'NVD_CVE', version: '2.0', timestamp: '2026-11-26T00:00:00.000', vulnerabilities: page }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/json/cves/2.0`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(cache, { recursive: true, force: true });
  });

  it('reads every page, sends the API key, and the feed gets every CVE once', async () => {
    requests.length = 0;
    failAt = undefined;
    const input = await openFeedInput(base, { cacheDir: cache, nvd: { pageSize: 10, pageDelayMs: 0 }, accept: (name) => nvdFeed.wants({ name }) });
    const collected = await ingestAll(nvdFeed, input.files);
    assert.deepEqual(requests.map((request) => [request.startIndex, request.resultsPerPage]), [['0', '10'], ['10', '10'], ['20', '10']]);
    const ids = records.map((record) => (record as { cve: { id: string } }).cve.id).sort();
    assert.deepEqual(collected.advisories.map((advisory) => advisory.id).sort(), ids);
    assert.equal(collected.skipped.length, 0);
  });

  it('sends NVD_API_KEY as the apiKey header', async () => {
    requests.length = 0;
    failAt = undefined;
    process.env.NVD_API_KEY = 'test-key';
    try {
      await openFeedInput(base, { cacheDir: cache, nvd: { pageSize: 20, pageDelayMs: 0 } });
    } finally {
      delete process.env.NVD_API_KEY;
    }
    assert.deepEqual(requests.map((request) => request.apiKey), ['test-key', 'test-key']);
  });

  it('fails whole, naming the location, when a page cannot be had (nothing reaches the feed)', async () => {
    failAt = 10;
    await assert.rejects(
      openFeedInput(base, { cacheDir: cache, nvd: { pageSize: 10, pageDelayMs: 0 }, retry: { attempts: 1 } }),
      (error: Error) => error.message.startsWith(`Cannot read feed input ${base}: download failed:`) && /HTTP 404/.test(error.message),
    );
  });
});
