// The vulnerability database, end to end on real data:
//   ingest:  `updateDatabase` over everything under ../shared/data/advisories and ../shared/data/scoring,
//            each registered feed pointed at its folders (and at every archive inside them, as
//            `db update --source NAME=…` repeated would): wall time, records per second, peak RSS,
//            database size
//   lookup:  `AdvisoryStore.affected` for every package of the fixture images (their manifests), as
//            the matcher asks: Debian packages by source package in `debian:<VERSION_ID>`, npm, go, pypi
// Targets: full ingest < 30 s, lookup p99 < 100 µs. Never fails: a feed or a module that is not there
// yet is skipped with a note.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feed } from '../src/advisories/feeds/feed.ts';
import { openFeedInput } from '../src/advisories/input/open.ts';
import { SHARED } from '../test/helpers/fixtures.ts';
import { FEED_FOLDERS, locationsOf } from '../test/helpers/feeds.ts';

const DATA = join(SHARED, 'data');
const MANIFESTS = join(SHARED, 'fixtures/manifests');
const LOOKUP_ROUNDS = 20;
// An image of 3 packages gives 60 lookups in 20 rounds, whose p99 is its slowest one: small images get
// more rounds (the overall figure takes LOOKUP_ROUNDS rounds of each image, so they do not weigh more).
const LOOKUP_MIN_SAMPLES = 2000;
const LOOKUP_TARGET_US = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

interface ManifestPackage {
  type: string;
  name: string;
  source?: string;
}

/** (namespace, package) keys the matcher would look up for one fixture image. */
function lookupKeys(manifest: { os?: { id?: string; versionId?: string }; packages: ManifestPackage[] }): [string, string][] {
  const keys: [string, string][] = [];
  for (const pkg of manifest.packages) {
    if (pkg.type === 'deb' && manifest.os?.versionId) keys.push([`debian:${manifest.os.versionId}`, pkg.source || pkg.name]);
    else if (pkg.type === 'npm') keys.push(['npm', pkg.name]);
    else if (pkg.type === 'golang') keys.push(['go', pkg.name]);
    // PEP 503 normalised, as the OSV feed stores PyPI names.
    else if (pkg.type === 'python') keys.push(['pypi', pkg.name.toLowerCase().replace(/[-_.]+/g, '-')]);
  }
  return keys;
}

