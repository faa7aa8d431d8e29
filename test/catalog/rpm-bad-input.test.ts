// Bad rpm databases: truncated, bit-flipped, garbage, cyclic page pointers, malformed header blobs.
// Each becomes a thrown Error with a one-line reason (the engine's unknown) or a result with what could
// be read, always quickly; in an image, the rest of the SBOM is still produced.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { catalogImage } from '../../src/catalog/engine.ts';
import { parseHeaderBlob } from '../../src/catalog/rpm/header.ts';
import { parseRpmDatabase, rpmdbCataloger } from '../../src/catalog/rpm/rpmdb.ts';
import { openImage } from '../../src/image/open.ts';
import { SHARED } from '../helpers/fixtures.ts';
import type { Digest } from '../../src/core/digest.ts';

const CASES = join(SHARED, 'data/fixtures/rpm');
const DATABASES = [
  { kind: 'Berkeley DB', path: '/var/lib/rpm/Packages', content: readFileSync(join(CASES, 'bdb-centos-dive/Packages')) },
  { kind: 'Berkeley DB', path: '/var/lib/rpm/Packages', content: readFileSync(join(CASES, 'bdb-epoch-hello/Packages')) },
  { kind: 'NDB', path: '/var/lib/rpm/Packages.db', content: readFileSync(join(CASES, 'ndb-sles15.3-bci/Packages.db')) },
  { kind: 'SQLite', path: '/var/lib/rpm/rpmdb.sqlite', content: readFileSync(join(CASES, 'sqlite-cbl-mariner-2.0/rpmdb.sqlite')) },
];
const databaseFile = (path: string, content: Buffer) => ({ path, content, mode: 0o644, layerDiffId: `sha256:${'0'.repeat(64)}` as Digest });
const expectedCount = (name: string) => (JSON.parse(readFileSync(join(CASES, name, 'EXPECTED.json'), 'utf8')) as { count: number }).count;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Parses and asserts the outcome is either packages with names and versions or a short one-line Error, within 2 s. */
function parseBounded(path: string, content: Buffer): { error?: string; count?: number } {
  const started = performance.now();
  let outcome: { error?: string; count?: number };
  try {
    const result = parseRpmDatabase(databaseFile(path, content));
    for (const pkg of result.packages) assert.ok(pkg.name && pkg.version, 'every package has a name and a version');
    outcome = { count: result.packages.length };
  } catch (error) {
    assert.ok(error instanceof Error, `an Error, not ${String(error)}`);
    assert.ok(!error.message.includes('\n') && error.message.length <= 200, `a short reason: ${error.message}`);
    outcome = { error: error.message };
  }
  assert.ok(performance.now() - started < 2000, `${path} parsed within 2 s`);
  return outcome;
}

describe('rpm cataloger: damaged databases', () => {
  for (const database of DATABASES) {
    it(`${database.kind} ${database.content.length} bytes: every truncation is an Error naming the damage`, () => {
      const next = random(database.content.length);
      for (let i = 0; i < 25; i++) {
        const cut = Math.floor(next() * database.content.length * 0.98);
        const outcome = parseBounded(database.path, database.content.subarray(0, cut));
        assert.ok(outcome.error, `cut at ${cut} of ${database.content.length} is an error, not ${outcome.count} packages`);
        assert.match(outcome.error, /truncated|too short|not an|malformed|past|out of range/i);
      }
    });

    it(`${database.kind} ${database.content.length} bytes: flipped bytes give an Error or what was readable, never a hang`, () => {
      const next = random(database.content.length + 1);
      for (let i = 0; i < 40; i++) {
        const damaged = Buffer.from(database.content);
        const flips = 1 + Math.floor(next() * 16);
        for (let k = 0; k < flips; k++) damaged[Math.floor(next() * damaged.length)] ^= 1 + Math.floor(next() * 255);
        parseBounded(database.path, damaged);
      }
    });

    it(`${database.kind}: empty and garbage files are Errors`, () => {
      const next = random(7);
      const garbage = Buffer.alloc(65536);
      for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(next() * 256);
      for (const content of [Buffer.alloc(0), Buffer.alloc(8192, 0), garbage, Buffer.from('not a database\n')]) {
        assert.ok(parseBounded(database.path, content).error);
      }
    });
  }
});

