// Where each feed's real files are in ../shared/data (MANIFEST.md's table), and the database built from
// all of them, which the matching tests and benchmarks share.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/advisories/store/schema.ts';
import { PROJECT_ROOT, SHARED } from './fixtures.ts';

export const DATA = join(SHARED, 'data');

/** Feed name → its folders under ../shared/data. */
export const FEED_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  osv: ['advisories/osv', 'advisories/alma'],
  'debian-tracker': ['advisories/debian/cve-list', 'advisories/debian/tracker-json-format-sample'],
  'debian-dsa': ['advisories/debian/security-tracker'],
  'alpine-secdb': ['advisories/alpine'],
  nvd: ['scoring/nvd'],
  vulnrichment: ['scoring/vulnrichment'],
  kev: ['scoring/kev'],
  epss: ['scoring/epss'],
  rubysec: ['advisories/rubysec'],
  friendsofphp: ['advisories/friendsofphp'],
};

const ARCHIVE = /\.(zip|tar\.gz|tgz|tar\.xz)$/;

/** The folder itself (its loose files) and every archive under it, as `--source NAME=…` repeated would name them. */
export function locationsOf(folder: string): string[] {
  const archives: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (ARCHIVE.test(entry.name)) archives.push(join(dir, entry.name));
    }
  };
  walk(folder);
  return [folder, ...archives];
}

/** Every shared feed file as `db update` sources. */
export function sharedFeedSources(): { name: string; location: string }[] {
  const sources: { name: string; location: string }[] = [];
  for (const [name, folders] of Object.entries(FEED_FOLDERS)) {
    for (const folder of folders) for (const location of locationsOf(join(DATA, folder))) sources.push({ name, location });
  }
  return sources;
}

/**
 * A data directory holding the database built from every shared feed (`spyglass.db`). scripts/run-tests.mjs
 * builds it once per run (SPYGLASS_FIXTURE_DB); a test file run on its own builds it once in the temporary
 * directory. Tests open it read-only and never write to it.
 */
export function fixtureDatabase(): string {
  const fromRunner = process.env.SPYGLASS_FIXTURE_DB;
  if (fromRunner) return fromRunner;
  const dir = join(tmpdir(), `spyglass-fixture-db-${process.getuid?.() ?? 0}-schema${SCHEMA_VERSION}`);
  if (!existsSync(join(dir, 'spyglass.db'))) {
    const made = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts/build-fixture-db.ts'), dir], { stdio: 'inherit', cwd: PROJECT_ROOT });
    if (made.status !== 0) throw new Error('building the fixture database failed');
  }
  return dir;
}
