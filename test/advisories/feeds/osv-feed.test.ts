import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { osvFeed } from '../../../src/advisories/feeds/osv/osv-feed.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { CollectingSink, feedFiles, filesUnder, memoryFiles } from './language-feed-files.ts';

const OSV = join(SHARED, 'data/advisories/osv');
// The archives are the input engineer's; the .tar.xz are whole databases for later.
const records = filesUnder(OSV, (name) => name === 'archives' || name.endsWith('.tar.xz') || name === 'SOURCE.md');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- OSV records read independently of the code under test

async function ingestShared(): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await osvFeed.ingest(feedFiles(OSV, records.filter((name) => osvFeed.wants({ name }))), sink);
  return sink;
}

function parsed(name: string): Json {
  const text = readFileSync(join(OSV, name), 'utf8');
  return (name.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Json;
}

/** Every field of the advisory, expected from the record as read here, namespace and name given. */
function assertSameAsRecord(sink: CollectingSink, name: string, keys: [namespace: string, packageName: string][]): void {
  const record = parsed(name);
  const advisory = sink.byId(record.id as string);
  assert.equal(advisory.source, 'osv');
  assert.deepEqual(advisory.aliases, [...(record.aliases ?? []), ...(record.upstream ?? [])]);
  for (const field of ['summary', 'details', 'published', 'modified', 'withdrawn'] as const) {
    assert.equal(advisory[field], record[field], field);
  }
  assert.deepEqual(advisory.references, (record.references ?? []).map((reference: Json) => reference.url));
  const vectors = advisory.severity.filter((entry) => entry.vector !== undefined);
  assert.deepEqual(vectors.map((entry) => entry.vector), (record.severity ?? []).map((entry: Json) => entry.score));
  for (const entry of vectors) assert.equal(`CVSS:${entry.cvssVersion}/`, entry.vector!.slice(0, 9));
  const rating = record.database_specific?.severity as string | undefined;
  assert.deepEqual(advisory.severity.filter((entry) => entry.rating !== undefined).map((entry) => entry.rating), rating ? [rating] : []);
  assert.equal(advisory.affected.length, record.affected.length);
  record.affected.forEach((affected: Json, index: number) => {
    const got = advisory.affected[index]!;
    assert.deepEqual([got.namespace, got.packageName], keys[index]);
    // The model keeps a range's type and events (a GIT range's `repo` is never matched).
    assert.deepEqual(got.ranges, (affected.ranges as Json[]).map((range) => ({ type: range.type, events: range.events })));
    assert.deepEqual(got.versions, affected.versions);
    const fixed = (affected.ranges as Json[]).flatMap((range) => (range.events as Json[]).filter((event) => 'fixed' in event).map((event) => event.fixed as string));
    assert.deepEqual(got.fixedVersions, fixed);
    assert.equal(got.status, fixed.length > 0 ? 'fixed' : 'affected');
  });
}

describe('osv feed', () => {
  it('reads every real record: GHSA, Go vulndb, PyPA (YAML), RustSec, Ubuntu', async () => {
    const sink = await ingestShared();
    assert.deepEqual(sink.skips, []);
    const recordFiles = records.filter((name) => /\.(json|ya?ml)$/.test(name));
    assert.equal(sink.advisories.length, recordFiles.length);
    // SOURCE.md's counts for the uncompressed selections.
    const source = readFileSync(join(OSV, 'SOURCE.md'), 'utf8');
    for (const [folder, pattern] of [['go/records/', /`records\/`: (\d+) of those files/], ['pypi/records/', /Django PYSEC ids: (\d+) YAML files/], ['crates.io/records/', /`records\/`: (\d+) files/]] as const) {
      assert.equal(recordFiles.filter((name) => name.startsWith(folder)).length, Number(pattern.exec(source)![1]), folder);
    }
    assert.deepEqual(new Set(sink.advisories.map((advisory) => advisory.id)).size, recordFiles.length);
  });

  it('keeps every field of a GHSA npm record, with GHSA\'s own rating', async () => {
    const sink = await ingestShared();
    assertSameAsRecord(sink, 'ghsa/npm/GHSA-p6mc-m468-83gw.json', [['npm', 'lodash'], ['npm', 'lodash-es']]);
    assert.deepEqual(sink.byId('GHSA-p6mc-m468-83gw').severity.find((entry) => entry.rating), { by: 'ghsa', rating: parsed('ghsa/npm/GHSA-p6mc-m468-83gw.json').database_specific.severity });
    assertSameAsRecord(sink, 'ghsa/maven/GHSA-jfh8-c2jp-5v3q.json', parsed('ghsa/maven/GHSA-jfh8-c2jp-5v3q.json').affected.map((affected: Json) => ['maven', affected.package.name]));
  });

  it('reads PyPA YAML records with PEP 503 names', async () => {
    const sink = await ingestShared();
    for (const name of records.filter((file) => file.startsWith('pypi/records/flask/'))) {
      assertSameAsRecord(sink, name, [['pypi', 'flask']]);
    }
    const names = sink.advisories.flatMap((advisory) => advisory.affected).filter((affected) => affected.namespace === 'pypi').map((affected) => affected.packageName);
    assert.ok(names.includes('pyyaml'), 'PyYAML is looked up as pyyaml');
    assert.ok(names.every((name) => name === name.toLowerCase() && !/[_.]/.test(name)));
  });

  it('reads Go stdlib records into namespace go, package stdlib', async () => {
    const sink = await ingestShared();
    const stdlib = records.find((name) => name.startsWith('go/records/') && parsed(name).affected[0].package.name === 'stdlib')!;
    assertSameAsRecord(sink, stdlib, parsed(stdlib).affected.map((affected: Json) => ['go', affected.package.name]));
    assertSameAsRecord(sink, 'crates.io/records/RUSTSEC-2023-0002.json', parsed('crates.io/records/RUSTSEC-2023-0002.json').affected.map((affected: Json) => ['crates.io', affected.package.name]));
  });

  it('maps Ubuntu releases and Ubuntu Pro streams, with Ubuntu\'s priority', async () => {
    const sink = await ingestShared();
    const record = parsed('ubuntu/CVE-2023-1255.json');
    const namespaces = record.affected.map((affected: Json) =>
      (affected.package.ecosystem as string).startsWith('Ubuntu:Pro:') ? `ubuntu-pro:${(affected.package.ecosystem as string).split(':')[2]}` : `ubuntu:${(affected.package.ecosystem as string).split(':')[1]}`);
    assertSameAsRecord(sink, 'ubuntu/CVE-2023-1255.json', record.affected.map((affected: Json, index: number) => [namespaces[index], affected.package.name]));
    const openssl = sink.byId('CVE-2023-1255').affected.find((affected) => affected.packageName === 'openssl')!;
    assert.equal(openssl.urgency, record.affected.find((affected: Json) => affected.package.name === 'openssl').ecosystem_specific.ubuntu_priority);
  });

  it('wants JSON and YAML record files only', () => {
    assert.deepEqual(['a/GO-1.json', 'b/PYSEC-1.yaml', 'c/x.yml', 'README.md', 'LICENSE'].map((name) => osvFeed.wants({ name })), [true, true, true, false, false]);
  });

  it('skips bad records with their reason and keeps the rest', async () => {
    const good = readFileSync(join(OSV, 'ghsa/npm/GHSA-xvch-5gv4-984h.json'), 'utf8');
    const record = JSON.parse(good) as Json;
    const withRange = (range: unknown): string => JSON.stringify({ ...record, id: 'BAD-RANGE', affected: [{ ...record.affected[0], ranges: [range] }] });
    const sink = new CollectingSink();
    await osvFeed.ingest(memoryFiles({
      'bad.json': '{"id": "X",',
      'bad.yaml': 'id: [unclosed',
      'no-id.json': JSON.stringify({ ...record, id: undefined }),
      'range-type.json': withRange({ type: 'CALVER', events: [{ introduced: '0' }] }),
      'range-event.json': withRange({ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }),
      'range-version.json': withRange({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'one point two' }] }),
      'mars.json': JSON.stringify({ ...record, id: 'MARS-1', affected: [{ package: { ecosystem: 'Mars:1', name: 'x' } }] }),
      'good.json': good,
    }), sink);
    assert.deepEqual(sink.advisories.map((advisory) => advisory.id), [record.id]);
    assert.deepEqual(sink.skips.map((skip) => skip.where), ['bad.json', 'bad.yaml', 'no-id.json', 'range-type.json', 'range-event.json', 'range-version.json', 'mars.json: x', 'mars.json']);
    assert.match(sink.skips[0]!.reason, /^not valid JSON/);
    assert.match(sink.skips[1]!.reason, /^not valid YAML/);
    assert.equal(sink.skips[2]!.reason, 'record has no id');
    assert.match(sink.skips[3]!.reason, /unknown type "CALVER"/);
    assert.match(sink.skips[4]!.reason, /must be one of introduced/);
    assert.equal(sink.skips[5]!.reason, 'affected[0].ranges[0]: invalid npm version "one point two"');
    assert.equal(sink.skips[6]!.reason, 'unsupported ecosystem "Mars:1"');
  });
});
