// The `cves` filter flags over findings built from the fixture database's real records. What each
// finding is comes from those records: GitHub rates GHSA-hrpp-h998-j3pp (qs) and GHSA-35jh-r3h4-6jhm
// (lodash) HIGH; NVD rates CVE-2023-38545 (curl) 9.8 CRITICAL and FIRST gives it EPSS 0.78483 /
// 0.99572, and Debian's tracker has a fix for it in unstable only (none for bullseye); Debian postponed
// CVE-2024-11053; PYSEC-2023-192 (urllib3) has only a CVSS 3.1 vector (8.1);
// CVE-2021-4034 (policykit-1, DSA-5059-1) is in CISA's KEV catalog and rated by none of these records.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { SpyglassError } from '../../src/core/errors.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { Package } from '../../src/core/package.ts';
import { filterFindings, parseFilters, type FilterOptions, type FindingFilters } from '../../src/report/filter.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { findingFromRecords, manifestPackages, packageNamed } from '../helpers/finding-records.ts';

// policykit-1 is not in the fixture images: bullseye's version before the DSA, as Debian shipped it.
const policykit: Package = {
  id: 'deb:policykit-1@0.105-31:/var/lib/dpkg/status', type: 'deb', name: 'policykit-1', version: '0.105-31', arch: 'amd64',
  purl: 'pkg:deb/debian/policykit-1@0.105-31?arch=amd64&distro=debian-11', licenses: [], locations: [{ path: '/var/lib/dpkg/status', layerDiffId: 'sha256:00' }],
};
const packages = [...manifestPackages('app-bullseye'), policykit];
const packagesById = new Map(packages.map((pkg) => [pkg.id, pkg]));

