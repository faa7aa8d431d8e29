// compareReports on small hand-made reports: package identity and versions, vulnerability identity
// across an upgrade, suppression, filters, and the overview facts; then the text and Markdown layouts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports, type PackageChange } from '../../src/baseimage/compare.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { Finding, SeverityLevel, VulnerabilityReport } from '../../src/core/finding.ts';
import type { Package, PackageType } from '../../src/core/package.ts';
import { renderCompareJson, renderCompareMarkdown, renderCompareText } from '../../src/report/compare.ts';

const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

function pkg(type: PackageType, name: string, version: string, options: { arch?: string; path?: string } = {}): Package {
  const path = options.path ?? `/lib/${name}`;
  return {
    id: `${type}:${name}@${version}:${path}`, type, name, version,
    ...(options.arch ? { arch: options.arch } : {}),
    purl: `pkg:${type}/${name}@${version}${options.arch ? `?arch=${options.arch}` : ''}`,
    licenses: [], locations: [{ path, layerDiffId: LAYER }],
  };
}

function finding(id: string, pkgOf: Package, level: SeverityLevel, options: { aliases?: string[]; fixed?: string; suppressed?: boolean; cvss?: number } = {}): Finding {
  return {
    id, aliases: options.aliases ?? [], packageId: pkgOf.id,
    status: options.fixed ? 'fixed' : 'not-fixed', fixedVersions: options.fixed ? [options.fixed] : [],
    affectedRange: options.fixed ? `< ${options.fixed}` : 'all versions', matches: [], sources: [],
    rating: { level, all: [], ...(options.cvss !== undefined ? { cvss: { score: options.cvss, vector: 'CVSS:3.1/AV:N', version: '3.1', by: 'nvd' } } : {}) },
    ...(options.suppressed ? { suppressed: { kind: 'ignore', status: 'ignored', origin: '.spyglassignore.yaml' } } : {}),
  };
}

function report(name: string, packages: Package[], findings: Finding[], extra: Partial<VulnerabilityReport> & { layerSizes?: number[]; digest?: Digest } = {}): VulnerabilityReport {
  const { layerSizes = [100], digest, ...rest } = extra;
  return {
    schemaVersion: 1, tool: { name: 'spyglass', version: '0.0.0' }, createdAt: '2026-01-01T00:00:00Z',
    target: {
      input: `oci-dir://layout`, names: [name], platform: 'linux/amd64',
      ...(digest ? { manifestDigest: digest } : {}),
      layers: layerSizes.map((size, i) => ({ digest: `sha256:${String(i).repeat(64)}`, diffId: LAYER, size })),
    },
    database: { builtAt: '2026-01-01T00:00:00Z', schemaVersion: 2, ageHours: 1 },
    packages, findings, warnings: [],
    ...rest,
  };
}

const row = (change: PackageChange) => `${change.change} ${change.type}/${change.name}${change.arch ? `:${change.arch}` : ''} ${change.version ?? '-'} ${change.otherVersion ?? '-'}`;

// IMAGE: the new build; OTHER: the one it replaces.
const newSsl = pkg('deb', 'libssl3', '3.0.15-1', { arch: 'amd64' });
const oldSsl = pkg('deb', 'libssl3', '3.0.11-1', { arch: 'amd64' });
const newBash = pkg('deb', 'bash', '5.2-1', { arch: 'amd64' });
const oldBash = pkg('deb', 'bash', '1:5.1-1', { arch: 'amd64' }); // an epoch: 1:5.1 is higher than 5.2
const libcAmd64 = pkg('deb', 'libc6', '2.36-9', { arch: 'amd64' });
const libcI386 = pkg('deb', 'libc6', '2.36-9', { arch: 'i386' });
const tzdata = pkg('deb', 'tzdata', '2024a', { arch: 'all' });
const curl = pkg('deb', 'curl', '7.88.1-10', { arch: 'amd64' });
const goA = pkg('golang', 'stdlib', 'go1.22.1', { path: '/bin/a' });
const goB = pkg('golang', 'stdlib', 'go1.22.1', { path: '/bin/b' });
const oldGo = pkg('golang', 'stdlib', 'go1.21.0', { path: '/bin/a' });
const devel = pkg('golang', 'example.com/tool', '(devel)', { path: '/bin/a' });
const oldDevel = pkg('golang', 'example.com/tool', 'v0.0.0-20200101000000-abcdefabcdef', { path: '/bin/a' });
const ms = ['2.0.0', '2.1.3', '2.1.1'].map((version) => pkg('npm', 'ms', version, { path: `/app/node_modules/${version}/ms/package.json` }));
const oldMs = ['2.0.0', '2.1.2'].map((version) => pkg('npm', 'ms', version, { path: `/app/node_modules/${version}/ms/package.json` }));
const lodash = pkg('npm', 'lodash', '4.17.21');
const oldLodash = pkg('npm', 'lodash', '4.17.15');

