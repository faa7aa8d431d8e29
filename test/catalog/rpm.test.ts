// The rpm cataloger on every rpm database under shared/data/fixtures/rpm: each gives exactly the list
// in its EXPECTED.json (rpm -qa, or go-rpmdb's list for NDB), licences and vendors as the raw reference
// prints them, and the same count as trivy's cross-check. File lists are checked against the SQLite
// database's own Basenames index.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { CatalogFile, FoundPackage } from '../../src/catalog/cataloger.ts';
import { parseRpmDatabase, rpmdbCataloger } from '../../src/catalog/rpm/rpmdb.ts';
import type { Digest } from '../../src/core/digest.ts';
import { SHARED } from '../helpers/fixtures.ts';

const CASES = join(SHARED, 'data/fixtures/rpm');
const DATABASE_FILES: Record<string, string> = { Packages: '/var/lib/rpm/Packages', 'Packages.db': '/usr/lib/sysimage/rpm/Packages.db', 'rpmdb.sqlite': '/var/lib/rpm/rpmdb.sqlite' };

interface ExpectedPackage {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string | null;
  sourcerpm: string | null;
  license?: string | null;
  vendor?: string | null;
}

interface Case {
  name: string;
  file: CatalogFile;
  expected: ExpectedPackage[];
  /** The primary reference's raw list, with licence and vendor. */
  raw: ExpectedPackage[];
  trivyCount?: number;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function databaseFile(path: string, content: Buffer): CatalogFile {
  return { path, content, mode: 0o644, layerDiffId: `sha256:${'0'.repeat(64)}` as Digest };
}

function loadCase(name: string): Case {
  const dir = join(CASES, name);
  const entries = readdirSync(dir);
  const dbName = entries.find((entry) => entry in DATABASE_FILES);
  assert.ok(dbName, `${name} holds an rpm database`);
  const expectedFile = readJson<{ primary_reference: string; packages: ExpectedPackage[] }>(join(dir, 'EXPECTED.json'));
  const raw = readJson<{ packages: ExpectedPackage[] }>(join(dir, expectedFile.primary_reference)).packages;
  const trivy = entries.includes('TRIVY-REFERENCE.json') ? readJson<{ count_packages: number }>(join(dir, 'TRIVY-REFERENCE.json')) : undefined;
  return {
    name,
    file: databaseFile(DATABASE_FILES[dbName] as string, readFileSync(join(dir, dbName))),
    expected: expectedFile.packages,
    raw,
    trivyCount: trivy?.count_packages,
  };
}

const cases = readdirSync(CASES).sort().map(loadCase);

/** rpm's `%{EVR}`: the epoch when the header has one, then version-release. */
const evr = (pkg: ExpectedPackage) => `${pkg.epoch === null ? '' : `${pkg.epoch}:`}${pkg.version}-${pkg.release}`;
const summary = (pkg: FoundPackage) => ({ name: pkg.name, version: pkg.version, arch: pkg.arch ?? null, sourceRpm: pkg.metadata?.sourceRpm ?? null });

describe('rpm cataloger: reference lists', () => {
  it('has the five fixture cases, one per database format and more', () => {
    assert.deepEqual(cases.map((c) => c.name), ['bdb-centos-dive', 'bdb-empty', 'bdb-epoch-hello', 'ndb-sles15.3-bci', 'sqlite-cbl-mariner-2.0']);
  });

  for (const fixture of cases) {
    describe(fixture.name, () => {
      const packages = parseRpmDatabase(fixture.file).packages;

      it('gives exactly the EXPECTED.json list, in database order', () => {
        assert.deepEqual(
          packages.map(summary),
          fixture.expected.map((pkg) => ({ name: pkg.name, version: evr(pkg), arch: pkg.arch, sourceRpm: pkg.sourcerpm })),
        );
      });

      it('matches the reference count of trivy where there is one', { skip: fixture.trivyCount === undefined }, () => {
        assert.equal(packages.length, fixture.trivyCount);
      });

      it('names the source package and its version from SOURCERPM, with the binary epoch', () => {
        for (const [i, pkg] of packages.entries()) {
          const expected = fixture.expected[i] as ExpectedPackage;
          const source = /^(.+)-([^-]+-[^-]+)\.src\.rpm$/.exec(expected.sourcerpm ?? '');
          assert.equal(pkg.sourceName, source?.[1]);
          assert.equal(pkg.sourceVersion, source ? `${expected.epoch === null ? '' : `${expected.epoch}:`}${source[2]}` : undefined);
          assert.deepEqual(pkg.qualifiers, expected.epoch ? { epoch: String(expected.epoch) } : undefined);
        }
      });

      it('keeps the licence and vendor the reference prints', () => {
        assert.deepEqual(
          packages.map((pkg) => [pkg.licenses?.[0] ?? null, pkg.metadata?.vendor ?? null]),
          fixture.raw.map((pkg) => [pkg.license ?? null, pkg.vendor ?? null]),
        );
      });
    });
  }
});

describe('rpm cataloger: file lists', () => {
  it('lists every file of every package as the SQLite Basenames index does', () => {
    const fixture = cases.find((c) => c.name === 'sqlite-cbl-mariner-2.0') as Case;
    const db = new Database(join(CASES, fixture.name, 'rpmdb.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT hnum, idx, key FROM Basenames ORDER BY hnum, idx').all() as { hnum: number; idx: number; key: string }[];
      const hnums = (db.prepare('SELECT hnum FROM Packages ORDER BY hnum').all() as { hnum: number }[]).map((row) => row.hnum);
      const packages = parseRpmDatabase(fixture.file).packages;
      const fromIndex = hnums.map((hnum) => rows.filter((row) => row.hnum === hnum).map((row) => row.key));
      assert.deepEqual(packages.map((pkg) => (pkg.files ?? []).map((file) => file.slice(file.lastIndexOf('/') + 1))), fromIndex);
      for (const pkg of packages) for (const file of pkg.files ?? []) assert.ok(file.startsWith('/'), `${file} is absolute`);
      const dirRows = db.prepare('SELECT hnum, key FROM Dirnames ORDER BY hnum, idx').all() as { hnum: number; key: string }[];
      const dirsFromIndex = hnums.map((hnum) => [...new Set(dirRows.filter((row) => row.hnum === hnum).map((row) => row.key))].sort());
      const dirsOf = (files: string[]) => [...new Set(files.map((file) => file.slice(0, file.lastIndexOf('/') + 1)))].sort();
      assert.deepEqual(packages.map((pkg) => dirsOf(pkg.files ?? [])), dirsFromIndex);
    } finally {
      db.close();
    }
  });

  it('gives the Berkeley DB package its file', () => {
    const fixture = cases.find((c) => c.name === 'bdb-centos-dive') as Case;
    assert.deepEqual(parseRpmDatabase(fixture.file).packages[0]?.files, ['/usr/local/bin/dive']);
  });
});

describe('rpm cataloger: which files', () => {
  it('wants the databases at rpm\'s places only', () => {
    const wanted = [
      '/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages.db',
      '/usr/lib/sysimage/rpm/Packages.db', '/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages',
    ];
    const unwanted = ['/var/lib/rpm/Name', '/var/lib/rpm/rpmdb.sqlite-wal', '/srv/var/lib/rpm/Packages', '/var/lib/dpkg/status', '/var/lib/rpm/sub/Packages'];
    for (const path of wanted) assert.equal(rpmdbCataloger.wants(path, { size: 1, mode: 0o644 }), true, path);
    for (const path of unwanted) assert.equal(rpmdbCataloger.wants(path, { size: 1, mode: 0o644 }), false, path);
  });
});
