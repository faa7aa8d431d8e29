// The Alpine secdb ingester over Alpine's real JSON and the alpine-secdb repository's YAML: every
// secfixes entry comes out as an affected package or as a skipped record, checked against the files
// read independently here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SHARED } from '../../helpers/fixtures.ts';
import { alpineSecdbFeed } from '../../../src/advisories/feeds/alpine-secdb/alpineSecdbFeed.ts';
import { filesOf, ingestAll, type Collected } from './scoring-sink.ts';

const ALPINE = join(SHARED, 'data/advisories/alpine');
const BRANCHES_JSON = ['edge', 'v3.11', 'v3.12', 'v3.13', 'v3.14', 'v3.15', 'v3.16', 'v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21'];
const BRANCHES_YAML = ['v3.3', 'v3.4', 'v3.5', 'v3.6', 'v3.7', 'v3.8', 'v3.9', 'v3.10', 'v3.11'];
const FILES = [
  ...BRANCHES_JSON.flatMap((branch) => [`secdb-json/${branch}/main.json`, `secdb-json/${branch}/community.json`]),
  ...BRANCHES_YAML.flatMap((branch) => [`secdb-yaml/${branch}/main.yaml`, `secdb-yaml/${branch}/community.yaml`]),
];

type Secdb = { distroversion: string; packages: { pkg: { name: string; secfixes?: Record<string, string[] | string> } }[] };

function readSecdbFile(file: string): Secdb {
  const text = readFileSync(join(ALPINE, file), 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { schema: 'failsafe' })) as Secdb;
}

async function ingestFile(file: string): Promise<Collected> {
  return ingestAll(alpineSecdbFeed, filesOf({ name: file, content: readFileSync(join(ALPINE, file)) }));
}

function namespaceOf(distroversion: string): string {
  return distroversion === 'edge' ? 'alpine:edge' : `alpine:${distroversion.replace(/^v/, '')}`;
}

test('every plain CVE secfix of every real file is an advisory entry or a skipped record naming its version', async () => {
  let plain = 0;
  for (const file of FILES) {
    const data = readSecdbFile(file);
    const collected = await ingestFile(file);
    const byId = new Map(collected.advisories.map((advisory) => [advisory.id, advisory]));
    assert.equal(byId.size, collected.advisories.length, `${file}: one advisory per id`);
    for (const { pkg } of data.packages) {
      for (const [version, ids] of Object.entries(pkg.secfixes ?? {})) {
        for (const id of Array.isArray(ids) ? ids : []) {
          if (!/^CVE-\d{4}-\d{4,}$/.test(id)) continue;
          plain++;
          const entry = byId.get(id)?.affected.find((a) => a.packageName === pkg.name && (version === '0' ? a.status === 'not-affected' : a.fixedVersions[0] === version));
          const skipped = collected.skipped.some((s) => s.where === `${file} ${pkg.name} ${version}`);
          assert.ok(entry || skipped, `missing ${file} ${pkg.name} ${version} ${id}`);
          if (entry) assert.equal(entry.namespace, namespaceOf(data.distroversion));
        }
      }
    }
  }
  assert.ok(plain > 10000);
});

test('Alpine 3.11 openssl: each secfix as a fixed range, in the JSON and in the YAML', async () => {
  for (const file of ['secdb-json/v3.11/main.json', 'secdb-yaml/v3.11/main.yaml']) {
    const openssl = readSecdbFile(file).packages.find((p) => p.pkg.name === 'openssl')?.pkg.secfixes ?? {};
    const collected = await ingestFile(file);
    const entries = Object.entries(openssl).filter(([version]) => version !== '0');
    assert.ok(entries.length >= 4, `${file}: openssl secfixes`);
    for (const [version, ids] of entries) {
      for (const id of ids as string[]) {
        const advisory = collected.advisories.find((a) => a.id === id);
        assert.equal(advisory?.source, 'alpine-secdb');
        assert.deepEqual(advisory?.affected.find((a) => a.packageName === 'openssl'), {
          namespace: 'alpine:3.11',
          packageName: 'openssl',
          status: 'fixed',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }],
          fixedVersions: [version],
        });
      }
    }
  }
});