const IMAGE = report('app:new', [newSsl, newBash, libcAmd64, tzdata, curl, goA, goB, devel, ...ms, lodash], [
  finding('CVE-2024-0001', newSsl, 'high', { cvss: 7.5 }), // also in OTHER's older libssl3: neither fixed nor introduced
  finding('CVE-2024-0002', curl, 'critical', { cvss: 9.8 }), // curl is new: introduced
  finding('GHSA-aaaa-bbbb-cccc', lodash, 'medium', { aliases: ['CVE-2020-8203'] }), // OTHER names it by its CVE
  finding('CVE-2024-0003', newBash, 'low', { suppressed: true }),
  finding('CVE-2024-0004', goA, 'medium'),
  finding('CVE-2024-0004', goB, 'medium'), // the same binary at two paths: one vulnerability of one package
], { layerSizes: [1000, 500], digest: 'sha256:aaaa00000000000000000000000000000000000000000000000000000000000a', baseImage: { name: 'debian:bookworm-slim', digest: 'sha256:b2' } });

const OTHER = report('app:old', [oldSsl, oldBash, libcAmd64, libcI386, tzdata, oldGo, oldDevel, ...oldMs, oldLodash], [
  finding('CVE-2024-0001', oldSsl, 'high'),
  finding('CVE-2023-9999', oldSsl, 'critical', { fixed: '3.0.13-1' }), // fixed by the upgrade
  finding('CVE-2020-8203', oldLodash, 'medium', { aliases: ['GHSA-aaaa-bbbb-cccc'] }),
  finding('CVE-2023-1111', oldGo, 'high', { fixed: '1.21.5' }),
  finding('CVE-2024-0003', oldBash, 'low'),
], { layerSizes: [1200, 400, 100], digest: 'sha256:bbbb00000000000000000000000000000000000000000000000000000000000b', baseImage: { name: 'debian:bullseye-slim' } });

