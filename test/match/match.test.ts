// The matcher on hand-made SBOMs against the database built from the shared feeds. Every expected value
// is quoted from the raw advisory file it comes from (../shared/data/advisories/...).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Distro, Package, PackageType } from '../../src/core/package.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import type { Digest } from '../../src/core/digest.ts';
import { describeRange, fixesAbove } from '../../src/match/evaluate.ts';
import { matchSbom } from '../../src/match/match.ts';
import { distroNamespace } from '../../src/match/namespaces.ts';
import { deb } from '../../src/versions/deb/deb.ts';
import { go } from '../../src/versions/go/go.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { minimalSbom } from '../helpers/sbom.ts';

let store: SqliteAdvisoryStore;
before(() => {
  store = SqliteAdvisoryStore.open(fixtureDatabase());
});
after(async () => {
  await store.close();
});

const LAYER: Digest = `sha256:${"0".repeat(64)}`;

function pkg(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  return { id: `${type}:${name}@${version}`, type, name, version, purl: `pkg:${type}/${name}@${version}`, licenses: [], locations: [{ path: '/x', layerDiffId: LAYER }], ...extra };
}

function sbom(packages: Package[], distro?: Distro): Sbom {
  return minimalSbom(packages, distro ? { distro } : {});
}


test('npm: GHSA-xvch-5gv4-984h (minimist) matches by its ranges, shown by its CVE with the GHSA as alias', async () => {
  // osv/ghsa/npm: affected minimist ranges [introduced 0, fixed 0.2.4] and [introduced 1.0.0, fixed 1.2.6]; alias CVE-2021-44906.
  const { findings } = await matchSbom(sbom([pkg('npm', 'minimist', '1.2.5'), pkg('npm', 'minimist', '0.2.3'), pkg('npm', 'minimist', '1.2.6')]), store);
  const byPackage = (id: string) => findings.filter((finding) => finding.packageId === id && finding.id === 'CVE-2021-44906');
  const [newer] = byPackage('npm:minimist@1.2.5');
  assert.ok(newer);
  assert.ok(newer.aliases.includes('GHSA-xvch-5gv4-984h'));
  assert.deepEqual(newer.fixedVersions, ['1.2.6']);
  assert.equal(newer.affectedRange, '>= 1.0.0, < 1.2.6');
  assert.equal(newer.status, 'fixed');
  assert.equal(newer.matches[0]!.rule, 'ecosystem-range');
  assert.equal(newer.matches[0]!.comparison, '1.2.5 < 1.2.6 (npm)');
  assert.equal(newer.matches.length, 1, 'one reason per record, even when the record lists the package twice');
  assert.deepEqual(byPackage('npm:minimist@0.2.3')[0]?.fixedVersions, ['0.2.4']);
  assert.deepEqual(byPackage('npm:minimist@1.2.6'), []);
  // NVD's record of the CVE comes along for its CVSS.
  assert.ok(newer.sources.some((view) => view.source === 'osv' && view.id === 'GHSA-xvch-5gv4-984h'));
});

test('Debian: binary packages are matched by source package and source version, DSA fixes resolved by the tracker', async () => {
  // cve-list/json/CVE-2025-69419.json: `{DSA-6113-1}`, `- openssl 3.5.5-1`, no [bookworm] line;
  // dsa-dla-json/DSA-6113-1.json: `[bookworm] - openssl 3.0.18-1~deb12u2`.
  const bookworm: Distro = { id: 'debian', versionId: '12', codename: 'bookworm' };
  const libssl = pkg('deb', 'libssl3', '3.0.17-1~deb12u1', { sourceName: 'openssl', sourceVersion: '3.0.17-1~deb12u1' });
  const patched = pkg('deb', 'openssl', '3.0.18-1~deb12u2', { sourceName: 'openssl', sourceVersion: '3.0.18-1~deb12u2' });
  const { findings } = await matchSbom(sbom([libssl, patched], bookworm), store);
  const finding = findings.find((candidate) => candidate.packageId === libssl.id && candidate.id === 'CVE-2025-69419');
  assert.ok(finding, 'libssl3 below the DSA fix is affected');
  assert.deepEqual(finding.fixedVersions, ['3.0.18-1~deb12u2']);
  assert.ok(finding.aliases.includes('DSA-6113-1'));
  assert.equal(finding.matches[0]!.source, 'debian-tracker');
  assert.equal(finding.matches[0]!.namespace, 'debian:12');
  assert.equal(finding.matches[0]!.packageName, 'openssl');
  assert.equal(finding.matches[0]!.rule, 'distro-source-package');
  assert.equal(finding.matches[0]!.comparison, '3.0.17-1~deb12u1 < 3.0.18-1~deb12u2 (deb)');
  // A DSA fixes many CVEs: they stay separate findings.
  assert.ok(findings.some((candidate) => candidate.packageId === libssl.id && candidate.id === 'CVE-2025-15467'));
  assert.ok(!findings.some((candidate) => candidate.packageId === patched.id && candidate.id === 'CVE-2025-69419'), 'the backported fix is not a finding');
});

