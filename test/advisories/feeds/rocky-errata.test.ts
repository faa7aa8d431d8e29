// The Rocky errata feed over the two real Apollo API pages: the RLSA page read package by package against the raw
// JSON, the RLBA page (a bug fix, with a real module stream) left out as no vulnerability and its module stream read
// when treated as security, malformed input counted as skipped, and an end-to-end match on Rocky Linux 10.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readNevra, rockyAdvisory, rockyErrataFeed, rockyNamespace } from '../../../src/advisories/feeds/rocky-errata/rockyErrataFeed.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import type { RecordSink, SkippedRecord } from '../../../src/advisories/model.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { rate } from '../../../src/severity/rate.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const APOLLO = join(SHARED, 'data/advisories/rocky/apollo-api');

interface RawPackage { nevra: string; product_name: string; module_name: string | null; module_stream: string | null }
interface RawAdvisory { name: string; kind: string; severity: string; synopsis: string; cves: { cve: string }[]; packages: RawPackage[] }
const page = (file: string) => (JSON.parse(readFileSync(join(APOLLO, file), 'utf8')) as { advisories: RawAdvisory[] }).advisories;

/** Independently: `golang-bin-0:1.25.3-1.el10_1.x86_64.rpm` → name, version as an installed rpm writes it, arch. */
function split(nevra: string): { name: string; evr: string; arch: string } {
  const parts = nevra.split('.');
  parts.pop(); // rpm
  const arch = parts.pop()!;
  const rest = parts.join('.');
  const release = rest.slice(rest.lastIndexOf('-') + 1);
  const nameEpochVersion = rest.slice(0, rest.lastIndexOf('-'));
  const name = nameEpochVersion.slice(0, nameEpochVersion.lastIndexOf('-'));
  const [epoch, version] = nameEpochVersion.slice(nameEpochVersion.lastIndexOf('-') + 1).split(':');
  return { name, evr: `${epoch === '0' ? '' : `${epoch}:`}${version}-${release}`, arch };
}

describe('rocky-errata: names', () => {
  it('reads NEVRAs and products', () => {
    assert.deepEqual(readNevra('delve-0:1.25.2-1.el10_1.aarch64.rpm'), { name: 'delve', evr: '1.25.2-1.el10_1', arch: 'aarch64' });
    assert.deepEqual(readNevra('oci-systemd-hook-1:0.1.15-2.git2d0b8a3.module+el8.4.0+557+48ba8b2f.x86_64.rpm'), { name: 'oci-systemd-hook', evr: '1:0.1.15-2.git2d0b8a3.module+el8.4.0+557+48ba8b2f', arch: 'x86_64' });
    assert.equal(readNevra('garbage.rpm'), undefined);
    assert.equal(rockyNamespace('Rocky Linux 10 aarch64'), 'rocky:10');
    assert.equal(rockyNamespace('Rocky Linux 8.4 x86_64 (Legacy)'), 'rocky:8');
    assert.equal(rockyNamespace('Rocky Linux 8 SIG Cloud x86_64'), undefined);
  });
});

