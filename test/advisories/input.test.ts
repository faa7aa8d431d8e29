// Local feed inputs: what openFeedInput yields must be exactly what the file system, unzip/zipfile,
// tar and gzip say is there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { ARCHIVE_LIMITS } from '../../src/advisories/input/archive.ts';
import { openFeedInput, type FeedInputOptions } from '../../src/advisories/input/open.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { SHARED } from '../helpers/fixtures.ts';
import { tarListing, zipContents, zipListing } from './input-listing.ts';

const ADVISORIES = join(SHARED, 'data/advisories');
const ZIP = join(ADVISORIES, 'osv/archives/ghsa-npm-sample.zip');
const TAR_GZ = join(ADVISORIES, 'osv/archives/go-vulndb-sample.tar.gz');
const TAR_XZ = join(ADVISORIES, 'osv/go/golang-vulndb-data-osv.tar.xz');
const NVD_GZ = join(SHARED, 'data/scoring/nvd/legacy-1.1/nvdcve-1.1-recent.json.gz');
const work = mkdtempSync(join(tmpdir(), 'spyglass-input-'));
after(() => rmSync(work, { recursive: true, force: true }));
const options: FeedInputOptions = { cacheDir: join(work, 'cache') };

async function collect(location: string, extra: Partial<FeedInputOptions> = {}): Promise<Map<string, Buffer>> {
  const input = await openFeedInput(location, { ...options, ...extra });
  assert.equal(input.notModified, false);
  const files = new Map<string, Buffer>();
  for await (const file of input.files) {
    const data = await file.read();
    assert.equal(file.size, data.length, `${file.name}: size`);
    assert.ok(!files.has(file.name), `${file.name} once`);
    files.set(file.name, data);
  }
  return files;
}

/** Regular files under a directory, relative POSIX paths, depth first in byte order: read with fs. */
function filesOnDisk(root: string, prefix = ''): string[] {
  const names: string[] = [];
  const entries = readdirSync(join(root, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) names.push(...filesOnDisk(root, name));
    else if (entry.isFile()) names.push(name);
  }
  return names;
}

describe('openFeedInput on local paths', () => {
  it('walks a directory recursively in sorted order: names and contents are what fs reads', async () => {
    const root = join(ADVISORIES, 'osv/ghsa');
    const files = await collect(root);
    const expected = filesOnDisk(root);
    assert.ok(expected.length > 5);
    assert.deepEqual([...files.keys()], expected);
    for (const name of expected) assert.deepEqual(files.get(name), readFileSync(join(root, name)), name);
  });

  it('keeps only the files accept() wants', async () => {
    const root = join(ADVISORIES, 'osv/ghsa');
    const files = await collect(root, { accept: (name) => name.startsWith('npm/') });
    assert.deepEqual([...files.keys()], filesOnDisk(root).filter((name) => name.startsWith('npm/')));
  });

  it('reads a single file under its base name', async () => {
    const path = join(SHARED, 'data/scoring/kev/known_exploited_vulnerabilities.json');
    const files = await collect(path);
    assert.deepEqual([...files.keys()], ['known_exploited_vulnerabilities.json']);
    assert.deepEqual(files.get('known_exploited_vulnerabilities.json'), readFileSync(path));
  });

  it('reads a .zip: the entries unzip lists, with the bytes it extracts', async () => {
    const files = await collect(ZIP);
    const names = zipListing(ZIP);
    assert.ok(names.length > 0);
    assert.deepEqual([...files.keys()], names);
    assert.deepEqual(files, zipContents(ZIP));
  });

  it('reads a .tar.gz: the entries tar lists, with the bytes it extracts', async () => {
    const files = await collect(TAR_GZ);
    const names = tarListing(TAR_GZ, 'z');
    assert.ok(names.length > 0);
    assert.deepEqual([...files.keys()], names);
    for (const name of names) assert.deepEqual(files.get(name), execFileSync('tar', ['-xzOf', TAR_GZ, name]), name);
  });

  it('reads a whole .tar.xz database (the Go vulndb): every entry tar lists', async () => {
    const files = await collect(TAR_XZ);
    const names = tarListing(TAR_XZ, 'J');
    assert.ok(names.length > 1000);
    assert.deepEqual([...files.keys()], names);
    const sample = names[Math.floor(names.length / 2)];
    assert.deepEqual(files.get(sample), execFileSync('tar', ['-xJOf', TAR_XZ, sample]), sample);
  });

  it('reads a .gz single file under its name without .gz, as gzip -dc does', async () => {
    const files = await collect(NVD_GZ);
    assert.deepEqual([...files.keys()], ['nvdcve-1.1-recent.json']);
    assert.deepEqual(files.get('nvdcve-1.1-recent.json'), execFileSync('gzip', ['-dc', NVD_GZ], { maxBuffer: 1 << 28 }));
  });

  it('tells a tar.gz by its content when the name does not say (a copy named .gz)', async () => {
    const renamed = join(work, 'go-vulndb.gz');
    writeFileSync(renamed, readFileSync(TAR_GZ));
    assert.deepEqual([...(await collect(renamed)).keys()], tarListing(TAR_GZ, 'z'));
  });

  for (const [label, source] of [['.zip', ZIP], ['.tar.gz', TAR_GZ], ['.tar.xz', TAR_XZ]] as const) {
    it(`fails on a truncated ${label} before yielding anything, naming the file`, async () => {
      const bytes = readFileSync(source);
      const path = join(work, `truncated${label}`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await rejectsWithMessage(openFeedInput(path, options), new RegExp(`^Cannot read feed input ${path.replace(/[.]/g, '\\.')}: .+`));
    });
  }

  it('refuses an entry past the size cap (a decompression bomb)', async () => {
    const bomb = join(work, 'bomb.zip');
    writeFileSync(bomb, zipSync({ 'bomb.json': new Uint8Array(4 * 1024 * 1024) }));
    const gz = join(work, 'bomb.json.gz');
    writeFileSync(gz, gzipSync(Buffer.alloc(4 * 1024 * 1024)));
    const saved = ARCHIVE_LIMITS.entryBytes;
    ARCHIVE_LIMITS.entryBytes = 1024 * 1024;
    try {
      await rejectsWithMessage(openFeedInput(bomb, options), `Cannot read feed input ${bomb}: bomb.json is larger than Spyglass reads from an archive (a damaged file or a decompression bomb)`);
      await rejectsWithMessage(openFeedInput(gz, options), `Cannot read feed input ${gz}: bomb.json is larger than Spyglass reads from an archive (a damaged file or a decompression bomb)`);
    } finally {
      ARCHIVE_LIMITS.entryBytes = saved;
    }
  });

  it('says when a path does not exist', async () => {
    const missing = join(work, 'no-such-feed');
    await rejectsWithMessage(openFeedInput(missing, options), `Cannot read feed input ${missing}: no such file or directory`);
  });
});