describe('rpm cataloger: Berkeley DB page pointers', () => {
  const hello = readFileSync(join(CASES, 'bdb-epoch-hello/Packages'));
  const pageSize = hello.readUInt32LE(20);

  it('stops at a bucket page chain that loops back on itself', () => {
    const looped = Buffer.from(hello);
    looped.writeUInt32LE(1, pageSize + 16); // page 1's next page: page 1
    assert.match(parseBounded('/var/lib/rpm/Packages', looped).error ?? '', /page 1 reached twice/);
  });

  it('stops at an overflow chain that loops back on itself', () => {
    const looped = Buffer.from(hello);
    let overflowItem = -1;
    for (let index = 0; index < looped.readUInt16LE(pageSize + 20); index++) {
      const offset = looped.readUInt16LE(pageSize + 26 + index * 2);
      if (looped[pageSize + offset] === 3) overflowItem = pageSize + offset; // H_OFFPAGE
    }
    assert.ok(overflowItem > 0, 'the fixture stores its header on overflow pages');
    const overflowPage = looped.readUInt32LE(overflowItem + 4);
    looped.writeUInt32LE(overflowPage, overflowPage * pageSize + 16); // the last overflow page points to itself
    looped.writeUInt32LE(looped.length - 1, overflowItem + 8); // and the item claims more bytes than the chain holds
    assert.match(parseBounded('/var/lib/rpm/Packages', looped).error ?? '', /overflow chain loops/);
  });

  it('rejects page numbers beyond the file', () => {
    const pointing = Buffer.from(hello);
    pointing.writeUInt32LE(0x7fffffff, pageSize + 16);
    assert.match(parseBounded('/var/lib/rpm/Packages', pointing).error ?? '', /out of range/);
  });
});

describe('rpm cataloger: NDB slots and blobs', () => {
  const ndb = readFileSync(join(CASES, 'ndb-sles15.3-bci/Packages.db'));
  const firstSlot = 32;

  it('rejects a slot whose blob lies past the end of the file', () => {
    const damaged = Buffer.from(ndb);
    damaged.writeUInt32LE(ndb.length / 16 - 1, firstSlot + 8);
    assert.match(parseBounded('/var/lib/rpm/Packages.db', damaged).error ?? '', /truncated: package \d+ lies past the end/);
  });

  it('rejects a blob whose head does not match its slot', () => {
    const damaged = Buffer.from(ndb);
    const blob = damaged.readUInt32LE(firstSlot + 8) * 16;
    damaged.write('XXXX', blob, 'latin1');
    assert.match(parseBounded('/var/lib/rpm/Packages.db', damaged).error ?? '', /bad blob for package/);
  });
});