describe('compareReports', () => {
  const comparison = compareReports(IMAGE, OTHER);

  it('pairs packages by type, name and (OS packages) arch, once per distinct version, ordered by the ecosystem', () => {
    assert.deepEqual(comparison.packages.map(row), [
      'downgraded deb/bash:amd64 5.2-1 1:5.1-1',
      'added deb/curl:amd64 7.88.1-10 -',
      'unchanged deb/libc6:amd64 2.36-9 2.36-9',
      'removed deb/libc6:i386 - 2.36-9',
      'upgraded deb/libssl3:amd64 3.0.15-1 3.0.11-1',
      'unchanged deb/tzdata:all 2024a 2024a',
      'changed golang/example.com/tool (devel) v0.0.0-20200101000000-abcdefabcdef',
      'upgraded golang/stdlib go1.22.1 go1.21.0',
      'upgraded npm/lodash 4.17.21 4.17.15',
      // 2.0.0 in both; the others paired lowest with lowest: 2.1.1 ↔ 2.1.2, and 2.1.3 is left over.
      'unchanged npm/ms 2.0.0 2.0.0',
      'downgraded npm/ms 2.1.1 2.1.2',
      'added npm/ms 2.1.3 -',
    ]);
    assert.deepEqual(comparison.summary.packages, { added: 2, removed: 1, upgraded: 3, downgraded: 2, changed: 1, unchanged: 3 });
    assert.equal(comparison.image.packages, 11);
    assert.equal(comparison.other.packages, 10);
  });

  it('keys vulnerabilities by id (or alias) and package, so an upgraded package\'s remaining CVE is neither fixed nor introduced', () => {
    const ids = (list: typeof comparison.vulnerabilities.introduced) => list.map((change) => `${change.severity} ${change.id} ${change.package.name} ${change.package.versions.join(',')}`);
    assert.deepEqual(ids(comparison.vulnerabilities.introduced), ['critical CVE-2024-0002 curl 7.88.1-10', 'medium CVE-2024-0004 stdlib go1.22.1']);
    assert.deepEqual(ids(comparison.vulnerabilities.fixed), ['critical CVE-2023-9999 libssl3 3.0.11-1', 'high CVE-2023-1111 stdlib go1.21.0', 'low CVE-2024-0003 bash 1:5.1-1']);
    assert.equal(comparison.vulnerabilities.fixed[0]!.fixedVersion, '3.0.13-1');
    assert.deepEqual(comparison.summary.vulnerabilities.introduced, { critical: 1, high: 0, medium: 1, low: 0, unspecified: 0 });
    assert.deepEqual(comparison.summary.vulnerabilities.fixed, { critical: 1, high: 1, medium: 0, low: 1, unspecified: 0 });
    // CVE-2024-0001 in libssl3 and the lodash GHSA/CVE.
    assert.equal(comparison.summary.vulnerabilities.unchanged, 2);
  });

  it('counts each side\'s findings as cves does, leaving suppressed ones out and counting them apart', () => {
    assert.deepEqual(comparison.image.vulnerabilities, { critical: 1, high: 1, medium: 3, low: 0, unspecified: 0 });
    assert.deepEqual(comparison.other.vulnerabilities, { critical: 1, high: 2, medium: 1, low: 1, unspecified: 0 });
    assert.deepEqual(comparison.summary.vulnerabilities.delta, { critical: 0, high: -1, medium: 2, low: -1, unspecified: 0 });
    assert.equal(comparison.image.suppressed, 1);
    assert.equal(comparison.other.suppressed, 0);
  });

  it('attributes each change to the package entry that brings or drops it', () => {
    const entry = (name: string, version: string) => comparison.packages.find((change) => change.name === name && (change.version ?? change.otherVersion) === version)!;
    assert.equal(entry('curl', '7.88.1-10').introduced.critical, 1);
    assert.equal(entry('libssl3', '3.0.15-1').fixed.critical, 1);
    assert.equal(entry('libssl3', '3.0.15-1').introduced.high, 0);
    assert.equal(entry('stdlib', 'go1.22.1').introduced.medium, 1);
    assert.equal(entry('stdlib', 'go1.22.1').fixed.high, 1);
  });

  it('reports the base image change, sizes from the layers, platforms and digests', () => {
    assert.deepEqual(comparison.baseImage, { changed: true, image: { name: 'debian:bookworm-slim', digest: 'sha256:b2' }, other: { name: 'debian:bullseye-slim' } });
    assert.equal(comparison.image.size, 1500);
    assert.equal(comparison.other.size, 1700);
    assert.equal(comparison.sizeDelta, -200);
    assert.equal(comparison.image.platform, 'linux/amd64');
    assert.equal(comparison.image.manifestDigest, 'sha256:aaaa00000000000000000000000000000000000000000000000000000000000a');
    assert.equal(comparison.other.name, 'app:old');
    const same = compareReports(IMAGE, IMAGE);
    assert.equal(same.baseImage.changed, false);
    assert.equal(same.sizeDelta, 0);
    assert.ok(same.packages.every((change) => change.change === 'unchanged'));
    assert.deepEqual(same.vulnerabilities, { introduced: [], fixed: [] });
  });

  it('an input without layers has no size', () => {
    const sbomOnly = compareReports(report('sbom', [tzdata], [], { layerSizes: [] }), OTHER);
    assert.equal(sbomOnly.image.size, undefined);
    assert.equal(sbomOnly.sizeDelta, undefined);
  });

  it('filters both sides by package type and severity', () => {
    const npmOnly = compareReports(IMAGE, OTHER, { packageTypes: ['npm'] });
    assert.ok(npmOnly.packages.every((change) => change.type === 'npm'));
    assert.equal(npmOnly.packages.length, 4);
    assert.deepEqual(npmOnly.vulnerabilities, { introduced: [], fixed: [] });
    assert.equal(npmOnly.summary.vulnerabilities.unchanged, 1);
    const critical = compareReports(IMAGE, OTHER, { severities: ['critical'] });
    assert.deepEqual(critical.vulnerabilities.introduced.map((change) => change.id), ['CVE-2024-0002']);
    assert.deepEqual(critical.vulnerabilities.fixed.map((change) => change.id), ['CVE-2023-9999']);
    assert.equal(critical.packages.length, comparison.packages.length, 'a severity filter keeps every package');
    assert.deepEqual(critical.image.vulnerabilities, { critical: 1, high: 0, medium: 0, low: 0, unspecified: 0 });
  });
});

