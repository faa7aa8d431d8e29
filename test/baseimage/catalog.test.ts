// The base image catalog store: records and their history per tag, lookups by digest and by layer chain
// (with 1,000 records), SBOMs kept for re-matching, counts, removal. Layer chains and digests are the
// fixture images' real ones, read from ../shared/fixtures/manifests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Digest } from '../../src/core/digest.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { SqliteBaseImageCatalog, catalogPath } from '../../src/baseimage/catalog.ts';
import type { CatalogImage } from '../../src/baseimage/model.ts';
import { expectedImage, type ExpectedImage } from '../helpers/fixtures.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { minimalSbom } from '../helpers/sbom.ts';

const REPOSITORY = '127.0.0.1:5000/library/debian';

function entryOf(image: ExpectedImage, tag: string, indexedAt: string, repository = REPOSITORY): CatalogImage {
  return {
    repository,
    tag,
    platform: image.platform,
    digest: image.manifestDigest as Digest,
    configDigest: image.configDigest as Digest,
    diffIds: image.layers.map((layer) => layer.diffId as Digest),
    size: image.layers.reduce((sum, layer) => sum + layer.size, 0),
    packageSummary: { deb: 1 },
    indexedAt,
  };
}

function sbomOf(digest: string, packages: string[] = []): Sbom {
  return minimalSbom(
    packages.map((name) => ({ id: name, type: 'deb', name, version: '1', purl: `pkg:deb/debian/${name}@1`, licenses: [], locations: [] })),
    { source: { input: digest, manifestDigest: digest as Digest }, createdAt: '2025-01-01T00:00:00.000Z' },
  );
}

const bullseye = expectedImage('debian-bullseye-base');
const refreshed = expectedImage('debian-bullseye-refreshed');
const bookworm = expectedImage('debian-bookworm-base');
const appBullseye = expectedImage('app-bullseye');
const appBookworm = expectedImage('app-bookworm');
const arm64 = expectedImage('multiarch-arm64');

let work: string;
before(() => { work = mkdtempSync(join(tmpdir(), 'spyglass-catalog-')); });
after(() => rmSync(work, { recursive: true, force: true }));

function freshCatalog(name: string): SqliteBaseImageCatalog {
  return SqliteBaseImageCatalog.open(join(work, name));
}