async function main(): Promise<void> {
  let updateDatabase: typeof import('../src/advisories/update.ts').updateDatabase;
  let FEEDS: readonly Feed[];
  let openStore: (dataDir: string) => import('../src/advisories/store/store.ts').AdvisoryStore;
  let databasePath: (dataDir: string) => string;
  try {
    ({ updateDatabase } = await import('../src/advisories/update.ts'));
    ({ FEEDS } = await import('../src/advisories/feeds/registry.ts'));
    const sqlite = await import('../src/advisories/store/sqlite.ts');
    openStore = (dataDir) => sqlite.SqliteAdvisoryStore.open(dataDir);
    databasePath = sqlite.databasePath;
  } catch (error) {
    console.log(`db bench skipped: the database modules are not all there yet (${(error as Error).message.split('\n')[0]})`);
    return;
  }

  const sources: { name: string; location: string }[] = [];
  for (const feed of FEEDS) {
    const folders = FEED_FOLDERS[feed.name];
    if (folders === undefined) {
      console.log(`note: no shared data folder known for feed ${feed.name}; skipped`);
      continue;
    }
    for (const folder of folders) for (const location of locationsOf(join(DATA, folder))) sources.push({ name: feed.name, location });
  }
  for (const name of Object.keys(FEED_FOLDERS)) {
    if (!FEEDS.some((feed) => feed.name === name)) console.log(`note: feed ${name} is not registered yet; its data is skipped`);
  }

  // SPYGLASS_BENCH_KEEP=DIR keeps the database there, to look at it afterwards.
  const work = process.env.SPYGLASS_BENCH_KEEP ?? mkdtempSync(join(tmpdir(), 'spyglass-db-bench-'));
  try {
    const dataDir = join(work, 'data');
    const started = performance.now();
    const sourceSeconds = new Map<string, number>();
    const outcomes = await updateDatabase(dataDir, sources, {
      openInput: openFeedInput,
      cacheDir: join(work, 'cache'),
      onSource: (event) => {
        const now = performance.now() / 1000;
        sourceSeconds.set(event.source, event.phase === 'start' ? now : now - (sourceSeconds.get(event.source) ?? now));
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const peakRss = process.resourceUsage().maxRSS * 1024;
    let records = 0;
    console.log('\nsource            outcome       records   skipped   seconds');
    for (const outcome of outcomes) {
      const count = outcome.outcome === 'updated' ? outcome.records : 0;
      records += count;
      const skipped = outcome.outcome === 'updated' ? String(outcome.skipped.length) : '';
      console.log(`${outcome.source.padEnd(18)}${outcome.outcome.padEnd(14)}${String(count).padStart(7)}${skipped.padStart(10)}${(sourceSeconds.get(outcome.source) ?? 0).toFixed(2).padStart(10)}${outcome.outcome === 'failed' ? `  ${outcome.error}` : ''}`);
    }
    let size = 0;
    for (const suffix of ['', '-wal']) {
      try {
        size += statSync(databasePath(dataDir) + suffix).size;
      } catch {
        // No WAL file once the database is published.
      }
    }
    console.log(`\ningest: ${seconds.toFixed(2)} s for ${records} records (${Math.round(records / seconds)} records/s), peak RSS ${mib(peakRss)}, database ${mib(size)}  [target < 30 s: ${seconds < 30 ? 'met' : 'MISSED'}]`);

    const store = openStore(dataDir);
    const target = (p99: number) => `[target p99 < ${LOOKUP_TARGET_US} µs: ${p99 < LOOKUP_TARGET_US ? 'met' : 'MISSED'}]`;
    const all: number[] = [];
    try {
      for (const file of readdirSync(MANIFESTS).filter((name) => name.endsWith('.json')).sort()) {
        const keys = lookupKeys(JSON.parse(readFileSync(join(MANIFESTS, file), 'utf8')));
        if (keys.length === 0) continue;
        for (const [namespace, name] of keys) await store.affected(namespace, name); // warm the page cache and statements
        const latencies: number[] = [];
        // The slowest key by its median, to say what the p99 is made of.
        const perKey = new Map<string, { rows: number; latencies: number[] }>();
        let rows = 0;
        let found = 0;
        const rounds = Math.max(LOOKUP_ROUNDS, Math.ceil(LOOKUP_MIN_SAMPLES / keys.length));
        for (let round = 0; round < rounds; round++) {
          for (const [namespace, name] of keys) {
            const start = process.hrtime.bigint();
            const result = await store.affected(namespace, name);
            const micros = Number(process.hrtime.bigint() - start) / 1000;
            latencies.push(micros);
            const key = `${namespace} ${name}`;
            const entry = perKey.get(key) ?? { rows: result.length, latencies: [] };
            entry.latencies.push(micros);
            perKey.set(key, entry);
            if (round === 0) {
              rows += result.length;
              if (result.length > 0) found += 1;
            }
          }
        }
        all.push(...latencies.slice(0, LOOKUP_ROUNDS * keys.length));
        latencies.sort((a, b) => a - b);
        const p99 = percentile(latencies, 99);
        const [slowKey, slowest] = [...perKey].map(([key, entry]) => [key, { rows: entry.rows, p50: percentile(entry.latencies.sort((a, b) => a - b), 50) }] as const)
          .reduce((worst, candidate) => (candidate[1].p50 > worst[1].p50 ? candidate : worst));
        console.log(
          `lookup ${file.replace(/\.json$/, '').padEnd(26)} ${String(keys.length).padStart(4)} packages (${found} with advisories, ${rows} rows): ` +
            `p50 ${percentile(latencies, 50).toFixed(1)} µs, p99 ${p99.toFixed(1)} µs  ${target(p99)}  slowest ${slowKey} (${slowest.rows} rows) p50 ${slowest.p50.toFixed(1)} µs`,
        );
      }
      all.sort((a, b) => a - b);
      const p99 = percentile(all, 99);
      console.log(`lookup overall (${LOOKUP_ROUNDS} rounds of each) ${String(all.length).padStart(8)} lookups: p50 ${percentile(all, 50).toFixed(1)} µs, p99 ${p99.toFixed(1)} µs  ${target(p99)}`);
    } finally {
      await store.close();
    }
  } finally {
    if (!process.env.SPYGLASS_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  }
}

await main();
