// The ignore file: entries by id or alias, narrowed by package URL (any version without one) or a `*`
// pattern, expiring on a day (checked with a fixed `today`), and every bad file refused with one line
// naming it. Findings are built from the fixture database's real records for app-bullseye's packages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { SpyglassError } from '../../src/core/errors.ts';
import type { Finding } from '../../src/core/finding.ts';
import { applyIgnores, loadIgnoreFile, type IgnoreFile } from '../../src/match/ignore.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { findingFromRecords, manifestPackages, packageNamed } from '../helpers/finding-records.ts';

const packages = manifestPackages('app-bullseye');
const packagesById = new Map(packages.map((pkg) => [pkg.id, pkg]));
const suppressed = (findings: Finding[]) => findings.filter((finding) => finding.suppressed).map((finding) => `${finding.id} ${packagesById.get(finding.packageId)!.name}`).sort();

describe('the ignore file', () => {
  let dir: string;
  let store: SqliteAdvisoryStore;
  let findings: Finding[];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  async function refusal(path: string): Promise<string> {
    try {
      await loadIgnoreFile(path);
    } catch (error) {
      assert.ok(error instanceof SpyglassError);
      assert.doesNotMatch(error.message, /\n/);
      return error.message;
    }
    assert.fail(`${path} loaded`);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-ignore-'));
    store = SqliteAdvisoryStore.open(fixtureDatabase());
    const npm = (name: string, ghsa: string) => findingFromRecords(store, packageNamed(packages, name), { source: 'osv', advisoryId: ghsa, namespace: 'npm', packageName: name });
    const deb = (name: string, cve: string) => findingFromRecords(store, packageNamed(packages, name), { source: 'debian-tracker', advisoryId: cve, namespace: 'debian:11', packageName: 'curl' });
    findings = [
      await npm('qs', 'GHSA-hrpp-h998-j3pp'),
      await npm('lodash', 'GHSA-35jh-r3h4-6jhm'),
      await npm('lodash', 'GHSA-p6mc-m468-83gw'),
      await deb('curl', 'CVE-2023-38545'),
      await deb('libcurl4', 'CVE-2023-38545'),
    ];
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('suppresses by id or alias, narrowed by package URL, with the entry\'s reason', async () => {
    const path = write('.spyglassignore.yaml', [
      'ignore:',
      '  - id: CVE-2022-24999',
      '    package: pkg:npm/qs',
      '    reason: qs parses only our own configuration',
      '  - id: ghsa-p6mc-m468-83gw   # an alias of CVE-2020-8203, in any case',
      '    reason: zipObjectDeep is never called',
      '    expires: 2030-01-01',
      '  - id: CVE-2021-23337',
      '    package: pkg:npm/lodash@4.17.21',
      '    reason: only for the fixed version',
      '  - id: CVE-2023-38545',
      '    package: pkg:deb/debian/curl@7.74.0-1.3+deb11u16?arch=amd64',
      '    reason: curl does not use SOCKS5 here',
      '',
    ].join('\n'));
    const ignoreFile = await loadIgnoreFile(path);
    const { findings: applied, warnings } = applyIgnores(findings, packagesById, ignoreFile, new Date('2024-06-15T12:00:00Z'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(suppressed(applied), ['CVE-2020-8203 lodash', 'CVE-2022-24999 qs', 'CVE-2023-38545 curl']);
    assert.deepEqual(applied[0]!.suppressed, { kind: 'ignore', status: 'ignored', reason: 'qs parses only our own configuration', origin: path });
    assert.equal(applied[1], findings[1], 'a finding no entry names is the same value');
  });

  it('matches `*` patterns against the package URL or, without `pkg:`, the package name', () => {
    const file = (pattern: string): IgnoreFile => ({ path: 'p.yaml', entries: [{ id: 'CVE-2023-38545', package: pattern, reason: 'r' }] });
    const today = new Date('2024-06-15T00:00:00Z');
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('pkg:deb/debian/lib*'), today).findings), ['CVE-2023-38545 libcurl4']);
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('pkg:deb/*curl*'), today).findings), ['CVE-2023-38545 curl', 'CVE-2023-38545 libcurl4']);
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('*curl*'), today).findings), ['CVE-2023-38545 curl', 'CVE-2023-38545 libcurl4']);
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('curl'), today).findings), ['CVE-2023-38545 curl']);
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('pkg:npm/*'), today).findings), []);
    // A scoped npm package's purl is percent-encoded (pkg:npm/%40esbuild/linux-x64@0.17.19); the pattern may be written either way.
    const esbuild = packages.find((pkg) => pkg.name === '@esbuild/linux-x64')!;
    const moved = [{ ...findings[0]!, packageId: esbuild.id }];
    const on = (pattern: string) => suppressed(applyIgnores(moved, packagesById, { path: 'p.yaml', entries: [{ id: 'CVE-2022-24999', package: pattern, reason: 'r' }] }, today).findings);
    assert.deepEqual(on('pkg:npm/@esbuild/*'), ['CVE-2022-24999 @esbuild/linux-x64']);
    assert.deepEqual(on('pkg:npm/%40esbuild/*'), ['CVE-2022-24999 @esbuild/linux-x64']);
    assert.deepEqual(on('pkg:npm/@esbuild/linux-x64'), ['CVE-2022-24999 @esbuild/linux-x64']);
    assert.deepEqual(on('@esbuild/*'), ['CVE-2022-24999 @esbuild/linux-x64']);
    // Purl qualifiers are matched when given: app-bullseye's packages are amd64.
    assert.deepEqual(suppressed(applyIgnores(findings, packagesById, file('pkg:deb/debian/libcurl4?arch=arm64'), today).findings), []);
  });

  it('stops applying an entry on its expiry day and says so', () => {
    const ignoreFile: IgnoreFile = {
      path: 'e.yaml',
      entries: [
        { id: 'CVE-2023-38545', package: 'pkg:deb/debian/libcurl4', reason: 'until the next release', expires: '2024-06-01' },
        { id: 'CVE-2022-24999', reason: 'accepted', expires: '2024-06-02' },
      ],
    };
    const before = applyIgnores(findings, packagesById, ignoreFile, new Date('2024-05-31T23:59:59Z'));
    assert.deepEqual(suppressed(before.findings), ['CVE-2022-24999 qs', 'CVE-2023-38545 libcurl4']);
    assert.deepEqual(before.warnings, []);
    const on = applyIgnores(findings, packagesById, ignoreFile, new Date('2024-06-01T00:00:00Z'));
    assert.deepEqual(suppressed(on.findings), ['CVE-2022-24999 qs']);
    assert.deepEqual(on.warnings, ['ignore entry CVE-2023-38545 (pkg:deb/debian/libcurl4) expired on 2024-06-01']);
    const later = applyIgnores(findings, packagesById, ignoreFile, new Date('2025-01-01T08:00:00Z'));
    assert.deepEqual(suppressed(later.findings), []);
    assert.deepEqual(later.warnings, ['ignore entry CVE-2023-38545 (pkg:deb/debian/libcurl4) expired on 2024-06-01', 'ignore entry CVE-2022-24999 expired on 2024-06-02']);
  });

  it('keeps a suppression a finding already has', () => {
    const vex: Finding = { ...findings[0]!, suppressed: { kind: 'vex', status: 'not_affected', reason: 'component_not_present', origin: 'a.vex.json' } };
    const applied = applyIgnores([vex], packagesById, { path: 'i.yaml', entries: [{ id: 'CVE-2022-24999', reason: 'r' }] }, new Date('2024-06-15T00:00:00Z'));
    assert.equal(applied.findings[0], vex);
  });

  it('reads an empty file as no entries', async () => {
    assert.deepEqual(await loadIgnoreFile(write('empty.yaml', '')), { path: join(dir, 'empty.yaml'), entries: [] });
  });

  it('refuses a bad file with one line naming it', async () => {
    const cases: [string, string][] = [
      ['ignore:\n  - id: CVE-2022-24999\n   reason: bad indentation\n', 'not valid YAML: Sequence item without - indicator at line 3, column 1'],
      ['ignore:\n  - id: CVE-2022-24999\n    id: CVE-2021-23337\n    reason: twice\n', 'not valid YAML: Map keys must be unique at line 3, column 5'],
      ['- id: CVE-2022-24999\n', 'the file must be a mapping with an `ignore:` list'],
      ['ignore:\n  - id: CVE-2022-24999\n', 'ignore entry 1 must have required property \'reason\''],
      ['ignore:\n  - id: CVE-2022-24999\n    reason: r\n    expiry: 2024-01-01\n', 'ignore entry 1 must NOT have additional properties (expiry)'],
      ['ignore:\n  - id: CVE-2022-24999\n    reason: r\n  - id: CVE-2021-23337\n    reason: r\n    expires: 2024/01/01\n', 'ignore entry 2: expires must be a date written YYYY-MM-DD'],
      ['ignore:\n  - id: CVE-2022-24999\n    reason: r\n    expires: 2024-02-30\n', 'ignore entry 1: expires 2024-02-30 is not a date'],
      ['ignore:\n  - id: CVE-2022-24999\n    reason: r\n    package: "pkg:npm"\n', 'ignore entry 1: package pkg:npm is not a valid package URL'],
      ['ignore:\n  - id: CVE-2022-24999 CVE-2021-23337\n    reason: r\n', 'ignore entry 1: id must be one id without spaces'],
    ];
    for (const [index, [text, message]] of cases.entries()) {
      const path = write(`bad-${index}.yaml`, text);
      assert.equal(await refusal(path), `ignore file ${path}: ${message}`);
    }
    assert.equal(await refusal(join(dir, 'missing.yaml')), `ignore file ${join(dir, 'missing.yaml')}: no such file`);
  });
});
