// Layer filesystem throughput against a floor measured in the same run.
// Reads every layer of app-bullseye.oci.tar and app-bookworm.oci.tar (derived by make-archives.sh, opened
// with the oci-archive source) twice, each in its own child process so peak RSS is the run's own:
//   layerfs: buildFileTree with a cataloger-like predicate (dpkg status, package.json, os-release, …)
//   floor:   Node's zlib gunzip + streaming sha256 over the same blobs, nothing else
// Prints seconds, MB/s (compressed and uncompressed), peak RSS, and the layerfs/floor ratio.
// Target: ratio ≤ 1.3, layerfs peak RSS < 150 MB. Never fails on timing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { buildFileTree } from '../src/layerfs/index.ts';
import type { Image } from '../src/image/model.ts';
import { openImage } from '../src/image/open.ts';
import { fixtureArchives } from '../test/helpers/fixtures.ts';

const IMAGES = ['app-bullseye', 'app-bookworm'];
const RUNS = 5;

interface Result {
  seconds: number;
  compressedBytes: number;
  uncompressedBytes: number;
  peakRssBytes: number;
  selectedFiles?: number;
}

/** The images as `oci-archive://` inputs: make-archives.sh's `.oci.tar` files, derived once by the parent. */
function images(): Promise<Image[]> {
  const dir = process.env.SPYGLASS_BENCH_ARCHIVES as string;
  return Promise.all(IMAGES.map((name) => openImage(`oci-archive://${join(dir, `${name}.oci.tar`)}`, { cacheDir: join(dir, 'cache') })));
}

const wants = (path: string): boolean =>
  path === '/var/lib/dpkg/status' || path.startsWith('/var/lib/dpkg/status.d/') || path === '/lib/apk/db/installed'
  || path.endsWith('/package.json') || path.endsWith('.dist-info/METADATA')
  || path === '/etc/os-release' || path === '/usr/lib/os-release';

async function runLayerfs(): Promise<Result> {
  const start = performance.now();
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  let selectedFiles = 0;
  for (const image of await images()) {
    const tree = await buildFileTree(image, { wants });
    for (const layer of tree.layers) {
      compressedBytes += layer.compressedBytes;
      uncompressedBytes += layer.uncompressedBytes;
      selectedFiles += layer.selectedFiles;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, compressedBytes, uncompressedBytes, selectedFiles, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

async function runFloor(): Promise<Result> {
  const start = performance.now();
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  for (const image of await images()) {
    for (const layer of image.layers) {
      compressedBytes += layer.size;
      const hash = createHash('sha256');
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          uncompressedBytes += chunk.length;
          callback();
        },
      });
      // The same gunzip settings as layerfs (64 KiB chunks, 1 MiB read-ahead), so the ratio is layerfs's own cost.
      // zlib streams pass their options on to Transform; @types/node's ZlibOptions omits the stream ones.
      await pipeline(await layer.open(), createGunzip({ chunkSize: 64 * 1024, readableHighWaterMark: 1024 * 1024 } as ZlibOptions), sink);
      hash.digest('hex');
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, compressedBytes, uncompressedBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function child(kind: 'layerfs' | 'floor'): Result {
  const run = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${kind} child failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Result;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function line(name: string, r: Result): string {
  return `${name.padEnd(8)} ${r.seconds.toFixed(3)} s   ${mb(r.compressedBytes / r.seconds).padStart(6)} MB/s compressed   ${mb(r.uncompressedBytes / r.seconds).padStart(6)} MB/s uncompressed   peak RSS ${mb(r.peakRssBytes)} MB`;
}

async function main(): Promise<void> {
  const role = process.argv.indexOf('--child');
  if (role !== -1) {
    const result = process.argv[role + 1] === 'floor' ? await runFloor() : await runLayerfs();
    console.log(JSON.stringify(result));
    return;
  }
  process.env.SPYGLASS_BENCH_ARCHIVES = fixtureArchives();
  const layerfs: Result[] = [];
  const floor: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(child('floor'));
    layerfs.push(child('layerfs'));
  }
  const best = (results: Result[]): Result => results.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const bestLayerfs = best(layerfs);
  const bestFloor = best(floor);
  console.log(`layerfs bench: ${IMAGES.join(' + ')}, every layer (${mb(bestLayerfs.compressedBytes)} MB compressed, ${mb(bestLayerfs.uncompressedBytes)} MB of tar), best of ${RUNS}`);
  console.log(line('floor', bestFloor));
  console.log(line('layerfs', bestLayerfs));
  console.log(`selected files buffered: ${bestLayerfs.selectedFiles}`);
  console.log(`ratio layerfs/floor: ${(bestLayerfs.seconds / bestFloor.seconds).toFixed(2)}x (target <= 1.3x); layerfs peak RSS ${mb(Math.max(...layerfs.map((r) => r.peakRssBytes)))} MB (target < 150 MB)`);
}

await main();
