// `spyglass cves` end to end beside `spyglass sbom` on the same image, in the same run: the built CLI's
// whole process (bin/spyglass.js, so `npm run bench` builds first), timed from outside, on every fixture
// image of the shared OCI layout, with the database built from every shared feed.
//   cold: an empty blob and layer cache (every layer read; median of COLD_RUNS, each with a fresh cache), then
//   warm: the cache filled by the cold runs (median of RUNS).
// Targets: cves at most 0.1 s more than sbom (cold and warm); cves warm under 0.25 s. Never fails on timing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFeedInput } from '../src/advisories/input/open.ts';
import { updateDatabase } from '../src/advisories/update.ts';
import { sharedFeedSources } from '../test/helpers/feeds.ts';
import { FIXTURE_OCI } from '../test/helpers/fixtures.ts';

const IMAGES: [string, string[]][] = [
  ['app-bullseye', ['--ref', 'app-bullseye']],
  ['app-bookworm', ['--ref', 'app-bookworm']],
  ['debian-bullseye-base', ['--ref', 'debian-bullseye-base']],
  ['debian-bullseye-refreshed', ['--ref', 'debian-bullseye-refreshed']],
  ['debian-bookworm-base', ['--ref', 'debian-bookworm-base']],
  ['multiarch-amd64', ['--ref', 'multiarch', '--platform', 'linux/amd64']],
  ['multiarch-arm64', ['--ref', 'multiarch', '--platform', 'linux/arm64/v8']],
];
const RUNS = 5;
const COLD_RUNS = 5;
const BIN = join(import.meta.dirname, '..', 'bin', 'spyglass.js');

function run(args: string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`spyglass ${args.join(' ')} failed (${result.status}): ${result.stderr.trim().split('\n')[0]}`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (seconds: number) => `${seconds.toFixed(3)} s`;

async function main(): Promise<void> {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'))) {
    console.log('cves bench skipped: dist/ is not built (npm run build)');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'spyglass-cves-bench-'));
  try {
    const dataDir = join(work, 'data');
    await updateDatabase(dataDir, sharedFeedSources(), { openInput: openFeedInput, cacheDir: join(work, 'feed-cache') });
    console.log('cves vs sbom, whole CLI process (bin/spyglass.js), full database');
    console.log('image                        sbom cold  cves cold   delta  sbom warm  cves warm   delta');
    const deltas: number[] = [];
    const warmCves: number[] = [];
    for (const [name, selection] of IMAGES) {
      const image = [`oci-dir://${FIXTURE_OCI}`, ...selection];
      const cacheFor = (label: string) => join(work, `cache-${name}-${label}`);
      const env = (cacheDir: string) => ({ ...process.env, SPYGLASS_DATA_DIR: dataDir, SPYGLASS_CACHE_DIR: cacheDir, CI: '1' });
      // Alternating, so that a busy moment of the machine does not fall on one command only.
      const sbomColds: number[] = [];
      const cvesColds: number[] = [];
      for (let round = 0; round < COLD_RUNS; round += 1) {
        sbomColds.push(run(['sbom', ...image, '--format', 'json', '-q'], env(cacheFor(`sbom-${round}`))));
        cvesColds.push(run(['cves', ...image, '--format', 'json', '-q'], env(cacheFor(`cves-${round}`))));
      }
      const sbomCold = median(sbomColds);
      const cvesCold = median(cvesColds);
      const sbomWarms: number[] = [];
      const cvesWarms: number[] = [];
      for (let round = 0; round < RUNS; round += 1) {
        sbomWarms.push(run(['sbom', ...image, '--format', 'json', '-q'], env(cacheFor('sbom-0'))));
        cvesWarms.push(run(['cves', ...image, '--format', 'json', '-q'], env(cacheFor('cves-0'))));
      }
      const sbomWarm = median(sbomWarms);
      const cvesWarm = median(cvesWarms);
      deltas.push(cvesCold - sbomCold, cvesWarm - sbomWarm);
      warmCves.push(cvesWarm);
      console.log(
        `${name.padEnd(27)}${s(sbomCold).padStart(10)}${s(cvesCold).padStart(11)}${(cvesCold - sbomCold >= 0 ? '+' : '') + (cvesCold - sbomCold).toFixed(3)}`.padEnd(56) +
          `${s(sbomWarm).padStart(11)}${s(cvesWarm).padStart(11)}  ${(cvesWarm - sbomWarm >= 0 ? '+' : '') + (cvesWarm - sbomWarm).toFixed(3)}`,
      );
    }
    const worstDelta = Math.max(...deltas);
    const worstWarm = Math.max(...warmCves);
    console.log(`\nworst cves - sbom: ${worstDelta.toFixed(3)} s (target <= 0.100 s: ${worstDelta <= 0.1 ? 'met' : 'NOT met'})`);
    console.log(`worst cves warm:   ${worstWarm.toFixed(3)} s (target < 0.250 s: ${worstWarm < 0.25 ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
