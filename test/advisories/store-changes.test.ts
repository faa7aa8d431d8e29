// Change tracking of the vulnerability database (store/changes.ts): generations, the lookup keys and
// advisory ids each update changed, the bounded history and "too old: re-evaluate everything". Real
// GHSA records and CISA's KEV catalogue, read by the real feeds; the test edits copies of them.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openFeedInput } from '../../src/advisories/input/open.ts';
import { CHANGE_HISTORY_GENERATIONS, databaseChanges, databaseGeneration } from '../../src/advisories/store/changes.ts';
import { updateDatabase } from '../../src/advisories/update.ts';
import { GHSA_DIR, KEV_FILE } from './store-records.ts';

const root = mkdtempSync(join(tmpdir(), 'spyglass-changes-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface OsvFile {
  id: string;
  aliases?: string[];
  severity?: { type: string; score: string }[];
  affected: { package: { ecosystem: string; name: string }; ranges?: { type?: string; events: Record<string, string>[] }[] }[];
}

const FILES = ['GHSA-27h2-hvpr-p74q.json', 'GHSA-29mw-wpgm-hmr9.json', 'GHSA-35jh-r3h4-6jhm.json'];
const record = (name: string) => JSON.parse(readFileSync(join(GHSA_DIR, 'npm', name), 'utf8')) as OsvFile;

function update(dataDir: string, sources: { name: string; location: string }[]) {
  return updateDatabase(dataDir, sources, { cacheDir: join(root, 'cache'), openInput: (location, options) => openFeedInput(location, options) });
}

test('each update is a generation recording the lookup keys and advisory ids it changed, and nothing else', async () => {
  const dataDir = join(root, 'db');
  const osvDir = join(root, 'osv', 'ghsa', 'npm');
  mkdirSync(osvDir, { recursive: true });
  for (const name of FILES) cpSync(join(GHSA_DIR, 'npm', name), join(osvDir, name));
  const osv = [{ name: 'osv', location: join(root, 'osv') }];
  await update(dataDir, osv);
  const first = databaseGeneration(dataDir)!;
  assert.equal(first.generation, 1);
  assert.match(first.databaseId, /^[0-9a-f-]{36}$/);
  assert.equal(databaseChanges(dataDir, 0).complete, false, 'the first build lists nothing: everything is new');
  assert.deepEqual(databaseChanges(dataDir, 1), { ...first, keys: [], ids: [], complete: true });

  // The same files read again: a new generation that changed nothing.
  await update(dataDir, osv);
  assert.deepEqual(databaseChanges(dataDir, 1), { generation: 2, databaseId: first.databaseId, keys: [], ids: [], complete: true });

  // One record's fixed version edited; another package's advisory added.
  const edited = record(FILES[0]!);
  const editedPackage = edited.affected[0]!.package.name;
  const events = edited.affected[0]!.ranges![0]!.events;
  const fixed = events.find((event) => 'fixed' in event);
  if (fixed) fixed.fixed = '999.0.0';
  else events.push({ fixed: '999.0.0' });
  writeFileSync(join(osvDir, FILES[0]!), JSON.stringify(edited));
  const added = JSON.parse(readFileSync(join(GHSA_DIR, 'npm', FILES[1]!), 'utf8')) as OsvFile;
  added.id = 'GHSA-test-only-0001';
  added.aliases = ['CVE-2099-0001'];
  added.affected = [{ package: { ecosystem: 'npm', name: 'spyglass-test-package' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }];
  writeFileSync(join(osvDir, 'GHSA-test-only-0001.json'), JSON.stringify(added));
  await update(dataDir, osv);
  const third = databaseChanges(dataDir, 2);
  assert.equal(third.complete, true);
  assert.deepEqual(third.keys, [{ namespace: 'npm', package: editedPackage }, { namespace: 'npm', package: 'spyglass-test-package' }].sort((a, b) => a.package.localeCompare(b.package)));
  assert.ok(third.ids.includes('GHSA-test-only-0001') && third.ids.includes('CVE-2099-0001'), 'the new advisory and its alias');
  assert.ok(!third.ids.includes(record(FILES[2]!).id), 'an untouched advisory is not listed');

  // KEV: a catalogue of two entries, then of one (the other was removed): the removed CVE is listed, no key.
  const kev = JSON.parse(readFileSync(KEV_FILE, 'utf8')) as { vulnerabilities: { cveID: string }[] };
  const kevDir = join(root, 'kev');
  mkdirSync(kevDir, { recursive: true });
  const kevPath = join(kevDir, 'known_exploited_vulnerabilities.json');
  writeFileSync(kevPath, JSON.stringify({ ...kev, count: 2, vulnerabilities: kev.vulnerabilities.slice(0, 2) }));
  await update(dataDir, [{ name: 'kev', location: kevDir }]);
  writeFileSync(kevPath, JSON.stringify({ ...kev, count: 1, vulnerabilities: kev.vulnerabilities.slice(0, 1) }));
  await update(dataDir, [{ name: 'kev', location: kevDir }]);
  const fifth = databaseChanges(dataDir, 4);
  assert.deepEqual(fifth.keys, []);
  assert.deepEqual(fifth.ids, [kev.vulnerabilities[1]!.cveID]);
  const sinceTwo = databaseChanges(dataDir, 2);
  assert.equal(sinceTwo.generation, 5);
  assert.equal(sinceTwo.keys.length, 2, 'changes of several generations are united');
  assert.ok(sinceTwo.ids.includes(kev.vulnerabilities[0]!.cveID) && sinceTwo.ids.includes('GHSA-test-only-0001'));

  assert.equal(databaseChanges(dataDir, 2, 'another-database').complete, false, 'another database: re-evaluate everything');
  assert.equal(databaseChanges(dataDir, 6).complete, false, 'a generation from the future is another database too');
});

test('the history keeps the last generations; a reader further behind is told to re-evaluate everything', async () => {
  const dataDir = join(root, 'bounded');
  const kevDir = join(root, 'kev-bounded');
  mkdirSync(kevDir, { recursive: true });
  const kev = JSON.parse(readFileSync(KEV_FILE, 'utf8')) as { vulnerabilities: unknown[] };
  writeFileSync(join(kevDir, 'known_exploited_vulnerabilities.json'), JSON.stringify({ ...kev, vulnerabilities: kev.vulnerabilities.slice(0, 3) }));
  for (let n = 0; n < CHANGE_HISTORY_GENERATIONS + 2; n++) await update(dataDir, [{ name: 'kev', location: kevDir }]);
  const { generation } = databaseGeneration(dataDir)!;
  assert.equal(generation, CHANGE_HISTORY_GENERATIONS + 2);
  assert.equal(databaseChanges(dataDir, generation - CHANGE_HISTORY_GENERATIONS).complete, true);
  assert.equal(databaseChanges(dataDir, generation - CHANGE_HISTORY_GENERATIONS - 1).complete, false);
});
