import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.ts';
import { GHSA_DIR, ghsaFiles } from '../advisories/store-records.ts';

const GHSA = ghsaFiles();

function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'spyglass-db-cli-'));
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n').filter((line) => !line.endsWith(': reading…'));
  assert.equal(lines.length, 1, `one line of error, got: ${stderr}`);
  return lines[0]!;
}

test('without a database every db command says how to make one, in one line, exit 1', () => {
  const dataDir = freshDataDir();
  const expected = `spyglass: no vulnerability database in ${dataDir}: run \`spyglass db update\` (or \`spyglass db import FILE\` on an air-gapped machine)`;
  for (const args of [['db', 'status'], ['db', 'search', 'CVE-2020-8203'], ['db', 'export', join(dataDir, 'x.gz')]]) {
    const result = runCli(['--data-dir', dataDir, ...args]);
    assert.equal(result.status, 1, args.join(' '));
    assert.equal(oneLine(result.stderr), expected);
  }
});

test('bad options are one-line errors with exit 1', () => {
  const dataDir = freshDataDir();
  const cases: [string[], string][] = [
    [['db', 'update', '--source', 'osv'], 'spyglass: --source osv: expected NAME=URL or NAME=PATH, e.g. osv=./osv-npm.zip'],
    [['db', 'update', '--source', 'nosuch=/tmp'], /^spyglass: unknown source nosuch: expected one of [a-z, -]*\bosv\b/.source],
    [['db', 'update', '--only', 'nosuch'], /^spyglass: --only nosuch: unknown feed, expected one of [a-z, -]*\bosv\b/.source],
    [['db', 'status', '--format', 'xml'], 'spyglass: --format xml: expected one of text, json'],
  ];
  for (const [args, expected] of cases) {
    const result = runCli(['--data-dir', dataDir, ...args]);
    assert.equal(result.status, 1, args.join(' '));
    if (expected.startsWith('^')) assert.match(oneLine(result.stderr), new RegExp(expected));
    else assert.equal(oneLine(result.stderr), expected);
  }
});