describe('rocky-errata: the Apollo API pages', () => {
  it('gives RLSA-2025:21816 with its CVE, rating and one fixed row per binary package of Rocky Linux 10; the RLBA page gives nothing', async () => {
    const collected = await ingestAll(rockyErrataFeed, filesUnder(APOLLO));
    assert.deepEqual(collected.skipped, []);
    const raw = page('page1.json')[0]!;
    assert.deepEqual(page('page2.json').map((a) => a.kind), ['Bug Fix']);
    assert.deepEqual(collected.advisories.map((a) => a.id), [raw.name]);
    const advisory = collected.advisories[0]!;
    assert.equal(advisory.source, 'rocky-errata');
    assert.deepEqual(advisory.aliases, raw.cves.map((c) => c.cve));
    assert.deepEqual(advisory.severity, [{ by: 'rocky', rating: raw.severity }]);
    assert.equal(advisory.summary, raw.synopsis);
    const expected = new Map<string, string>();
    for (const pkg of raw.packages) {
      const { name, evr, arch } = split(pkg.nevra);
      if (arch === 'src') continue;
      assert.match(pkg.product_name, /^Rocky Linux 10 /);
      expected.set(name, evr);
    }
    assert.equal(expected.size, 11);
    assert.deepEqual(
      advisory.affected.map((row) => [row.namespace, row.packageName, row.status, row.fixedVersions, row.ranges, row.module]).sort(),
      [...expected].map(([name, evr]) => ['rocky:10', name, 'fixed', [evr], [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: evr }] }], '']).sort(),
    );
  });

  it('reads the module stream of a real modular erratum (the RLBA page, as if it were a security one)', () => {
    const raw = page('page2.json')[0]!;
    const skipped: Omit<SkippedRecord, 'source'>[] = [];
    const sink = { advisory: () => undefined, kev: () => undefined, epss: () => undefined, skipped: (r) => skipped.push(r) } satisfies RecordSink;
    assert.equal(rockyAdvisory(raw as unknown as Record<string, unknown>, 'page2.json #0', sink), undefined);
    const advisory = rockyAdvisory({ ...raw, kind: 'Security' } as unknown as Record<string, unknown>, 'page2.json #0', sink)!;
    assert.deepEqual(skipped, []);
    const expected = new Set(raw.packages.filter((p) => !p.nevra.includes('.src.')).map((p) => `${split(p.nevra).name} ${p.module_name}:${p.module_stream}`));
    assert.deepEqual(new Set(advisory.affected.map((r) => `${r.packageName} ${r.module}`)), expected);
    for (const row of advisory.affected) assert.equal(row.namespace, 'rocky:8'); // 8 and 8.x (Legacy) products alike
    assert.deepEqual(advisory.severity, []); // severity "None"
  });

  it('counts malformed pages, records and NEVRAs as skipped and keeps the rest', async () => {
    const good = { name: 'RLSA-2099:0001', kind: 'Security', severity: 'Important', cves: [{ cve: 'CVE-2099-0001' }], packages: [{ nevra: 'foo-0:1.0-1.el9.x86_64.rpm', product_name: 'Rocky Linux 9 x86_64' }, { nevra: 'broken', product_name: 'Rocky Linux 9 x86_64' }] };
    const collected = await ingestAll(
      rockyErrataFeed,
      filesOf(
        { name: 'broken.json', content: '{"advisories": [' },
        { name: 'other.json', content: '{"hello": 1}' },
        { name: 'page.json', content: JSON.stringify({ advisories: [good, 7, { name: 'nonsense' }] }) },
      ),
    );
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.aliases, a.affected.map((r) => [r.namespace, r.packageName, r.fixedVersions])]), [['RLSA-2099:0001', ['CVE-2099-0001'], [['rocky:9', 'foo', ['1.0-1.el9']]]]]);
    assert.deepEqual(collected.skipped.map((s) => s.where), ['broken.json', 'other.json', 'page.json #0 RLSA-2099:0001', 'page.json #1', 'page.json #2']);
    assert.match(collected.skipped[0]!.reason, /^malformed JSON/);
    assert.deepEqual(collected.skipped.slice(1).map((s) => s.reason), [
      'not an Apollo advisories page (no advisories list)',
      '1 package(s) without a readable NEVRA, e.g. "broken"',
      'advisory is not an object',
      'advisory without an errata name ("nonsense")',
    ]);
  });
});

describe('rocky-errata: matching Rocky Linux 10 packages', () => {
  let work: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-rocky-db-'));
    const outcomes = await updateDatabase(join(work, 'data'), [{ name: 'rocky-errata', location: APOLLO }], { openInput: openFeedInput, cacheDir: join(work, 'cache') });
    assert.deepEqual(outcomes.map((o) => [o.outcome, 'source' in o ? o.source : '']), [['updated', 'rocky-errata']]);
    store = SqliteAdvisoryStore.open(join(work, 'data'));
  });
  after(async () => {
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('finds golang below 1.25.3-1.el10_1 (the raw fix), not at it', async () => {
    const layerDiffId = `sha256:${'0'.repeat(64)}` as Digest;
    const pkg = (name: string, version: string): Package => ({ id: `rpm:${name}@${version}`, type: 'rpm', name, version, purl: `pkg:rpm/rocky/${name}@${version}?distro=rocky-10.1`, sourceName: 'golang', licenses: [], locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId }] });
    const fix = split(page('page1.json')[0]!.packages.find((p) => p.nevra.startsWith('golang-bin-'))!.nevra).evr;
    assert.equal(fix, '1.25.3-1.el10_1');
    const packages = [pkg('golang-bin', '1.24.6-1.el10_0'), pkg('golang-src', fix)];
    const { findings } = await matchSbom(minimalSbom(packages, { distro: { id: 'rocky', versionId: '10.1' } }), store);
    assert.deepEqual(
      findings.map((f) => [f.id, f.aliases, f.packageId, f.status, f.fixedVersions, rate(f, { type: 'rpm' }).level]),
      [['CVE-2025-58183', ['RLSA-2025:21816'], 'rpm:golang-bin@1.24.6-1.el10_0', 'fixed', [fix], 'medium']],
    );
  });
});