describe('filtering findings', () => {
  let store: SqliteAdvisoryStore;
  let all: Finding[];
  const named = (findings: Finding[]) => findings.map((finding) => `${finding.id} ${packagesById.get(finding.packageId)!.name}`);
  const keep = (filters: FindingFilters) => named(filterFindings(all, packagesById, filters));

  before(async () => {
    store = SqliteAdvisoryStore.open(fixtureDatabase());
    const record = (name: string, source: string, advisoryId: string, namespace: string, packageName = name) =>
      findingFromRecords(store, name === 'policykit-1' ? policykit : packageNamed(packages, name), { source, advisoryId, namespace, packageName });
    const suppressed = await record('lodash', 'osv', 'GHSA-p6mc-m468-83gw', 'npm');
    all = [
      await record('qs', 'osv', 'GHSA-hrpp-h998-j3pp', 'npm'),
      await record('lodash', 'osv', 'GHSA-35jh-r3h4-6jhm', 'npm'),
      await record('curl', 'debian-tracker', 'CVE-2023-38545', 'debian:11'),
      await record('curl', 'debian-tracker', 'CVE-2024-11053', 'debian:11'),
      await record('urllib3', 'osv', 'PYSEC-2023-192', 'pypi'),
      await record('policykit-1', 'debian-dsa', 'DSA-5059-1', 'debian:11'),
      { ...suppressed, suppressed: { kind: 'ignore', status: 'ignored', reason: 'never called', origin: '.spyglassignore.yaml' } },
    ];
  });
  after(() => store.close());

  it('drops suppressed findings unless asked to show them, and nothing else without filters', () => {
    assert.deepEqual(keep({}), ['CVE-2022-24999 qs', 'CVE-2021-23337 lodash', 'CVE-2023-38545 curl', 'CVE-2024-11053 curl', 'CVE-2023-43804 urllib3', 'CVE-2021-4034 policykit-1']);
    assert.deepEqual(keep({ showSuppressed: true }).length, 7);
    assert.equal(filterFindings(all, packagesById, { showSuppressed: true })[6], all[6]);
  });

  it('--only-severity, with unspecified for findings nobody rates', () => {
    assert.deepEqual(keep({ severities: ['critical'] }), ['CVE-2023-38545 curl']);
    assert.deepEqual(keep({ severities: ['critical', 'high'] }), ['CVE-2022-24999 qs', 'CVE-2021-23337 lodash', 'CVE-2023-38545 curl', 'CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ severities: ['unspecified'] }), ['CVE-2024-11053 curl', 'CVE-2021-4034 policykit-1']);
    assert.deepEqual(keep({ severities: ['medium', 'low'] }), []);
  });

  it('--only-package-type and --only-package (a regular expression over the name)', () => {
    assert.deepEqual(keep({ packageTypes: ['deb'] }), ['CVE-2023-38545 curl', 'CVE-2024-11053 curl', 'CVE-2021-4034 policykit-1']);
    assert.deepEqual(keep({ packageTypes: ['npm', 'pypi'] }), ['CVE-2022-24999 qs', 'CVE-2021-23337 lodash', 'CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ packageName: /^(qs|url)/ }), ['CVE-2022-24999 qs', 'CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ packageName: /kit/, packageTypes: ['npm'] }), []);
  });

  it('--only-cve-id by id or alias, in any case', () => {
    assert.deepEqual(keep({ ids: ['GHSA-hrpp-h998-j3pp', 'cve-2023-38545'] }), ['CVE-2022-24999 qs', 'CVE-2023-38545 curl']);
    assert.deepEqual(keep({ ids: ['DSA-5059-1'] }), ['CVE-2021-4034 policykit-1']);
    assert.deepEqual(keep({ ids: ['PYSEC-2023-192', 'GHSA-v845-jxx5-vc9f'] }), ['CVE-2023-43804 urllib3']);
  });

  it('--only-fixed, --only-unfixed, --only-cisa-kev', () => {
    assert.deepEqual(keep({ onlyFixed: true }), ['CVE-2022-24999 qs', 'CVE-2021-23337 lodash', 'CVE-2023-43804 urllib3', 'CVE-2021-4034 policykit-1']);
    assert.deepEqual(keep({ onlyUnfixed: true }), ['CVE-2023-38545 curl', 'CVE-2024-11053 curl']);
    assert.deepEqual(keep({ onlyCisaKev: true }), ['CVE-2021-4034 policykit-1']);
  });

  it('--only-metric: every metric given is in the shown CVSS vector', () => {
    assert.deepEqual(keep({ metrics: ['AV:N', 'PR:N'] }), ['CVE-2022-24999 qs', 'CVE-2023-38545 curl']);
    assert.deepEqual(keep({ metrics: ['C:H'] }), ['CVE-2021-23337 lodash', 'CVE-2023-38545 curl', 'CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ metrics: ['pr:l', 'a:n'] }), ['CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ metrics: ['AV:L'] }), []);
  });

  it('--epss-score and --epss-percentile are minimums; no EPSS data does not pass', () => {
    assert.deepEqual(keep({ epssScore: 0.78483 }), ['CVE-2023-38545 curl']);
    assert.deepEqual(keep({ epssScore: 0.79 }), []);
    assert.deepEqual(keep({ epssPercentile: 0.99 }), ['CVE-2023-38545 curl']);
    assert.deepEqual(keep({ epssPercentile: 0.996 }), []);
    assert.deepEqual(keep({ epssScore: 0 }), ['CVE-2023-38545 curl']);
  });

  it('needs every filter given to hold', () => {
    assert.deepEqual(keep({ severities: ['critical', 'high'], packageTypes: ['deb', 'pypi'], metrics: ['AV:N'] }), ['CVE-2023-38545 curl', 'CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ severities: ['critical', 'high'], packageTypes: ['deb', 'pypi'], onlyFixed: true, metrics: ['AV:N'] }), ['CVE-2023-43804 urllib3']);
    assert.deepEqual(keep({ severities: ['critical', 'high'], packageTypes: ['deb', 'pypi'], onlyUnfixed: true, metrics: ['AV:N'] }), ['CVE-2023-38545 curl']);
  });
});

describe('parsing the filter flags', () => {
  it('turns the CLI\'s strings into filters', () => {
    const options: FilterOptions = {
      onlySeverity: 'critical, High', onlyPackageType: 'deb,NPM', onlyPackage: '^lib(ssl|crypto)', onlyCveId: 'CVE-2023-38545,GHSA-hrpp-h998-j3pp',
      onlyFixed: true, onlyCisaKev: true, onlyMetric: 'AV:N,PR:N', epssScore: '0.5', epssPercentile: '0', showSuppressed: true, onlyVulnPackages: true,
    };
    const filters = parseFilters(options);
    assert.equal(filters.packageName?.test('libssl1.1'), true);
    assert.equal(filters.packageName?.test('openssl'), false);
    assert.deepEqual({ ...filters, packageName: undefined }, {
      severities: ['critical', 'high'], packageTypes: ['deb', 'npm'], packageName: undefined, ids: ['CVE-2023-38545', 'GHSA-hrpp-h998-j3pp'], onlyFixed: true, onlyCisaKev: true,
      metrics: ['AV:N', 'PR:N'], epssScore: 0.5, epssPercentile: 0, showSuppressed: true, onlyVulnPackages: true,
    });
    assert.deepEqual(parseFilters({}), {});
    assert.deepEqual(parseFilters({ onlySeverity: ['low', 'medium,unspecified'] }).severities, ['low', 'medium', 'unspecified']);
    const either = parseFilters({ onlyPackage: ['^qs$', 'lodash'] }).packageName!;
    assert.deepEqual(['qs', 'lodash.once', 'qss'].map((name) => either.test(name)), [true, true, false]);
  });

  it('refuses bad values with one line naming the flag', () => {
    const refused = (options: FilterOptions): string => {
      try {
        parseFilters(options);
      } catch (error) {
        assert.ok(error instanceof SpyglassError);
        assert.doesNotMatch(error.message, /\n/);
        return error.message;
      }
      assert.fail(`${JSON.stringify(options)} was accepted`);
    };
    assert.equal(refused({ onlySeverity: 'critical,severe' }), '--only-severity: unknown severity "severe" (known: critical, high, medium, low, unspecified)');
    assert.equal(refused({ onlySeverity: ' , ' }), '--only-severity: no value given');
    assert.equal(refused({ onlyPackageType: 'deb,apt' }), '--only-package-type: unknown package type "apt" (known: deb, apk, rpm, npm, pypi, maven, golang, cargo, gem, composer, nuget)');
    assert.match(refused({ onlyPackage: 'lib(ssl' }), /^--only-package: invalid regular expression "lib\(ssl" \(.+\)$/);
    for (const value of ['1.5', '-0.1', 'abc', '']) assert.equal(refused({ epssScore: value }), `--epss-score: ${JSON.stringify(value)} is not a number from 0 to 1`);
    assert.equal(refused({ epssPercentile: '95' }), '--epss-percentile: "95" is not a number from 0 to 1');
    assert.equal(refused({ onlyMetric: 'AV:N,PRN' }), '--only-metric: "PRN" is not a CVSS metric such as AV:N');
    assert.equal(refused({ onlyFixed: true, onlyUnfixed: true }), '--only-fixed and --only-unfixed together would leave nothing: give one of them');
  });
});
