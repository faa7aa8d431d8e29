// `spyglass base-images` against a real registry (docker-registry on loopback) holding the fixture
// images under realistic names: index a repository, re-index after the tag was rebuilt (a refresh),
// list, add local and multi-platform images, remove, and the bad inputs. Expected digests, layer chains
// and package counts come from ../shared/fixtures/manifests (computed with skopeo, umoci, dpkg-query);
// expected vulnerability totals from the raw advisory files (test/helpers/expected-findings.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteBaseImageCatalog } from '../../src/baseimage/catalog.ts';
import type { CatalogImage } from '../../src/baseimage/model.ts';
import { runCli } from '../helpers/cli.ts';
import { expectedFindings } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { FIXTURE_OCI, expectedImage, fixtureArchives, type ExpectedImage } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';

interface FixtureManifestCounts extends ExpectedImage {
  os: { id: string; versionId: string; codename: string };
  packageCounts: Record<string, number>;
}
const fixture = (name: string) => expectedImage(name) as FixtureManifestCounts;
const bullseye = fixture('debian-bullseye-base');
const refreshed = fixture('debian-bullseye-refreshed');
const bookworm = fixture('debian-bookworm-base');

let registry: TestRegistry;
let work: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let repository: string;
/** The database's build time, read straight from its metadata table. */
let builtAt: string;

function linkDatabase(dir: string): void {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(dir, 'spyglass.db'));
}

function cli(args: string[], dir = dataDir) {
  return runCli(args, { env: { ...env, SPYGLASS_DATA_DIR: dir } });
}

function listJson(dir = dataDir, extra: string[] = []): CatalogImage[] {
  const result = cli(['base-images', 'list', '--format', 'json', ...extra], dir);
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { images: CatalogImage[] }).images;
}

/** What the record of a fixture image must say, from its manifest file. */
function assertRecordOf(record: CatalogImage, image: FixtureManifestCounts, tag: string): void {
  assert.equal(record.repository, repository);
  assert.equal(record.tag, tag);
  assert.equal(record.platform, image.platform);
  assert.equal(record.digest, image.manifestDigest);
  assert.equal(record.tagDigest, image.manifestDigest);
  assert.equal(record.configDigest, image.configDigest);
  assert.deepEqual(record.diffIds, image.layers.map((layer) => layer.diffId));
  assert.equal(record.size, image.layers.reduce((sum, layer) => sum + layer.size, 0));
  assert.deepEqual({ id: record.os?.id, versionId: record.os?.versionId, codename: record.os?.codename }, image.os);
  assert.deepEqual(record.packageSummary, image.packageCounts);
}