describe('rpm cataloger: SQLite tables and header blobs', () => {
  const mariner = new Database(join(CASES, 'sqlite-cbl-mariner-2.0/rpmdb.sqlite'), { readonly: true, fileMustExist: true });
  const goodBlob = (mariner.prepare('SELECT blob FROM Packages ORDER BY hnum LIMIT 1').get() as { blob: Buffer }).blob;
  mariner.close();

  function sqlite(setup: (db: Database.Database) => void): Buffer {
    const db = new Database(':memory:');
    setup(db);
    const image = db.serialize();
    db.close();
    return image;
  }
  const packagesTable = (db: Database.Database) => db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');

  it('needs a Packages table', () => {
    const content = sqlite((db) => db.exec('CREATE TABLE Other (x)'));
    assert.equal(parseBounded('/var/lib/rpm/rpmdb.sqlite', content).error, 'SQLite database without a Packages table');
  });

  it('keeps the readable packages and warns about a broken header', () => {
    const content = sqlite((db) => {
      packagesTable(db);
      const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
      insert.run(goodBlob);
      insert.run(Buffer.from([0, 0, 0, 1, 0, 0, 0, 200, 1, 2, 3]));
    });
    const result = parseRpmDatabase(databaseFile('/var/lib/rpm/rpmdb.sqlite', content));
    assert.deepEqual(result.packages.map((pkg) => pkg.name), ['mariner-release']);
    assert.deepEqual(result.warnings, ['package 2: rpm header: truncated']);
  });

  it('is an Error when no header can be read', () => {
    const content = sqlite((db) => {
      packagesTable(db);
      db.prepare('INSERT INTO Packages (blob) VALUES (?)').run(Buffer.from('garbage'));
    });
    assert.equal(parseBounded('/var/lib/rpm/rpmdb.sqlite', content).error, 'no readable package header (package 1: rpm header: shorter than its 8-byte preamble)');
  });

  it('rejects header blobs whose index or data point outside the blob', () => {
    const entries = goodBlob.readUInt32BE(0);
    const withCount = (count: number) => {
      const blob = Buffer.from(goodBlob);
      blob.writeUInt32BE(count, 0);
      return blob;
    };
    assert.throws(() => parseHeaderBlob(withCount(0)), /bad index count 0/);
    assert.throws(() => parseHeaderBlob(withCount(0x10000)), /bad index count/);
    assert.throws(() => parseHeaderBlob(withCount(entries + 1000)), /truncated/);
    const badOffset = Buffer.from(goodBlob);
    badOffset.writeInt32BE(0x7fffffff, 8 + 16 + 8); // second entry's offset
    assert.throws(() => parseHeaderBlob(badOffset), /lies outside the data store/);
    const unterminated = Buffer.from(goodBlob);
    const dataLength = goodBlob.readUInt32BE(4);
    unterminated.fill(0x41, 8 + entries * 16, 8 + entries * 16 + dataLength);
    assert.throws(() => parseHeaderBlob(unterminated), /runs past the data store/);
  });
});

describe('rpm cataloger: in an image', () => {
  it('reports the packages of a good database and an unknown for a corrupt one beside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spyglass-rpm-'));
    const cache = mkdtempSync(join(tmpdir(), 'spyglass-rpm-cache-'));
    try {
      mkdirSync(join(root, 'usr/lib/sysimage/rpm'), { recursive: true });
      mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
      mkdirSync(join(root, 'etc'), { recursive: true });
      cpSync(join(CASES, 'ndb-sles15.3-bci/Packages.db'), join(root, 'usr/lib/sysimage/rpm/Packages.db'));
      writeFileSync(join(root, 'var/lib/rpm/Packages'), readFileSync(join(CASES, 'bdb-centos-dive/Packages')).subarray(0, 10000));
      writeFileSync(join(root, 'etc/os-release'), 'ID="sles"\nVERSION_ID="15.3"\n');
      const sbom = await catalogImage(await openImage(`fs://${root}`, { cacheDir: cache }), { catalogers: [rpmdbCataloger] });
      assert.equal(sbom.packages.length, expectedCount('ndb-sles15.3-bci'));
      assert.ok(sbom.packages.every((pkg) => pkg.type === 'rpm' && pkg.locations[0]?.path === '/usr/lib/sysimage/rpm/Packages.db'));
      const glibc = sbom.packages.find((pkg) => pkg.name === 'glibc');
      assert.match(glibc?.purl ?? '', /^pkg:rpm\/sles\/glibc@2\.31-9\.3\.2\?arch=x86_64&distro=sles-15\.3$/);
      assert.deepEqual(sbom.unknowns.map((unknown) => [unknown.path, unknown.cataloger, unknown.reason]), [
        ['/var/lib/rpm/Packages', 'rpmdb', 'Berkeley DB database truncated at page 2'],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
