// `spyglass version`: the tool, Node.js, the platform and the database, read here from the package
// file and the database's own metadata table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { CLEAN_ENV, runInProcess, temporaryDir } from './config-helpers.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const env = { ...CLEAN_ENV, SPYGLASS_CONFIG: '/nonexistent/spyglass-config.yaml' };

describe('spyglass version', () => {
  it('names the schema, build time and age of the database', async () => {
    const dataDir = fixtureDatabase();
    const db = new Database(join(dataDir, 'spyglass.db'), { readonly: true });
    const meta = new Map((db.prepare('SELECT key, value FROM metadata').all() as { key: string; value: string }[]).map((row) => [row.key, row.value]));
    db.close();
    const builtAt = meta.get('built_at')!;
    const json = await runInProcess(['--data-dir', dataDir, 'version', '--format', 'json'], env);
    assert.equal(json.status, 0, json.stderr);
    const answer = JSON.parse(json.stdout) as { version: string; node: string; platform: string; dataDir: string; database: { path: string; schemaVersion: number; builtAt: string; ageSeconds: number } };
    const age = Math.floor((Date.now() - Date.parse(builtAt)) / 1000);
    assert.ok(Math.abs(answer.database.ageSeconds - age) <= 5, `age ${answer.database.ageSeconds} ≈ ${age}`);
    assert.deepEqual({ ...answer, database: { ...answer.database, ageSeconds: 0 } }, {
      version: PACKAGE_VERSION, node: process.version, platform: `${process.platform}/${process.arch}`, dataDir,
      database: { path: join(dataDir, 'spyglass.db'), schemaVersion: Number(meta.get('schema_version')), builtAt, ageSeconds: 0 },
    });
    const text = await runInProcess(['--data-dir', dataDir, 'version'], env);
    const lines = text.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), [`spyglass  ${PACKAGE_VERSION}`, `Node.js   ${process.version}`, `Platform  ${process.platform}/${process.arch}`]);
    assert.match(lines[3]!, new RegExp(`^Database  schema ${meta.get('schema_version')}, built ${builtAt.replace(/[.+]/g, '\\$&')} \\(\\d+ (min|h|days) ago\\), ${join(dataDir, 'spyglass.db').replace(/[.+]/g, '\\$&')}$`));
  });

  it('says when there is no database, and --version still prints the bare version', async () => {
    const tmp = temporaryDir('spyglass-version-');
    try {
      const text = await runInProcess(['--data-dir', tmp.dir, 'version'], env);
      assert.equal(text.stdout.split('\n')[3], `Database  no database in ${tmp.dir} (run \`spyglass db update\`)`);
      assert.equal((JSON.parse((await runInProcess(['--data-dir', tmp.dir, 'version', '--format', 'json'], env)).stdout) as { database: unknown }).database, null);
      assert.deepEqual(await runInProcess(['--version'], env), { status: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    } finally {
      tmp.remove();
    }
  });
});
