// `spyglass recommendations` and quickview's refreshed/updated rows as a user runs them, against a real
// registry: debian-bullseye-base and debian-bookworm-base pushed as library/debian:bullseye-slim and
// :bookworm-slim and indexed, then debian-bullseye-refreshed pushed over bullseye-slim and indexed again.
// app-bullseye's annotation names docker.io/library/debian:bullseye-slim at the old digest: the catalog
// holds it under the loopback registry's name, and the base is found there by that digest. Expected counts
// are each fixture's own `cves --format json`; expected digests, sizes and package counts are the fixture
// manifests' (skopeo, umoci, dpkg-query); what is tested is which images are recommended and the arithmetic.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';

const LEVELS = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
type Counts = Record<(typeof LEVELS)[number], number>;

interface RecommendationJson {
  kind: string;
  name: string;
  ref: { repository: string; tag: string; digest: string };
  counts: Counts;
  delta: Counts;
  size: number;
  sizeDelta: number;
  created: string;
  packages: number;
  reason: string;
}
interface RecommendationsJson {
  base?: { name: string; digest: string; method: string; counts: Counts; size: number; packages: number };
  recommendations: RecommendationJson[];
  notes: string[];
}

let registry: TestRegistry;
let work: string;
let env: NodeJS.ProcessEnv;
let repository: string;
let app: string;
const counts: Record<string, Counts> = {};

/** Counts per severity from the fixture's own `spyglass cves --format json`. */
function cvesCounts(image: string): Counts {
  const result = runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', image, '--format', 'json'], { env });
  assert.equal(result.status, 0, result.stderr);
  const vulnerabilities = (JSON.parse(result.stdout) as { vulnerabilities: { severity: string }[] }).vulnerabilities;
  return Object.fromEntries(LEVELS.map((level) => [level, vulnerabilities.filter((v) => v.severity === level).length])) as Counts;
}

function minus(a: Counts, b: Counts): Counts {
  return Object.fromEntries(LEVELS.map((level) => [level, a[level] - b[level]])) as Counts;
}

function sizeOf(image: string): number {
  return expectedImage(image).layers.reduce((sum, layer) => sum + layer.size, 0);
}

function debs(image: string): number {
  return (expectedImage(image) as unknown as { packageCounts: { deb: number } }).packageCounts.deb;
}

function cli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}) {
  return runCli(args, { env: options.env ?? env });
}

function recommendations(args: string[]): RecommendationsJson {
  const result = cli(['recommendations', ...args, '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as RecommendationsJson;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-recommendations-cli-'));
  // The shared fixture database, read-only, beside this test's own catalog.
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
  env = { SPYGLASS_DATA_DIR: dataDir, SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
  for (const image of ['debian-bullseye-base', 'debian-bullseye-refreshed', 'debian-bookworm-base', 'app-bullseye']) counts[image] = cvesCounts(image);
  registry = await startRegistry();
  repository = `${registry.host}/library/debian`;
  app = `registry://${registry.host}/library/app:bullseye`;
  await pushFixture(registry, 'debian-bullseye-base', 'library/debian:bullseye-slim');
  await pushFixture(registry, 'debian-bookworm-base', 'library/debian:bookworm-slim');
  await pushFixture(registry, 'app-bullseye', 'library/app:bullseye');
  const first = cli(['base-images', 'index', repository]);
  assert.equal(first.status, 0, first.stderr);
  await pushFixture(registry, 'debian-bullseye-refreshed', 'library/debian:bullseye-slim');
  const second = cli(['base-images', 'index', repository]);
  assert.equal(second.status, 0, second.stderr);
});