function total(record: CatalogImage): number {
  const counts = record.counts!;
  return counts.critical + counts.high + counts.medium + counts.low + counts.unspecified;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-base-images-cli-'));
  dataDir = join(work, 'data');
  linkDatabase(dataDir);
  const db = new Database(join(dataDir, 'spyglass.db'), { readonly: true });
  builtAt = (db.prepare("SELECT value FROM metadata WHERE key = 'built_at'").get() as { value: string }).value;
  db.close();
  env = { SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
  registry = await startRegistry();
  repository = `${registry.host}/library/debian`;
  await pushFixture(registry, 'debian-bullseye-base', 'library/debian:bullseye-slim');
  await pushFixture(registry, 'debian-bookworm-base', 'library/debian:bookworm-slim');
});
after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('spyglass base-images index, then the tag rebuilt and indexed again', () => {
  let first: CatalogImage[];
  let second: CatalogImage[];
  before(async () => {
    const indexed = cli(['base-images', 'index', repository]);
    assert.equal(indexed.status, 0, indexed.stderr);
    assert.match(indexed.stdout, new RegExp(`^${repository}: 2 records from 2 of 2 tags$`, 'm'));
    first = listJson();
    await pushFixture(registry, 'debian-bullseye-refreshed', 'library/debian:bullseye-slim');
    const again = cli(['base-images', 'index', repository, '--tags', '^bullseye']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${repository}:bullseye-slim linux/amd64 ${refreshed.manifestDigest.slice(7, 19)}: refreshed \\(was ${bullseye.manifestDigest.slice(7, 19)}\\); 96 packages, `, 'm'));
    assert.match(again.stdout, new RegExp(`^${repository}: 1 record from 1 of 1 tags$`, 'm'));
    second = listJson();
  });

  it('records each tag with the digests, layer chain, OS and package counts of the fixture manifests', () => {
    assert.deepEqual(first.map((record) => record.tag), ['bookworm-slim', 'bullseye-slim']);
    assertRecordOf(first[0]!, bookworm, 'bookworm-slim');
    assertRecordOf(first[1]!, bullseye, 'bullseye-slim');
    assert.ok(first.every((record) => record.created !== undefined && !Number.isNaN(Date.parse(record.created))));
  });

  it('counts the vulnerabilities the raw advisory files give, against the current database build', () => {
    assert.equal(total(first[1]!), expectedFindings('debian-bullseye-base').length);
    assert.equal(total(first[0]!), expectedFindings('debian-bookworm-base').length);
    assert.equal(total(second[1]!), expectedFindings('debian-bullseye-refreshed').length);
    assert.ok(total(second[1]!) < total(first[1]!), 'the refreshed bullseye has fewer vulnerabilities');
    assert.ok([...first, ...second].every((record) => record.countsBuiltAt === builtAt));
  });

  it('keeps both digests of the rebuilt tag, the newest current', () => {
    assert.deepEqual(second.map((record) => record.tag), ['bookworm-slim', 'bullseye-slim']);
    assertRecordOf(second[1]!, refreshed, 'bullseye-slim');
    assert.deepEqual(second[0], first[0]);
    const catalog = SqliteBaseImageCatalog.openReadOnly(dataDir)!;
    try {
      const history = catalog.history(repository, 'bullseye-slim', 'linux/amd64');
      assert.deepEqual(history.map((record) => record.digest), [refreshed.manifestDigest, bullseye.manifestDigest]);
      assert.ok(history[0]!.indexedAt > history[1]!.indexedAt);
      assert.equal(catalog.sbom(bullseye.manifestDigest as `sha256:${string}`)!.packages.length, 96);
    } finally {
      catalog.close();
    }
  });

  it('lists as text: per repository, tag, platform, short digest, size, OS, packages and C/H/M/L/U', () => {
    const result = cli(['base-images', 'list']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], repository);
    assert.match(lines[1]!, /^ {2}TAG +PLATFORM +DIGEST +CREATED +SIZE +OS +PACKAGES +C +H +M +L +U$/);
    const row = lines.find((line) => line.includes('bullseye-slim'))!;
    const counts = second[1]!.counts!;
    assert.match(row, new RegExp(`^ {2}bullseye-slim +linux/amd64 +${refreshed.manifestDigest.slice(7, 19)} +\\d{4}-\\d\\d-\\d\\d +28 MB +debian 11 +96 +${counts.critical} +${counts.high} +${counts.medium} +${counts.low} +${counts.unspecified}$`));
  });
});

describe('spyglass base-images add', () => {
  it('catalogs every platform of an OCI layout index named with --as; counts come when a database appears', () => {
    const noDb = join(work, 'no-db');
    const added = cli(['base-images', 'add', `oci-dir://${FIXTURE_OCI}`, '--ref', 'multiarch', '--as', 'gcr.io/distroless/static:nonroot'], noDb);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stderr, /^warning: no vulnerability database in .*: vulnerability counts left out/m);
    const records = listJson(noDb);
    assert.deepEqual(records.map((record) => [record.repository, record.tag, record.platform, record.digest, record.diffIds, record.packageSummary]),
      ['multiarch-amd64', 'multiarch-arm64'].map((name) => {
        const image = fixture(name);
        return ['gcr.io/distroless/static', 'nonroot', image.platform, image.manifestDigest, image.layers.map((layer) => layer.diffId), image.packageCounts];
      }));
    assert.ok(records.every((record) => record.counts === undefined && record.tagDigest === 'sha256:91712f580f34a1a101f083b7a5e5eda0622733871d89da1bb095cff8203e02c4'));
    // The database arrives (or is rebuilt): list re-matches the stored SBOMs before showing them.
    linkDatabase(noDb);
    const listed = cli(['base-images', 'list', '--format', 'json'], noDb);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stderr, /recomputed the vulnerability counts of 2 images/);
    const recounted = (JSON.parse(listed.stdout) as { images: CatalogImage[] }).images;
    assert.ok(recounted.every((record) => record.counts !== undefined && record.countsBuiltAt === builtAt));
    assert.equal(total(recounted[0]!), expectedFindings('multiarch-amd64').length);
    const quiet = cli(['base-images', 'list', '--format', 'json'], noDb);
    assert.doesNotMatch(quiet.stderr, /recomputed/, 'nothing to recount the second time');
  });

  it('catalogs every platform of a multi-platform registry tag, or the one --platform asks for', async () => {
    await pushFixture(registry, 'multiarch', 'library/static:multi', { all: true });
    const dir = join(work, 'multi');
    linkDatabase(dir);
    const one = cli(['base-images', 'add', `${registry.host}/library/static:multi`, '--platform', 'linux/arm64'], dir);
    assert.equal(one.status, 0, one.stderr);
    assert.deepEqual(listJson(dir).map((record) => record.digest), [fixture('multiarch-arm64').manifestDigest]);
    const all = cli(['base-images', 'add', `registry://${registry.host}/library/static:multi`], dir);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /linux\/arm64\/v8 fc7ccf39b75f: unchanged/);
    assert.deepEqual(listJson(dir).map((record) => [record.platform, record.digest]), [
      ['linux/amd64', fixture('multiarch-amd64').manifestDigest],
      ['linux/arm64/v8', fixture('multiarch-arm64').manifestDigest],
    ]);
    assert.deepEqual(listJson(dir, ['--platform', 'linux/arm64']).map((record) => record.platform), ['linux/arm64/v8']);
    const missing = cli(['base-images', 'add', `${registry.host}/library/static:multi`, '--platform', 'linux/s390x'], dir);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `spyglass: registry://${registry.host}/library/static:multi: platform linux/s390x is not in the image index (it has linux/amd64, linux/arm64/v8)\n`);
  });
});