test('version 0 means never affected; several ids in one string are split, other issuers kept as aliases', async () => {
  const file = FILES.find((f) => readSecdbFile(f).packages.some((p) => Array.isArray(p.pkg.secfixes?.['0']))) as string;
  const data = readSecdbFile(file);
  const never = data.packages.find((p) => Array.isArray(p.pkg.secfixes?.['0']))?.pkg;
  assert.ok(never);
  const id = (never.secfixes?.['0'] as string[]).find((i) => /^CVE-\d{4}-\d+$/.test(i)) as string;
  const collected = await ingestFile(file);
  const affected = collected.advisories.find((a) => a.id === id)?.affected.find((a) => a.packageName === never.name);
  assert.deepEqual(affected, { namespace: namespaceOf(data.distroversion), packageName: never.name, status: 'not-affected', ranges: [], fixedVersions: [] });

  for (const f of FILES) {
    const combined = readSecdbFile(f).packages.flatMap((p) => Object.values(p.pkg.secfixes ?? {}).flat()).find((s) => /^CVE-\d{4}-\d+ CVE-\d{4}-\d+ XSA-\d+$/.test(s));
    if (!combined) continue;
    const [first, second, xsa] = combined.split(' ');
    const got = await ingestFile(f);
    for (const cve of [first, second]) assert.ok(got.advisories.find((a) => a.id === cve)?.aliases.includes(xsa), `${f}: ${cve}`);
    return;
  }
  assert.fail('no combined entry found');
});

test('malformed JSON and YAML, an invalid version and a malformed id are skipped with reasons; the rest stay', async () => {
  const good = { distroversion: 'v3.18', reponame: 'main', packages: [{ pkg: { name: 'zlib', secfixes: { '1.2.12-r0': ['CVE-2018-25032'], 'not a version': ['CVE-2022-0001'], '1.3-r0': ['CVE-46838', 'CVE-2022-37434 (inflate)'] } } }] };
  const collected = await ingestAll(
    alpineSecdbFeed,
    filesOf(
      { name: 'v3.18/community.json', content: '{"packages": [' },
      { name: 'v3.17/main.yaml', content: 'packages: [\n  - pkg: {' },
      { name: 'v3.18/main.json', content: JSON.stringify(good) },
    ),
  );
  assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((f) => [f.namespace, f.fixedVersions[0], f.statusReason])]), [
    ['CVE-2018-25032', [['alpine:3.18', '1.2.12-r0', undefined]]],
    ['CVE-2022-37434', [['alpine:3.18', '1.3-r0', 'inflate']]],
  ]);
  const reasons = collected.skipped.map((s) => `${s.where}: ${s.reason}`);
  assert.equal(reasons.length, 4);
  assert.match(reasons[0], /^v3\.18\/community\.json: malformed JSON/);
  assert.match(reasons[1], /^v3\.17\/main\.yaml: malformed YAML/);
  assert.match(reasons[2], /^v3\.18\/main\.json zlib not a version: invalid apk version/);
  assert.match(reasons[3], /^v3\.18\/main\.json zlib 1\.3-r0: malformed id "CVE-46838"/);
});

test('a lone downloaded main.json takes its branch from distroversion; other files are not wanted', async () => {
  assert.deepEqual(['main.json', 'v3.20/community.json', 'secdb-yaml/v3.9/main.yaml', 'debian.json', 'v3.20/README.md'].map((name) => alpineSecdbFeed.wants({ name })), [true, true, true, false, false]);
  const file = 'secdb-json/v3.20/main.json';
  const distroversion = readSecdbFile(file).distroversion;
  const collected = await ingestAll(alpineSecdbFeed, filesOf({ name: 'main.json', content: readFileSync(join(ALPINE, file)) }));
  assert.ok(collected.advisories.length > 0);
  assert.ok(collected.advisories.every((a) => a.affected.every((f) => f.namespace === namespaceOf(distroversion))));
});

test('a YAML file whose packages list is empty (v3.3 community) is read without a skip', async () => {
  const file = 'secdb-yaml/v3.3/community.yaml';
  assert.equal(readSecdbFile(file).packages, '');
  const collected = await ingestFile(file);
  assert.deepEqual([collected.advisories.length, collected.skipped.length], [0, 0]);
});
