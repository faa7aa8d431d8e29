// The server's scheduled `db update` (`serve --db-update-interval N --db-source NAME=LOCATION`): it reads the
// configured sources (a mirror or a local folder: an air-gapped server), makes a new database generation
// whose change list names the package the new record touches, and the database watcher's next look
// re-evaluates from there. The record is a real-format OSV file (osv.dev's Debian form) written here.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { databaseChanges, databaseGeneration } from '../../src/advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { ServerContext } from '../../src/server/context.ts';
import { runScheduledUpdate } from '../../src/server/reevaluate.ts';
import { runCli } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'spyglass-scheduled-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('scheduled db update', () => {
  it('reads the configured sources into a new generation that names the touched package', async () => {
    const dataDir = join(root, 'data');
    const mirror = join(root, 'mirror');
    mkdirSync(mirror, { recursive: true });
    const write = (id: string, pkg: string) => writeFileSync(join(mirror, `DEBIAN-${id}.json`), JSON.stringify({
      schema_version: '1.6.0', id: `DEBIAN-${id}`, aliases: [id], modified: '2026-11-20T00:00:00Z',
      affected: [{ package: { ecosystem: 'Debian:12', name: pkg }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.3-1' }] }] }],
    }));
    write('CVE-2099-50001', 'zlib');
    const ctx = { options: { dataDir, cacheDir: join(root, 'cache'), dbUpdateSources: [{ name: 'osv', location: mirror }] } } as unknown as ServerContext;
    assert.equal(await runScheduledUpdate(ctx), 'scheduled db update: 1 of 1 sources read');
    const first = databaseGeneration(dataDir)!;

    write('CVE-2099-50002', 'openssl');
    assert.equal(await runScheduledUpdate(ctx), 'scheduled db update: 1 of 1 sources read');
    const changes = databaseChanges(dataDir, first.generation, first.databaseId);
    assert.equal(changes.generation, first.generation + 1);
    assert.equal(changes.complete, true);
    assert.deepEqual(changes.keys, [{ namespace: 'debian:12', package: 'openssl' }]);
    const store = SqliteAdvisoryStore.open(dataDir);
    try {
      assert.deepEqual((await store.affected('debian:12', 'openssl')).map((row) => row.advisoryId), ['DEBIAN-CVE-2099-50002']);
    } finally {
      await store.close();
    }
  });

  it('refuses a --db-source that is not NAME=LOCATION, in one line', () => {
    const result = runCli(['--data-dir', join(root, 'cli'), 'serve', '--listen', '127.0.0.1:0', '--db-source', 'osv']);
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim(), 'spyglass: --source osv: expected NAME=URL or NAME=PATH, e.g. osv=./osv-npm.zip');
  });
});