describe('spyglass base-images remove', () => {
  it('removes one tag, then a repository, and says so; an unknown name is a one-line error', async () => {
    const dir = join(work, 'remove');
    linkDatabase(dir);
    await pushFixture(registry, 'debian-bookworm-base', 'library/debian:12-slim');
    for (const tag of ['bookworm-slim', '12-slim']) assert.equal(cli(['base-images', 'add', `${repository}:${tag}`], dir).status, 0);
    const one = cli(['base-images', 'remove', `${repository}:12-slim`], dir);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout, `removed 1 record of ${repository}:12-slim\n`);
    assert.deepEqual(listJson(dir).map((record) => record.tag), ['bookworm-slim']);
    const unknown = cli(['base-images', 'remove', `${repository}:12-slim`], dir);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, `spyglass: ${repository}:12-slim: nothing in the base image catalog under ${repository}:12-slim\n`);
    const all = cli(['base-images', 'remove', repository], dir);
    assert.equal(all.stdout, `removed 1 record of ${repository}\n`);
    assert.deepEqual(listJson(dir), []);
  });
});

describe('spyglass base-images: bad input', () => {
  it('a registry that is down: one line naming it', () => {
    const result = cli(['base-images', 'index', '127.0.0.1:9/library/debian'], join(work, 'bad'));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'spyglass: registry://127.0.0.1:9/library/debian: cannot connect to 127.0.0.1:9 (connection refused)\n');
  });

  it('a repository or tag the registry does not have: one line naming it', () => {
    const repo = cli(['base-images', 'index', `${registry.host}/library/nothing-here`], join(work, 'bad'));
    assert.equal(repo.status, 1);
    assert.equal(repo.stderr, `spyglass: registry://${registry.host}/library/nothing-here: repository unknown (not found in the registry)\n`);
    const tag = cli(['base-images', 'add', `${repository}:no-such-tag`], join(work, 'bad'));
    assert.equal(tag.status, 1);
    assert.equal(tag.stderr, `spyglass: registry://${repository}:no-such-tag: manifest unknown (not found in the registry)\n`);
  });

  it('index goes on past a tag that fails, warns and counts it', async () => {
    const dir = join(work, 'partial');
    linkDatabase(dir);
    await pushFixture(registry, 'debian-bullseye-base', 'library/mixed:good');
    await pushFixture(registry, 'app-bookworm', 'library/mixed:broken');
    // The python layer exists only in app-bookworm: without it in the repository, that tag cannot be read.
    const pythonLayer = fixture('app-bookworm').layers[4]!.digest;
    const deleted = await fetch(`http://${registry.host}/v2/library/mixed/blobs/${pythonLayer}`, { method: 'DELETE' });
    assert.equal(deleted.status, 202);
    const result = cli(['base-images', 'index', `${registry.host}/library/mixed`], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`^warning: ${registry.host}/library/mixed:broken: skipped: .*${pythonLayer}`, 'm'));
    assert.match(result.stdout, new RegExp(`^${registry.host}/library/mixed: 1 record from 1 of 2 tags; 1 failed: broken$`, 'm'));
    assert.deepEqual(listJson(dir).map((record) => record.tag), ['good']);
  });

  it('add records the references it can read, says which it could not, and exits 1', () => {
    const dir = join(work, 'partial-add');
    linkDatabase(dir);
    const result = cli(['base-images', 'add', `${repository}:no-such-tag`, `${repository}:bookworm-slim`], dir);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, [
      `warning: ${repository}:no-such-tag: not catalogued: registry://${repository}:no-such-tag: manifest unknown (not found in the registry)`,
      `spyglass: 1 of 2 references failed (${repository}:no-such-tag); the others were catalogued`,
      '',
    ].join('\n'));
    assert.deepEqual(listJson(dir).map((record) => [record.tag, record.digest]), [['bookworm-slim', bookworm.manifestDigest]]);
  });

  it('names and flags that cannot be used: one line each', () => {
    const dir = join(work, 'bad');
    const classic = join(fixtureArchives(), 'debian-bookworm-base.docker.tar');
    const cases: [string[], string][] = [
      [['base-images', 'index', repository, '--tags', '(['], `spyglass: --tags ([: not a regular expression (Invalid regular expression: /([/: Unterminated character class)\n`],
      [['base-images', 'index', repository, '--tags', '^nothing$'], `spyglass: ${repository}: no tags match --tags ^nothing$\n`],
      [['base-images', 'index', `${repository}:bullseye-slim`], `spyglass: ${repository}:bullseye-slim: expected a repository (REGISTRY/REPOSITORY), without a tag or digest\n`],
      [['base-images', 'add', `oci-dir://${FIXTURE_OCI}`, '--ref', 'debian-bookworm-base'], `spyglass: oci-dir://${FIXTURE_OCI}: name the image with --as REPOSITORY:TAG (the catalog records images by repository and tag)\n`],
      [['base-images', 'add', `oci-dir://${FIXTURE_OCI}`, '--ref', 'debian-bookworm-base', '--as', 'library/debian'], 'spyglass: --as library/debian: expected REPOSITORY:TAG (the catalog records images by tag)\n'],
      [['base-images', 'add', `archive://${classic}`, '--as', 'library/debian:bookworm-slim'], `spyglass: archive://${classic}: a classic \`docker save\` archive has no manifest digest, which the catalog records images by; catalog it from its registry, an OCI layout (oci-dir://) or an OCI archive (oci-archive://)\n`],
      [['base-images', 'list', '--format', 'yaml'], 'spyglass: --format yaml: expected one of text, json\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = cli(args, dir);
      assert.equal(result.status, 1, args.join(' '));
      assert.equal(result.stderr, stderr, args.join(' '));
    }
  });
});