test('db update, status, search; a failing source is reported and keeps its previous records', () => {
  const dataDir = freshDataDir();
  const first = runCli(['--data-dir', dataDir, 'db', 'update', '--source', `osv=${GHSA_DIR}`]);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, `osv: ${GHSA.length} records, 0 skipped (${GHSA_DIR})\n`);

  const second = runCli(['--data-dir', dataDir, 'db', 'update', '--source', 'osv=/nonexistent/osv.zip']);
  assert.equal(second.status, 1);
  assert.equal(second.stdout, 'osv: FAILED, previous records kept: Cannot read feed input /nonexistent/osv.zip: no such file or directory\n');
  assert.equal(oneLine(second.stderr), 'spyglass: 1 of 1 sources failed (osv); the others were updated');

  const status = runCli(['--data-dir', dataDir, 'db', 'status', '--format', 'json']);
  assert.equal(status.status, 0, status.stderr);
  const json = JSON.parse(status.stdout) as { schemaVersion: number; stale: boolean; sources: { source: string; records: number; location: string; lastError?: { message: string } }[]; counts: { advisories: number } };
  assert.equal(json.schemaVersion, 3);
  assert.equal(json.stale, false);
  assert.equal(json.counts.advisories, GHSA.length);
  assert.equal(json.sources.length, 1);
  assert.equal(json.sources[0]!.records, GHSA.length);
  assert.equal(json.sources[0]!.location, GHSA_DIR);
  assert.equal(json.sources[0]!.lastError?.message, 'Cannot read feed input /nonexistent/osv.zip: no such file or directory');
  const text = runCli(['--data-dir', dataDir, 'db', 'status']);
  assert.match(text.stdout, new RegExp(`^  osv: ${GHSA.length} records, 0 skipped, updated \\S+ from ${GHSA_DIR}\n    last update FAILED at `, 'm'));
  assert.equal(text.stderr, '');

  // Every source's view of a CVE, found through the GHSA record's alias.
  const record = GHSA.find(({ record }) => record.aliases?.includes('CVE-2020-8203'))!.record;
  const byCve = JSON.parse(runCli(['--data-dir', dataDir, 'db', 'search', 'CVE-2020-8203', '--format', 'json']).stdout) as {
    advisories: { id: string; source: string; summary: string; affected: { packageName: string }[] }[];
  };
  assert.deepEqual(byCve.advisories.map((advisory) => [advisory.source, advisory.id]), [['osv', record.id]]);
  assert.equal(byCve.advisories[0]!.summary, record.summary);
  assert.deepEqual(byCve.advisories[0]!.affected.map((entry) => entry.packageName), record.affected!.map((entry) => entry.package.name));
  assert.match(runCli(['--data-dir', dataDir, 'db', 'search', 'CVE-2020-8203']).stdout, new RegExp(`^${record.id} \\(osv\\)  aliases: CVE-2020-8203\n  ${record.summary}\n`));

  // Every advisory for a package, in one ecosystem or in any.
  const lodash = GHSA.filter(({ record }) => record.affected?.some((entry) => entry.package.ecosystem === 'npm' && entry.package.name === 'lodash')).map(({ record }) => record.id).sort();
  for (const args of [['--ecosystem', 'npm'], ['--namespace', 'npm'], []]) {
    const found = JSON.parse(runCli(['--data-dir', dataDir, 'db', 'search', 'lodash', ...args, '--format', 'json']).stdout) as { packages: { advisoryId: string }[] };
    assert.deepEqual(found.packages.map((row) => row.advisoryId).sort(), lodash, args.join(' '));
  }
  const nothing = runCli(['--data-dir', dataDir, 'db', 'search', 'lodash', '--ecosystem', 'PyPI']);
  assert.equal(nothing.status, 0);
  assert.equal(nothing.stdout, 'nothing known about lodash in pypi\n');

  // Past 24 hours the status warns.
  const db = new Database(join(dataDir, 'spyglass.db'));
  db.prepare("UPDATE metadata SET value = ? WHERE key = 'built_at'").run(new Date(Date.now() - 3 * 86_400_000).toISOString());
  db.close();
  const stale = runCli(['--data-dir', dataDir, 'db', 'status']);
  assert.equal(stale.status, 0);
  assert.equal(stale.stderr, 'warning: the database is 3 days old: run `spyglass db update`\n');
});

test('db export and db import carry the database; a corrupt export is refused with exit 1', () => {
  const dataDir = freshDataDir();
  assert.equal(runCli(['--data-dir', dataDir, 'db', 'update', '--source', `osv=${GHSA_DIR}`, '-q']).status, 0);
  const file = join(freshDataDir(), 'spyglass-db.gz');
  const exported = runCli(['--data-dir', dataDir, 'db', 'export', file]);
  assert.equal(exported.status, 0, exported.stderr);
  const airGapped = freshDataDir();
  const imported = runCli(['--data-dir', airGapped, 'db', 'import', file]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.deepEqual(readFileSync(join(airGapped, 'spyglass.db')), readFileSync(join(dataDir, 'spyglass.db')));
  const search = JSON.parse(runCli(['--data-dir', airGapped, 'db', 'search', 'CVE-2020-8203', '--format', 'json']).stdout) as { advisories: unknown[] };
  assert.equal(search.advisories.length, 1);

  const bytes = readFileSync(file);
  const corrupt = `${file}.corrupt`;
  writeFileSync(corrupt, bytes.subarray(0, bytes.length - 200));
  const refused = runCli(['--data-dir', freshDataDir(), 'db', 'import', corrupt]);
  assert.equal(refused.status, 1);
  assert.match(oneLine(refused.stderr), new RegExp(`^spyglass: ${corrupt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a usable spyglass database export: gzip: `));
  const missing = runCli(['--data-dir', airGapped, 'db', 'import', '/nonexistent.gz']);
  assert.equal(missing.status, 1);
  assert.equal(oneLine(missing.stderr), 'spyglass: /nonexistent.gz: no such file');
});