describe('compare renderers', () => {
  const comparison = compareReports(IMAGE, OTHER);

  it('text: the two images side by side, markers and versions, changes per severity', () => {
    const text = renderCompareText(comparison, { ignoreUnchanged: false });
    const lines = text.split('\n');
    // Columns: labels, then IMAGE's 29 characters (its widest cell, the counts, and two spaces), then OTHER's.
    const row = (label: string, image: string, other: string) => `${label.padEnd(20)}│${image.padEnd(29)}│${other}`;
    for (const expected of [
      row('  Target', '  app:new', '  app:old'),
      row('    vulnerabilities', '    1C     1H     3M     0L', '    1C     2H     1M     1L'),
      row('', '           -1     +2     -1', ''),
      row('    size', '  1.5 kB (-200 B)', '  1.7 kB'),
      row('    packages', '  11 (+1)', '  10'),
      row('  Base image', '  debian:bookworm-slim', '  debian:bullseye-slim'),
    ]) assert.ok(lines.includes(expected), `${expected}\n${text}`);
    assert.match(text, /^ {2}↑ {2}libssl3 +deb +3\.0\.15-1 +3\.0\.11-1 +-1C$/m);
    assert.match(text, /^ {2}\+ {2}curl +deb +7\.88\.1-10 +\+1C$/m);
    assert.match(text, /^ {2}- {2}libc6:i386 +deb +2\.36-9$/m);
    assert.match(text, /^ {2}↓ {2}bash +deb +5\.2-1 +1:5\.1-1 +-1L$/m);
    assert.match(text, /^ {2}~ {2}example\.com\/tool +golang +\(devel\)/m);
    assert.match(text, /^ {5}tzdata +deb +2024a +2024a$/m);
    assert.match(text, /^ {2}CRITICAL\n {4}\+ CVE-2024-0002 +curl 7\.88\.1-10\n {4}- CVE-2023-9999 +libssl3 3\.0\.11-1 +fixed in 3\.0\.13-1$/m);
    assert.match(text, /1 suppressed finding left out \(1 in app:new, 0 in app:old\)/);
    const changedOnly = renderCompareText(comparison, { ignoreUnchanged: true });
    assert.doesNotMatch(changedOnly, /tzdata/);
    assert.match(changedOnly, / 3 packages unchanged/);
  });

  it('markdown and json', () => {
    const markdown = renderCompareMarkdown(comparison, { ignoreUnchanged: true });
    assert.match(markdown, /^## Comparison of `app:new` with `app:old`$/m);
    assert.match(markdown, /^\| Vulnerabilities \| 1C 1H 3M 0L \(-1H \+2M -1L\) \| 1C 2H 1M 1L \|$/m);
    assert.match(markdown, /^\| ↑ \| libssl3 \| deb \| `3\.0\.15-1` \| `3\.0\.11-1` \| -1C \|$/m);
    assert.match(markdown, /^\| CRITICAL \| \[CVE-2024-0002\]\(https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2024-0002\) \| curl \| `7\.88\.1-10` \| not fixed \|$/m);
    assert.doesNotMatch(markdown, /tzdata/);
    const json = JSON.parse(renderCompareJson(comparison, { ignoreUnchanged: true })) as { packages: PackageChange[]; summary: { packages: { unchanged: number } } };
    assert.ok(json.packages.every((change) => change.change !== 'unchanged'));
    assert.equal(json.summary.packages.unchanged, 3);
  });
});
