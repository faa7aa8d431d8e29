// Base image detection and recommendations for one image against a catalog of 1,000 images: the real
// layer chains of the fixture images (../shared/fixtures/manifests: bullseye, refreshed bullseye,
// bookworm, multiarch) under docker.io/library/debian tags, plus generated records (other repositories,
// other debian tags with chains that share the real bottom layers, versioned, floating and unstable tags).
// Measured in process: detectBase (by layers: app-bookworm; by annotation: app-bullseye) followed by
// recommend(), p50 and p99 over ROUNDS. Target: under 50 ms. Never fails on timing.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBaseImageCatalog } from '../src/baseimage/catalog.ts';
import { detectBase } from '../src/baseimage/detect.ts';
import type { CatalogImage } from '../src/baseimage/model.ts';
import { recommend } from '../src/baseimage/recommend.ts';
import type { Digest } from '../src/core/digest.ts';
import type { Sbom, SbomSource } from '../src/core/sbom.ts';
import { FIXTURE_MANIFESTS } from '../test/helpers/fixtures.ts';
import { minimalSbom } from '../test/helpers/sbom.ts';

const CATALOG_SIZE = 1000;
const ROUNDS = 200;
const PLATFORM = 'linux/amd64';

interface Manifest {
  image: string;
  manifestDigest: Digest;
  configDigest: Digest;
  annotations: Record<string, string>;
  layers: { digest: Digest; diffId: Digest; size: number }[];
  os: { id: string; versionId: string; codename: string };
  packages: unknown[];
}

const manifest = (name: string) => JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${name}.json`), 'utf8')) as Manifest;
const fakeDigest = (seed: string): Digest => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

function emptySbom(source: SbomSource): Sbom {
  return minimalSbom([], { source });
}

function record(repository: string, tag: string, digest: Digest, diffIds: Digest[], created: string, counts: number[]): CatalogImage {
  const [critical, high, medium, low, unspecified] = counts;
  return {
    repository, tag, platform: PLATFORM, digest, configDigest: fakeDigest(`config ${digest}`), diffIds, created, size: 30_000_000 + diffIds.length * 1_000_000,
    os: { id: 'debian', versionId: '12' }, packageSummary: { deb: 90 },
    counts: { critical: critical!, high: high!, medium: medium!, low: low!, unspecified: unspecified! }, countsBuiltAt: '2026-11-26T00:00:00Z', indexedAt: created,
  };
}

function sourceOf(m: Manifest): SbomSource {
  return {
    input: `oci-dir://fixtures:${m.image}`, names: [m.image], manifestDigest: m.manifestDigest, configDigest: m.configDigest, platform: PLATFORM,
    layers: m.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size })), annotations: m.annotations,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'spyglass-baseimage-bench-'));
  const catalog = SqliteBaseImageCatalog.open(work);
  try {
    const base = manifest('debian-bullseye-base');
    const refreshed = manifest('debian-bullseye-refreshed');
    const bookworm = manifest('debian-bookworm-base');
    const chain = (m: Manifest) => m.layers.map((layer) => layer.diffId);
    const real: [string, Manifest, string][] = [
      ['bullseye-slim', base, '2025-01-01T00:00:00Z'],
      ['bullseye-slim', refreshed, '2026-06-01T00:00:00Z'],
      ['bookworm-slim', bookworm, '2026-06-01T00:00:00Z'],
    ];
    let count = 0;
    for (const [tag, m, created] of real) {
      catalog.put(record('docker.io/library/debian', tag, m.manifestDigest, chain(m), created, [0, 2, 5, 10, 40]), emptySbom(sourceOf(m)));
      count += 1;
    }
    // Debian tags that share the real bottom layers, versioned and floating, and other repositories' images.
    const words = ['slim', 'bookworm', 'bullseye', 'trixie', 'sid', 'rc1', 'latest', 'stable', 'testing'];
    for (let i = 0; count < CATALOG_SIZE; i += 1, count += 1) {
      const debian = i % 3 === 0;
      const repository = debian ? 'docker.io/library/debian' : `docker.io/library/repo${i % 97}`;
      const bottom = debian ? chain(i % 2 === 0 ? bookworm : base).slice(0, 1) : [];
      const diffIds = [...bottom, ...Array.from({ length: 1 + (i % 5) }, (_, n) => fakeDigest(`layer ${i} ${n}`))];
      const tag = debian ? `${11 + (i % 3)}.${i % 10}-${words[i % words.length]}` : `${i % 7}.${i % 11}.${i % 13}-${words[(i * 7) % words.length]}`;
      catalog.put(record(repository, tag, fakeDigest(`manifest ${i}`), diffIds, `2026-0${1 + (i % 9)}-01T00:00:00Z`, [i % 3, i % 5, i % 7, i % 11, i % 13]), emptySbom({ input: tag, names: [], layers: [] }));
    }
    console.log(`base image catalog: ${count} records (${real.length} real fixture chains)`);
    for (const [image, label] of [['app-bookworm', 'by layers'], ['app-bullseye', 'by annotation']] as const) {
      const source = sourceOf(manifest(image));
      const times: number[] = [];
      let summary = '';
      for (let round = 0; round < ROUNDS; round += 1) {
        const start = performance.now();
        const outcome = await detectBase({ source }, catalog);
        const recommendations = outcome.base ? recommend(outcome.base, catalog, { platform: PLATFORM }) : [];
        times.push(performance.now() - start);
        if (round === 0) summary = outcome.base ? `${outcome.base.method} → ${outcome.base.name}; ${recommendations.map((r) => `${r.kind} ${r.name}`).join(', ') || 'no recommendations'}` : `unknown: ${outcome.reason}`;
      }
      times.sort((a, b) => a - b);
      const p99 = percentile(times, 99);
      console.log(`${image.padEnd(14)} ${label.padEnd(14)} p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms  [target < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}]  ${summary}`);
    }
  } finally {
    catalog.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