after(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('spyglass recommendations', () => {
  it('recommends the refreshed bullseye-slim and bookworm-slim, with counts and changes against the annotated base', () => {
    const base = expectedImage('debian-bullseye-base');
    const report = recommendations([app]);
    assert.deepEqual(report.notes, []);
    assert.equal(report.base?.name, 'debian:bullseye-slim');
    assert.equal(report.base?.method, 'annotation');
    assert.equal(report.base?.digest, base.manifestDigest);
    assert.deepEqual(report.base?.counts, counts['debian-bullseye-base']);
    assert.equal(report.base?.size, sizeOf('debian-bullseye-base'));
    assert.equal(report.base?.packages, debs('debian-bullseye-base'));
    assert.deepEqual(report.recommendations.map((r) => [r.kind, r.name]), [
      ['refreshed', `${repository}:bullseye-slim`],
      ['updated', `${repository}:bookworm-slim`],
    ]);
    const [refreshed, updated] = report.recommendations as [RecommendationJson, RecommendationJson];
    assert.equal(refreshed.ref.digest, expectedImage('debian-bullseye-refreshed').manifestDigest);
    assert.deepEqual(refreshed.counts, counts['debian-bullseye-refreshed']);
    assert.deepEqual(refreshed.delta, minus(counts['debian-bullseye-refreshed']!, counts['debian-bullseye-base']!));
    assert.equal(refreshed.size, sizeOf('debian-bullseye-refreshed'));
    assert.equal(refreshed.sizeDelta, sizeOf('debian-bullseye-refreshed') - sizeOf('debian-bullseye-base'));
    assert.equal(refreshed.packages, debs('debian-bullseye-refreshed'));
    assert.ok(Date.parse(refreshed.created) > 0);
    assert.equal(updated.ref.digest, expectedImage('debian-bookworm-base').manifestDigest);
    assert.deepEqual(updated.counts, counts['debian-bookworm-base']);
    assert.deepEqual(updated.delta, minus(counts['debian-bookworm-base']!, counts['debian-bullseye-base']!));
    assert.equal(updated.sizeDelta, sizeOf('debian-bookworm-base') - sizeOf('debian-bullseye-base'));
    assert.equal(updated.packages, debs('debian-bookworm-base'));
    assert.equal(updated.reason, 'same variant (slim), newest stable release: bookworm (12) after bullseye (11)');
    // The security updates fixed something: a refresh that changed nothing would test nothing.
    assert.ok(LEVELS.some((level) => refreshed.delta[level] !== 0));
  });

  it('prints Scout\'s sections: the base, then each recommendation with its counts and, under them, the change', () => {
    const result = cli(['recommendations', app]);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const cells = (values: Counts, cell: (value: number, letter: string) => string) => LEVELS
      .filter((level) => level !== 'unspecified' || values.unspecified !== 0)
      .map((level) => cell(values[level], level[0]!.toUpperCase()).padStart(6)).join(' ').trimEnd();
    const countLine = (values: Counts) => cells(values, (value, letter) => `${value}${letter}`);
    const changeLine = (values: Counts) => cells(values, (value) => (value === 0 ? '' : value > 0 ? `+${value}` : `${value}`));
    assert.match(result.stdout, /^Recommended fixes for image {2}\S*library\/app:bullseye$/m);
    const baseLine = lines.find((line) => line.startsWith('  Base image'))!;
    assert.ok(baseLine.includes('debian:bullseye-slim') && baseLine.endsWith(countLine(counts['debian-bullseye-base']!)), baseLine);
    for (const [title, image, tag] of [['Refreshed base image', 'debian-bullseye-refreshed', 'bullseye-slim'], ['Updated base image', 'debian-bookworm-base', 'bookworm-slim']] as const) {
      const at = lines.indexOf(title);
      assert.ok(at > 0, `${title} section`);
      const row = lines.findIndex((line, i) => i > at && line.includes(`${repository}:${tag}`));
      assert.ok(lines[row]!.endsWith(`│${countLine(counts[image]!)}`), lines[row]);
      assert.ok(lines[row + 1]!.endsWith(`│${changeLine(minus(counts[image]!, counts['debian-bullseye-base']!))}`), lines[row + 1]);
    }
    assert.doesNotMatch(result.stdout, /^Alternatives$/m);
  });

  it('--only-refresh and --only-update keep one section; --tag forces the updated tag; an uncatalogued tag is one line, exit 1', () => {
    assert.deepEqual(recommendations([app, '--only-refresh']).recommendations.map((r) => r.kind), ['refreshed']);
    assert.deepEqual(recommendations([app, '--only-update']).recommendations.map((r) => r.kind), ['updated']);
    const forced = recommendations([app, '--tag', 'bookworm-slim', '--only-update']).recommendations;
    assert.deepEqual(forced.map((r) => [r.kind, r.ref.tag, r.reason]), [['updated', 'bookworm-slim', 'chosen with --tag bookworm-slim']]);
    const missing = cli(['recommendations', app, '--tag', 'trixie-slim']);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `spyglass: --tag trixie-slim: the catalog has no tag trixie-slim of ${repository} for linux/amd64 (catalogued tags: bookworm-slim)\n`);
    const both = cli(['recommendations', app, '--only-refresh', '--only-update']);
    assert.equal(both.status, 1);
    assert.equal(both.stderr, 'spyglass: --only-refresh and --only-update: give one of them, or neither for both\n');
  });

  it('finds a base without annotations by its layers, and says when it is the newest', () => {
    const report = recommendations([`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm']);
    assert.equal(report.base?.name, `${repository}:bookworm-slim`);
    assert.equal(report.base?.method, 'layers');
    assert.deepEqual(report.base?.counts, counts['debian-bookworm-base']);
    assert.deepEqual(report.recommendations, []);
    const text = cli(['recommendations', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', '--format', 'markdown']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`Refreshed: ✓ The base image is the newest digest of ${repository.replace(/\./g, '\\.')}:bookworm-slim in the catalog\\.`));
    assert.match(text.stdout, /Updated: ✓ No newer stable tag of the slim variant in the catalog\./);
    // --details shows the evidence: the base's layer chain is the image's bottom.
    const details = cli(['recommendations', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', '--details']);
    assert.equal(details.status, 0, details.stderr);
    assert.match(details.stdout, /Base image detected by layers:\n {4}- /);
  });

  it('an image whose base is unknown gets the reason and how to fill the catalog, not an error', () => {
    const result = cli(['recommendations', `oci-dir://${FIXTURE_OCI}`, '--ref', 'multiarch']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Base image +│ +unknown/);
    assert.match(result.stdout, /Base image unknown: .*spyglass base-images index REGISTRY\/REPOSITORY/s);
    assert.doesNotMatch(result.stdout, /Refreshed base image/);
  });

  it('without a catalog: one line saying how to fill it, exit 1', () => {
    const bare = join(work, 'bare');
    mkdirSync(bare);
    symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(bare, 'spyglass.db'));
    const result = cli(['recommendations', app], { env: { ...env, SPYGLASS_DATA_DIR: bare } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^spyglass: no base image catalog in .*bare: .*`spyglass base-images index REGISTRY\/REPOSITORY`.*\n$/);
    assert.equal(result.stderr.split('\n').length, 2);
  });
});

describe('spyglass quickview with a catalog', () => {
  it('adds the Refreshed and Updated base image rows, each with its change line against the base row', () => {
    const json = cli(['quickview', app, '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    type Row = { name: string; digest: string; counts: Counts; delta: Counts };
    const summary = JSON.parse(json.stdout) as { base: { name: string; counts: Counts }; refreshed: Row; updated: Row; warnings: string[] };
    assert.equal(summary.base.name, 'debian:bullseye-slim');
    assert.deepEqual(summary.base.counts, counts['debian-bullseye-base']);
    assert.equal(summary.refreshed.digest, expectedImage('debian-bullseye-refreshed').manifestDigest);
    assert.deepEqual(summary.refreshed.delta, minus(counts['debian-bullseye-refreshed']!, counts['debian-bullseye-base']!));
    assert.equal(summary.updated.name, `${repository}:bookworm-slim`);
    assert.deepEqual(summary.updated.delta, minus(counts['debian-bookworm-base']!, counts['debian-bullseye-base']!));
    // Read from the catalog: the base was not pulled from Docker Hub, whose name the annotation gives.
    assert.deepEqual(summary.warnings.filter((warning) => /not scanned|catalog/.test(warning)), []);
    const text = cli(['quickview', app]);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.split('\n');
    const refreshedAt = lines.findIndex((line) => line.startsWith('  Refreshed base image'));
    const updatedAt = lines.findIndex((line) => line.startsWith('  Updated base image'));
    assert.ok(refreshedAt > lines.findIndex((line) => line.startsWith('  Base image')) && updatedAt === refreshedAt + 2, text.stdout);
    // The change line sits under the counts: blank label and name columns, then the signed changes.
    assert.match(lines[refreshedAt + 1]!, /^ +│ +│(?: +[+-]\d+| {6})+$/);
    assert.match(lines[updatedAt + 1]!, /^ +│ +│(?: +[+-]\d+| {6})+$/);
  });
});
