import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sha256Digest } from '../../src/core/digest.ts';
import { BlobCache } from '../../src/image/cache/blob-cache.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';

const run = promisify(execFile);
const DAY = 24 * 60 * 60 * 1000;

function chunked(data: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

describe('BlobCache', () => {
  let work: string;
  let counter = 0;
  const newCache = () => new BlobCache(join(work, `cache-${++counter}`));
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-blob-cache-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('stores a verified blob at blobs/sha256/<hex> and reads it back', async () => {
    const cache = newCache();
    const data = randomBytes(300_000);
    const digest = sha256Digest(data);
    assert.equal(await cache.has(digest), false);
    assert.equal(await cache.openRead(digest), undefined);
    assert.equal(await cache.write(digest, data.length, chunked(data)), join(cache.dir, 'blobs/sha256', digest.slice(7)));
    assert.equal(await cache.has(digest), true);
    assert.deepEqual(readFileSync(cache.path(digest)), data);
    const chunks: Buffer[] = [];
    for await (const chunk of (await cache.openRead(digest))!) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), []);
  });

  it('rejects and never caches a blob whose digest or size does not match', async () => {
    const cache = newCache();
    const data = randomBytes(1000);
    const claimed = sha256Digest('other bytes');
    await rejectsWithMessage(
      cache.write(claimed, data.length, chunked(data), 'test blob'),
      `test blob: content does not match its digest ${claimed} (got ${sha256Digest(data)}); rejected`,
    );
    await rejectsWithMessage(cache.write(sha256Digest(data), 999, chunked(data), 'test blob'), 'test blob: more than the 999 bytes its descriptor says; rejected');
    await rejectsWithMessage(cache.write(sha256Digest(data), 1001, chunked(data), 'test blob'), 'test blob: 1000 bytes where its descriptor says 1001; rejected');
    assert.equal(await cache.has(claimed), false);
    assert.equal(await cache.has(sha256Digest(data)), false);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), []);
  });

  it('caches nothing when the reader stops half way', async () => {
    const cache = newCache();
    const data = randomBytes(1 << 20);
    const digest = sha256Digest(data);
    const tee = await cache.tee(digest, data.length, 'blob');
    chunked(data).pipe(tee);
    await new Promise<void>((resolve) => tee.once('data', () => resolve()));
    tee.destroy();
    await new Promise((resolve) => tee.once('close', resolve));
    assert.equal(await cache.has(digest), false);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), []);
  });

  it('lets two processes write the same blob at once while readers only ever see it whole', async () => {
    const cache = newCache();
    const data = randomBytes(8 << 20);
    const digest = sha256Digest(data);
    const source = join(work, 'big.bin');
    writeFileSync(source, data);
    const script = join(work, 'writer.mjs');
    writeFileSync(script, `
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
const { BlobCache } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'src/image/cache/blob-cache.ts')).href)});
const [dir, digest, size, file] = process.argv.slice(2);
// Slow the copy down so the two writers overlap.
const slow = new Transform({ transform(chunk, _e, cb) { setTimeout(() => cb(null, chunk), 8); } });
await new BlobCache(dir).write(digest, Number(size), createReadStream(file, { highWaterMark: 65536 }).pipe(slow));
`);
    const writers = [1, 2].map(() => run(process.execPath, ['--import', 'tsx', script, cache.dir, digest, String(data.length), source], { cwd: PROJECT_ROOT }));
    let complete = true;
    let overlap = 0;
    const done = Promise.all(writers);
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    while (!finished) {
      overlap = Math.max(overlap, existsSync(join(cache.dir, 'tmp')) ? readdirSync(join(cache.dir, 'tmp')).length : 0);
      if (existsSync(cache.path(digest))) {
        if (createHash('sha256').update(readFileSync(cache.path(digest))).digest('hex') !== digest.slice(7)) complete = false;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await done;
    assert.ok(complete, 'every read of the cached path gave the whole blob');
    assert.equal(overlap, 2, 'both writers had their temporary file at the same time');
    assert.deepEqual(readFileSync(cache.path(digest)), data);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), []);
  });

  it('reports usage by kind and prunes by last use, all, and stale temporary files', async () => {
    const cache = newCache();
    const layer = gzipSync(Buffer.from('a layer'));
    const config = Buffer.from('{"architecture":"amd64"}');
    const other = Buffer.from('plain');
    for (const blob of [layer, config, other]) await cache.write(sha256Digest(blob), blob.length, chunked(blob));
    mkdirSync(join(cache.dir, 'tmp'), { recursive: true });
    writeFileSync(join(cache.dir, 'tmp', 'stale'), 'x'.repeat(10));
    writeFileSync(join(cache.dir, 'tmp', 'in-progress'), 'y'.repeat(5));
    const old = new Date(Date.now() - 3 * DAY);
    utimesSync(join(cache.dir, 'tmp', 'stale'), old, old);

    assert.deepEqual(await cache.df(), {
      count: 3, bytes: layer.length + config.length + other.length,
      byKind: { layer: { count: 1, bytes: layer.length }, json: { count: 1, bytes: config.length }, other: { count: 1, bytes: other.length } },
      temporary: { count: 2, bytes: 15 },
    });

    for (const blob of [layer, config]) utimesSync(cache.path(sha256Digest(blob)), old, old);
    await cache.openRead(sha256Digest(layer)).then((stream) => stream?.destroy());
    assert.ok(Date.now() - statSync(cache.path(sha256Digest(layer))).mtimeMs < DAY, 'reading marks the blob as used');

    assert.deepEqual(await cache.prune({ olderThan: DAY }), { removed: 2, bytes: config.length + 10 });
    assert.equal(await cache.has(sha256Digest(config)), false);
    assert.equal(await cache.has(sha256Digest(layer)), true);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), ['in-progress']);

    assert.deepEqual(await cache.prune({ all: true }), { removed: 2, bytes: layer.length + other.length });
    assert.equal((await cache.df()).count, 0);
    assert.deepEqual(readdirSync(join(cache.dir, 'tmp')), ['in-progress'], 'a download in progress is left alone');
  });

  it('has an empty usage for a cache directory that does not exist yet', async () => {
    const usage = await new BlobCache(join(work, 'never-made')).df();
    assert.equal(usage.count, 0);
    assert.equal(usage.temporary.count, 0);
  });
});