describe('SqliteBaseImageCatalog', () => {
  it('creates base-images.db when absent; openReadOnly gives undefined until then', () => {
    const dataDir = join(work, 'create');
    assert.equal(SqliteBaseImageCatalog.openReadOnly(dataDir), undefined);
    const catalog = SqliteBaseImageCatalog.open(dataDir);
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.close();
    const readOnly = SqliteBaseImageCatalog.openReadOnly(dataDir)!;
    assert.deepEqual(readOnly.list().map((image) => image.digest), [bullseye.manifestDigest]);
    readOnly.close();
  });

  it('keeps every digest a tag had; list shows the newest, history all of them newest first', () => {
    const catalog = freshCatalog('history');
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.put(entryOf(bookworm, 'bookworm-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bookworm.manifestDigest));
    catalog.put(entryOf(refreshed, 'bullseye-slim', '2025-02-01T00:00:00.000Z'), sbomOf(refreshed.manifestDigest));
    const listed = catalog.list();
    assert.deepEqual(listed.map((image) => [image.tag, image.digest]), [
      ['bookworm-slim', bookworm.manifestDigest],
      ['bullseye-slim', refreshed.manifestDigest],
    ]);
    assert.deepEqual(listed[1], entryOf(refreshed, 'bullseye-slim', '2025-02-01T00:00:00.000Z'));
    assert.deepEqual(catalog.history(REPOSITORY, 'bullseye-slim', 'linux/amd64').map((image) => [image.digest, image.indexedAt]), [
      [refreshed.manifestDigest, '2025-02-01T00:00:00.000Z'],
      [bullseye.manifestDigest, '2025-01-01T00:00:00.000Z'],
    ]);
    assert.deepEqual(catalog.list({ repository: 'docker.io/library/debian' }), []);
    assert.equal(catalog.list({ repository: REPOSITORY, platform: 'linux/amd64' }).length, 2);
    assert.deepEqual(catalog.list({ platform: 'linux/arm64' }), []);
    // The tag moved back to its first digest: that record is current again, and still once in history.
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-03-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    assert.deepEqual(catalog.history(REPOSITORY, 'bullseye-slim', 'linux/amd64').map((image) => image.digest), [bullseye.manifestDigest, refreshed.manifestDigest]);
    assert.equal(catalog.list().find((image) => image.tag === 'bullseye-slim')!.digest, bullseye.manifestDigest);
    catalog.close();
  });

  it('finds records by manifest digest, keeps one SBOM per digest, and sets counts on every record of a digest', () => {
    const catalog = freshCatalog('digest');
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest, ['libc6']));
    catalog.put(entryOf(bullseye, '11-slim', '2025-01-02T00:00:00.000Z'), sbomOf(bullseye.manifestDigest, ['libc6', 'dpkg']));
    assert.deepEqual(catalog.byDigest(bullseye.manifestDigest as Digest).map((image) => image.tag), ['11-slim', 'bullseye-slim']);
    assert.deepEqual(catalog.byDigest(bookworm.manifestDigest as Digest), []);
    assert.deepEqual(catalog.sbom(bullseye.manifestDigest as Digest)!.packages.map((pkg) => pkg.name), ['libc6', 'dpkg']);
    assert.equal(catalog.sbom(bookworm.manifestDigest as Digest), undefined);
    const counts = { critical: 1, high: 2, medium: 3, low: 4, unspecified: 5 };
    catalog.setCounts(bullseye.manifestDigest as Digest, counts, '2025-05-05T00:00:00Z');
    for (const image of catalog.byDigest(bullseye.manifestDigest as Digest)) {
      assert.deepEqual(image.counts, counts);
      assert.equal(image.countsBuiltAt, '2025-05-05T00:00:00Z');
    }
    catalog.close();
  });

  it('chainPrefixes: records whose whole chain starts the image, longest first, per platform', () => {
    const catalog = freshCatalog('chains');
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.put(entryOf(bullseye, '11-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.put(entryOf(refreshed, 'bullseye-slim', '2025-02-01T00:00:00.000Z'), sbomOf(refreshed.manifestDigest));
    catalog.put(entryOf(bookworm, 'bookworm-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bookworm.manifestDigest));
    catalog.put(entryOf(arm64, 'distroless', '2025-01-01T00:00:00.000Z'), sbomOf(arm64.manifestDigest));
    // A two-layer image made of app-bullseye's first two layers: a longer prefix than the base.
    const twoLayers = { ...entryOf(appBullseye, 'with-curl', '2025-01-01T00:00:00.000Z', `${REPOSITORY}-curl`), diffIds: appBullseye.layers.slice(0, 2).map((layer) => layer.diffId as Digest) };
    catalog.put(twoLayers, sbomOf(appBullseye.manifestDigest));
    const appChain = appBullseye.layers.map((layer) => layer.diffId as Digest);
    assert.deepEqual(catalog.chainPrefixes(appChain).map((image) => `${image.repository}:${image.tag}@${image.digest}`), [
      `${REPOSITORY}-curl:with-curl@${appBullseye.manifestDigest}`,
      `${REPOSITORY}:11-slim@${bullseye.manifestDigest}`,
      `${REPOSITORY}:bullseye-slim@${bullseye.manifestDigest}`,
    ]);
    assert.deepEqual(catalog.chainPrefixes(appBookworm.layers.map((layer) => layer.diffId as Digest)).map((image) => image.digest), [bookworm.manifestDigest]);
    assert.deepEqual(catalog.chainPrefixes(appBookworm.layers.map((layer) => layer.diffId as Digest), 'linux/arm64'), []);
    assert.deepEqual(catalog.chainPrefixes([arm64.layers[0]!.diffId as Digest], 'linux/arm64').map((image) => image.tag), ['distroless']);
    // The second layer alone is not a chain any record starts with; nor is nothing.
    assert.deepEqual(catalog.chainPrefixes(appChain.slice(1)), []);
    assert.deepEqual(catalog.chainPrefixes([]), []);
    catalog.close();
  });

  it('chainPrefixes at 1,000 records answers exactly what a full scan of the records says', (t) => {
    const catalog = freshCatalog('thousand');
    const synthetic = (seed: string): Digest => `sha256:${createHash('sha256').update(seed).digest('hex')}`;
    const realBases = [bullseye, refreshed, bookworm];
    const records: CatalogImage[] = [];
    // 1,000 records: chains of 1–8 layers, a third built on a real fixture base's layer chain.
    for (let i = 0; i < 1000; i++) {
      const base = i % 3 === 0 ? realBases[i % realBases.length]!.layers.map((layer) => layer.diffId as Digest) : [synthetic(`root-${i % 50}`)];
      const extra = Array.from({ length: i % 8 }, (_, j) => synthetic(`layer-${i % 97}-${j}`));
      const diffIds = [...base, ...extra];
      const record: CatalogImage = {
        repository: `registry.test/repo${i % 40}`, tag: `t${i}`, platform: i % 5 === 0 ? 'linux/arm64/v8' : 'linux/amd64',
        digest: synthetic(`manifest-${i}`), configDigest: synthetic(`config-${i}`), diffIds, size: i, packageSummary: {}, indexedAt: `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
      };
      records.push(record);
      catalog.put(record, sbomOf(record.digest));
    }
    const queries = [
      [...appBullseye.layers.map((layer) => layer.diffId as Digest)],
      [...records[42]!.diffIds, synthetic('own-1'), synthetic('own-2')],
      [...records[300]!.diffIds],
      [synthetic('root-7'), synthetic('layer-7-0'), synthetic('layer-7-1'), synthetic('layer-7-2')],
      [synthetic('nothing')],
    ];
    let total = 0;
    for (const query of queries) {
      for (const platform of [undefined, 'linux/amd64', 'linux/arm64']) {
        const expected = records
          .filter((record) => record.diffIds.length <= query.length && record.diffIds.every((diffId, index) => query[index] === diffId))
          .filter((record) => platform === undefined || record.platform === (platform === 'linux/arm64' ? 'linux/arm64/v8' : platform))
          .map((record) => record.tag);
        const started = performance.now();
        const found = catalog.chainPrefixes(query, platform);
        total += performance.now() - started;
        assert.deepEqual([...found.map((image) => image.tag)].sort(), [...expected].sort());
        for (let k = 1; k < found.length; k++) assert.ok(found[k - 1]!.diffIds.length >= found[k]!.diffIds.length, 'longest chain first');
      }
    }
    t.diagnostic(`chainPrefixes over 1,000 records: ${(total / (queries.length * 3)).toFixed(2)} ms per lookup`);
    catalog.close();
  });

  it('removes a tag or a whole repository, and the SBOMs no record uses any more', () => {
    const catalog = freshCatalog('remove');
    catalog.put(entryOf(bullseye, 'bullseye-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.put(entryOf(refreshed, 'bullseye-slim', '2025-02-01T00:00:00.000Z'), sbomOf(refreshed.manifestDigest));
    catalog.put(entryOf(bullseye, '11-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bullseye.manifestDigest));
    catalog.put(entryOf(bookworm, 'bookworm-slim', '2025-01-01T00:00:00.000Z'), sbomOf(bookworm.manifestDigest));
    catalog.put(entryOf(bookworm, 'bookworm-slim', '2025-01-01T00:00:00.000Z', 'docker.io/library/debian'), sbomOf(bookworm.manifestDigest));
    assert.equal(catalog.remove(REPOSITORY, 'bullseye-slim'), 2);
    assert.equal(catalog.sbom(refreshed.manifestDigest as Digest), undefined);
    assert.ok(catalog.sbom(bullseye.manifestDigest as Digest), 'still used by 11-slim');
    assert.equal(catalog.remove(REPOSITORY, 'no-such-tag'), 0);
    assert.equal(catalog.remove(REPOSITORY), 2);
    assert.equal(catalog.sbom(bullseye.manifestDigest as Digest), undefined);
    assert.ok(catalog.sbom(bookworm.manifestDigest as Digest), 'still used by docker.io/library/debian');
    assert.deepEqual(catalog.list().map((image) => image.repository), ['docker.io/library/debian']);
    catalog.close();
  });

  it('refuses a catalog of another schema version in one line', async () => {
    const dataDir = join(work, 'old');
    SqliteBaseImageCatalog.open(dataDir).close();
    const db = new Database(catalogPath(dataDir));
    db.prepare("UPDATE metadata SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    await rejectsWithMessage((async () => SqliteBaseImageCatalog.open(dataDir))(), /^the base image catalog .*base-images\.db has schema 99, this spyglass needs 1: /);
    await rejectsWithMessage((async () => SqliteBaseImageCatalog.openReadOnly(dataDir))(), /has schema 99/);
  });
});
