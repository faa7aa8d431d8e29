// Runs the whole test suite once: derives the fixture archives a single time for every test file,
// runs node's test runner over test/**/*.test.ts, and ends with the line `N passed, N failed[, N skipped]`.
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'spyglass-test-'));
const archives = join(work, 'archives');
const script = resolve(root, '../shared/fixtures/images/make-archives.sh');
const made = spawnSync('bash', [script, archives], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (made.status !== 0) {
  process.stderr.write(made.stderr);
  console.error(`make-archives.sh failed (exit ${made.status}); the tests need skopeo, umoci and jq`);
  process.exit(1);
}

// The vulnerability database built from every shared feed, once for every test file (test/helpers/feeds.ts).
const fixtureDb = join(work, 'fixture-db');
const built = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build-fixture-db.ts'), fixtureDb], { stdio: ['ignore', 'ignore', 'pipe'], cwd: root, encoding: 'utf8' });
if (built.status !== 0) {
  process.stderr.write(built.stderr);
  console.error(`building the fixture database failed (exit ${built.status})`);
  process.exit(1);
}

function testFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only.map((file) => resolve(file)) : testFiles(join(root, 'test'));
const tap = join(work, 'results.tap');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  // The developer's own config file (~/.config/spyglass/config.yaml) must not change what the tests see:
  // a config path that does not exist (tests that need one set their own).
  { stdio: 'inherit', cwd: root, env: { ...process.env, SPYGLASS_FIXTURE_ARCHIVES: archives, SPYGLASS_FIXTURE_DB: fixtureDb, SPYGLASS_CONFIG: join(work, 'no-config.yaml') } },
);
child.on('exit', (code) => {
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { /* runner died before writing */ }
  const count = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  const skipped = count('skipped') + count('todo');
  rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
});
