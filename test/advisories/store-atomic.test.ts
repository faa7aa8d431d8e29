import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { SqliteAdvisoryStoreWriter } from '../../src/advisories/store/sqlite-writer.ts';
import { ghsaFiles, osvAdvisory } from './store-records.ts';

const GHSA = ghsaFiles();

// The child: an update that deletes the `osv` source, then ingests records slowly and forever, saying
// `ingesting` once it is well inside the transaction on its private copy.
const CHILD = `
import { SqliteAdvisoryStoreWriter } from ${JSON.stringify(new URL('../../src/advisories/store/sqlite-writer.ts', import.meta.url).href)};
const writer = SqliteAdvisoryStoreWriter.open(process.argv[1]);
await writer.replaceSource('osv', { location: 'slow' }, async (sink) => {
  for (let n = 0; ; n += 1) {
    sink.advisory({ source: 'osv', id: 'SLOW-' + n, aliases: [], severity: [], references: [], affected: [
      { namespace: 'npm', packageName: 'lodash', status: 'affected', ranges: [], fixedVersions: [] }] });
    if (n === 50) process.stdout.write('ingesting\\n');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
await writer.commit();
`;

test('an update killed with SIGKILL leaves the previous database working, and the next update cleans up', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spyglass-atomic-'));
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  await writer.replaceSource('osv', { location: 'ghsa' }, async (sink) => {
    for (const { record } of GHSA) sink.advisory(osvAdvisory('osv', record));
  });
  await writer.commit();
  const before = SqliteAdvisoryStore.open(dataDir);
  const statusBefore = await before.status();
  const lodashBefore = await before.affected('npm', 'lodash');
  const bytesBefore = readFileSync(join(dataDir, 'spyglass.db'));

  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ingesting')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child ended early (${code})`)));
  });
  assert.equal(readdirSync(dataDir).filter((name) => name.endsWith('.tmp')).length, 1, 'the update works on a temporary copy');
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  // A reader that had the database open before the kill, and a new one, both see the previous data.
  assert.deepEqual(await before.status(), statusBefore);
  await before.close();
  const after = SqliteAdvisoryStore.open(dataDir);
  assert.deepEqual(await after.status(), statusBefore);
  assert.deepEqual(await after.affected('npm', 'lodash'), lodashBefore);
  await after.close();
  assert.deepEqual(readFileSync(join(dataDir, 'spyglass.db')), bytesBefore);

  const next = SqliteAdvisoryStoreWriter.open(dataDir);
  await next.abort();
  assert.deepEqual(readdirSync(dataDir), ['spyglass.db'], "the killed update's temporary file is removed");
});