test('Debian: open and no-dsa/postponed entries are affected, not fixed, with the reason', async () => {
  // cve-list/json/CVE-2024-28085.json: `- util-linux <unfixed>` (bullseye inherits it).
  // cve-list/json/CVE-2016-2781.json: `[bullseye] - coreutils <ignored> (Minor issue)`.
  const bullseye: Distro = { id: 'debian', versionId: '11', codename: 'bullseye' };
  const util = pkg('deb', 'bsdutils', '1:2.36.1-8+deb11u2', { sourceName: 'util-linux', sourceVersion: '2.36.1-8+deb11u2' });
  const coreutils = pkg('deb', 'coreutils', '8.32-4+b1', { sourceName: 'coreutils', sourceVersion: '8.32-4' });
  const { findings } = await matchSbom(sbom([util, coreutils], bullseye), store);
  const open = findings.find((finding) => finding.packageId === util.id && finding.id === 'CVE-2024-28085');
  assert.equal(open?.status, 'not-fixed');
  assert.equal(open?.statusReason, undefined);
  assert.deepEqual(open?.fixedVersions, []);
  const ignored = findings.find((finding) => finding.packageId === coreutils.id && finding.id === 'CVE-2016-2781');
  assert.equal(ignored?.status, 'not-fixed');
  assert.equal(ignored?.statusReason, 'ignored: Minor issue');
});

test('Alpine: secfixes of the image branch by origin package', async () => {
  // alpine/secdb-json v3.18 main: openssl secfixes `3.0.2-r0: CVE-2022-0778`.
  const alpine: Distro = { id: 'alpine', versionId: '3.18.4' };
  const libcrypto = pkg('apk', 'libcrypto3', '3.0.1-r0', { sourceName: 'openssl' });
  const { findings } = await matchSbom(sbom([libcrypto], alpine), store);
  const finding = findings.find((candidate) => candidate.id === 'CVE-2022-0778');
  assert.ok(finding);
  assert.deepEqual(finding.fixedVersions, ['3.0.2-r0']);
  assert.equal(finding.matches[0]!.namespace, 'alpine:3.18');
});

test('Go: stdlib is matched from the toolchain version; a (devel) main module is not matched', async () => {
  // osv/go GO-2023-1840 (CVE-2023-29403): stdlib SEMVER [introduced 0, fixed 1.19.10, introduced 1.20.0-0, fixed 1.20.5].
  const stdlib = pkg('golang', 'stdlib', 'go1.20.4');
  const main = pkg('golang', 'github.com/evanw/esbuild', '(devel)');
  const { findings, warnings } = await matchSbom(sbom([stdlib, main]), store);
  const finding = findings.find((candidate) => candidate.id === 'CVE-2023-29403');
  assert.ok(finding);
  assert.ok(finding.aliases.includes('GO-2023-1840'));
  assert.deepEqual(finding.fixedVersions, ['1.20.5']);
  assert.equal(finding.affectedRange, '>= 1.20.0-0, < 1.20.5');
  assert.equal(finding.matches[0]!.rule, 'go-stdlib');
  assert.ok(!findings.some((candidate) => candidate.packageId === main.id));
  assert.deepEqual(warnings, []);
});

test('a language package owned by an OS package is left to the distribution; bad versions and unknown distributions are warnings', async () => {
  const owned = pkg('npm', 'minimist', '1.2.5', { ownedBy: 'deb:node-minimist@1.2.5' });
  const broken = pkg('npm', 'lodash', 'not a version');
  const os = pkg('deb', 'openssl', '1.0', { sourceName: 'openssl' });
  const free = pkg('npm', 'minimist', '1.2.4');
  const { findings, warnings } = await matchSbom(sbom([owned, broken, os, free], { id: 'plan9', versionId: '4' }), store);
  assert.deepEqual(new Set(findings.map((finding) => finding.packageId)), new Set([free.id]));
  assert.ok(warnings.some((line) => line.includes('lodash') && line.includes('not a version')), warnings.join('\n'));
  assert.ok(warnings.some((line) => line.includes('no vulnerability data for distribution plan9')), warnings.join('\n'));
  const unknown = await matchSbom(sbom([os]), store);
  assert.ok(unknown.warnings.some((line) => line.includes('distribution is unknown')));
});

test('end-of-life distributions are a warning; findings are still made', async () => {
  const distro: Distro = { id: 'debian', versionId: '10', codename: 'buster', endOfLife: { date: '2024-06-30', ended: true, source: 'test' } };
  const { warnings } = await matchSbom(sbom([], distro), store);
  assert.ok(warnings.some((line) => line.includes('end of its security support on 2024-06-30')));
});

test('namespaces of distributions come from data', () => {
  assert.equal(distroNamespace({ id: 'debian', versionId: '11' }), 'debian:11');
  assert.equal(distroNamespace({ id: 'debian', codename: 'trixie' }), 'debian:13');
  assert.equal(distroNamespace({ id: 'alpine', versionId: '3.20.3' }), 'alpine:3.20');
  assert.equal(distroNamespace({ id: 'alpine', versionId: '3.21_alpha20240807' }), 'alpine:edge');
  assert.equal(distroNamespace({ id: 'ubuntu', versionId: '22.04' }), 'ubuntu:22.04');
  assert.equal(distroNamespace({ id: 'almalinux', versionId: '9.3' }), 'almalinux:9');
  assert.equal(distroNamespace({ id: 'plan9' }), undefined);
});

test('fixes and ranges are read per interval', () => {
  const row = { status: 'fixed' as const, fixedVersions: [], ranges: [{ type: 'SEMVER' as const, events: [{ introduced: '0' }, { fixed: '1.19.12' }, { introduced: '1.20.0-0' }, { fixed: '1.20.7' }, { introduced: '1.21.0-0' }, { fixed: '1.21.0-rc.4' }] }] };
  assert.deepEqual(fixesAbove('go1.20.4', row, go), ['1.20.7']);
  assert.equal(describeRange(row, 'go1.20.4', go), '>= 1.20.0-0, < 1.20.7');
  const lastAffected = { status: 'affected' as const, fixedVersions: [], ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '1.0-1' }, { last_affected: '1.5-1' }] }] };
  assert.deepEqual(fixesAbove('1.2-1', lastAffected, deb), []);
  assert.equal(describeRange(lastAffected, '1.2-1', deb), '>= 1.0-1, <= 1.5-1');
});
