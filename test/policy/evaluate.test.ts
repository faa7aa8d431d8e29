// Every policy on the app-bullseye fixture image as the matcher scans it, each verdict derived apart from
// src/policy: fixable/high-profile/custom from the findings the raw advisory files give
// (helpers/expected-findings.ts) with CISA's KEV file and the EPSS CSV read here, the base's packages from
// the fixture manifest's introducing layers, the outdated base from catalog records of the fixture
// images (debian:bullseye-slim moved from debian-bullseye-base to debian-bullseye-refreshed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Finding, VulnerabilityReport } from '../../src/core/finding.ts';
import { scanSbom } from '../../src/match/scan.ts';
import { evaluatePolicies, fixAgeDays, isRootUser } from '../../src/policy/evaluate.ts';
import { baseFacts } from '../../src/policy/facts.ts';
import { DEFAULT_POLICIES } from '../../src/policy/file.ts';
import type { BaseFacts, Policy, PolicyInput, PolicyResult } from '../../src/policy/model.ts';
import { fixtureRecord, InMemoryBaseImageCatalog } from '../helpers/base-catalog.ts';
import { expectedFindings, fixtureManifest } from '../helpers/expected-findings.ts';
import { DATA, fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage } from '../helpers/fixtures.ts';
import { fixtureImageSbom } from '../helpers/sbom.ts';

const IMAGE = 'app-bullseye';
const NOW = new Date('2026-10-01T00:00:00Z');
const DEBIAN = 'docker.io/library/debian';

let report: VulnerabilityReport;
let store: SqliteAdvisoryStore;
before(async () => {
  store = SqliteAdvisoryStore.open(fixtureDatabase());
  report = await scanSbom(await fixtureImageSbom(IMAGE), store);
});
after(async () => {
  await store.close();
});

const catalogOf = (refreshed: boolean) => new InMemoryBaseImageCatalog([
  fixtureRecord('debian-bullseye-base', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2025-01-01T00:00:00.000Z' }),
  ...(refreshed ? [fixtureRecord('debian-bullseye-refreshed', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2026-09-20T00:00:00.000Z' })] : []),
]);

function input(base: BaseFacts, extra: Partial<PolicyInput> = {}): PolicyInput {
  return { report, config: {}, attestations: { sbom: false, provenance: [] }, base, now: NOW, ...extra };
}

const UNKNOWN_BASE: BaseFacts = { known: false, reason: 'no annotation' };

function evaluate(policy: Policy, base: BaseFacts = UNKNOWN_BASE, extra: Partial<PolicyInput> = {}): PolicyResult {
  return evaluatePolicies([policy], input(base, extra))[0]!;
}

/** `name@version id` of each vulnerability violation. */
function violationKeys(result: PolicyResult): string[] {
  const packages = new Map(report.packages.map((pkg) => [pkg.id, pkg]));
  return [...new Set(result.violations.map((violation) => {
    const pkg = packages.get(violation.packageId!)!;
    return `${pkg.name}@${pkg.version} ${violation.vulnerability}`;
  }))].sort();
}

/** The report's rating of a (package, version, id), for the severity half of the rule. */
function ratingOf(key: string): string | undefined {
  const packages = new Map(report.packages.map((pkg) => [pkg.id, pkg]));
  const finding = report.findings.find((candidate: Finding) => {
    const pkg = packages.get(candidate.packageId)!;
    return `${pkg.name}@${pkg.version} ${candidate.id}` === key;
  });
  return finding?.rating?.level;
}

const expected = () => expectedFindings(IMAGE);
const keyOf = (row: { package: string; version: string; id: string }) => `${row.package}@${row.version} ${row.id}`;

describe('policies on app-bullseye', () => {
  it('fixable-critical-high: exactly the fixed findings of the raw advisories that are rated critical or high', () => {
    const result = evaluate(DEFAULT_POLICIES[0]!);
    const fixed = [...new Set(expected().filter((row) => row.status === 'fixed').map(keyOf))];
    const wanted = fixed.filter((key) => ['critical', 'high'].includes(ratingOf(key) ?? '')).sort();
    assert.ok(wanted.length > 0);
    assert.equal(result.status, 'failed');
    assert.deepEqual(violationKeys(result), wanted);
    // A fix age no advisory reaches leaves nothing.
    assert.equal(evaluate({ ...DEFAULT_POLICIES[0]!, fixAgeDays: 100_000 } as Policy).status, 'met');
  });

  it('fixable-critical-high with ignoreBase: without the packages the base layer introduced (manifest), unknown without a base', async () => {
    const policy = { ...DEFAULT_POLICIES[0]!, ignoreBase: true } as Policy;
    const unknown = evaluate(policy);
    assert.equal(unknown.status, 'unknown');
    assert.match(unknown.summary, /base image is unknown/);
    const base = await baseFacts(report, [], catalogOf(false));
    assert.equal(base.known, true);
    const manifest = expectedImage(IMAGE) as ReturnType<typeof expectedImage> & { packages: { name: string; version: string; introducedLayerDiffId?: string }[] };
    const fromBase = new Set(manifest.packages.filter((pkg) => pkg.introducedLayerDiffId === manifest.layers[0]!.diffId).map((pkg) => `${pkg.name}@${pkg.version}`));
    const all = violationKeys(evaluate(DEFAULT_POLICIES[0]!));
    const wanted = all.filter((key) => !fromBase.has(key.split(' ')[0]!));
    assert.ok(wanted.length > 0 && wanted.length < all.length);
    assert.deepEqual(violationKeys(evaluate(policy, base)), wanted);
  });

  it('high-profile: the findings whose id is in CISA KEV (the raw KEV file), and the organization\'s list', () => {
    const kev = new Set((JSON.parse(readFileSync(join(DATA, 'scoring/kev/known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: { cveID: string }[] }).vulnerabilities.map((entry) => entry.cveID));
    const wanted = [...new Set(expected().filter((row) => kev.has(row.id)).map(keyOf))].sort();
    assert.ok(wanted.length > 0);
    const result = evaluate(DEFAULT_POLICIES[1]!);
    assert.equal(result.status, 'failed');
    assert.deepEqual(violationKeys(result), wanted);
    const listed = evaluate({ type: 'high-profile', name: 'list', kev: false, ids: ['cve-2021-23337'] });
    assert.deepEqual(violationKeys(listed), ['lodash@4.17.15 CVE-2021-23337']);
    assert.match(listed.violations[0]!.text, /CVE-2021-23337 is on the organization's list/);
    assert.equal(evaluate({ type: 'high-profile', name: 'none', kev: false, ids: ['CVE-1999-0001'] }).status, 'met');
  });

  it('custom-vulnerability: EPSS score threshold (the raw EPSS CSV) combined with package type and fix status', () => {
    const scores = new Map(readFileSync(join(DATA, 'scoring/epss/epss_scores-current.selected-rows.csv'), 'utf8').split('\n')
      .filter((line) => line.startsWith('CVE-')).map((line) => line.split(',')).map(([cve, score]) => [cve!, Number(score)]));
    const types = new Map(fixtureManifest(IMAGE).packages.map((pkg) => [`${pkg.name}@${pkg.version}`, pkg.type]));
    const rows = expected().filter((row) => (scores.get(row.id) ?? -1) >= 0.1);
    const wanted = [...new Set(rows.map(keyOf))].sort();
    assert.ok(wanted.length > 0 && wanted.length < expected().length);
    const result = evaluate({ type: 'custom-vulnerability', name: 'exploitable', epssScore: 0.1 });
    assert.equal(result.status, 'failed');
    assert.deepEqual(violationKeys(result), wanted);
    assert.match(result.violations[0]!.text, /EPSS 0\.\d+/);
    const npmFixed = [...new Set(rows.filter((row) => types.get(`${row.package}@${row.version}`) === 'npm' && row.status === 'fixed').map(keyOf))].sort();
    assert.deepEqual(violationKeys(evaluate({ type: 'custom-vulnerability', name: 'npm', epssScore: 0.1, packageTypes: ['npm'], fixStatus: 'fixed' })), npmFixed);
    assert.equal(evaluate({ type: 'custom-vulnerability', name: 'none', epssScore: 1, packageTypes: ['cargo'] }).status, 'met');
  });

  it('copyleft: no package of the fixture requires AGPL (default); a listed MPL-2.0 fails only the packages that need it', () => {
    const result = evaluate(DEFAULT_POLICIES[2]!);
    assert.equal(result.status, 'met');
    const mpl = evaluate({ type: 'copyleft', name: 'mpl', licenses: ['MPL-2.0'] });
    // Expected from the packages' own declared licences with the documented rule, written out here.
    const wanted = report.packages.filter((pkg) => pkg.licenses.some((license) => license === 'MPL-2.0')).map((pkg) => pkg.id).sort();
    assert.deepEqual(mpl.violations.map((violation) => violation.packageId).sort(), wanted);
    assert.equal(mpl.status, wanted.length > 0 ? 'failed' : 'met');
  });

  it('non-root-user: the fixture config sets no User (root) → failed; a user → met; an SBOM input → unknown', () => {
    const config = JSON.parse(readFileSync(join(DATA, '../fixtures/images/oci/blobs/sha256', expectedImage(IMAGE).configDigest.slice(7)), 'utf8')) as { config: { User?: string } };
    assert.equal(config.config.User, undefined);
    const policy = DEFAULT_POLICIES[3]!;
    assert.equal(evaluate(policy).status, 'failed');
    assert.deepEqual(evaluate(policy, UNKNOWN_BASE, { config: { user: '0:0' } }).violations.map((violation) => violation.text), ['config User: 0:0']);
    assert.equal(evaluate(policy, UNKNOWN_BASE, { config: { user: 'app' } }).status, 'met');
    assert.equal(evaluate(policy, UNKNOWN_BASE, { config: { user: '1000:0' } }).status, 'met');
    const { config: _config, ...withoutConfig } = input(UNKNOWN_BASE);
    assert.equal(evaluatePolicies([policy], withoutConfig)[0]!.status, 'unknown');
    assert.deepEqual(['root', '0', '0:0', 'root:root', '', 'app', '1000'].map(isRootUser), [true, true, true, true, true, false, false]);
  });

  it('supply-chain: both attestations missing, only the SBOM missing, provenance without max mode', () => {
    const policy = DEFAULT_POLICIES[4]!;
    assert.deepEqual(evaluate(policy).violations.map((violation) => violation.text), ['no SBOM attestation', 'no provenance attestation']);
    const min = { predicateType: 'https://slsa.dev/provenance/v0.2', mode: 'min' as const, manifestDigest: 'sha256:1' };
    assert.match(evaluate(policy, UNKNOWN_BASE, { attestations: { sbom: true, provenance: [min] } }).violations[0]!.text, /mode=min/);
    assert.equal(evaluate({ ...policy, provenanceMode: 'min' } as Policy, UNKNOWN_BASE, { attestations: { sbom: true, provenance: [min] } }).status, 'met');
    assert.equal(evaluate(policy, UNKNOWN_BASE, { attestations: { sbom: true, provenance: [{ ...min, mode: 'max' }] } }).status, 'met');
  });

  it('outdated-base: bullseye-slim moved to debian-bullseye-refreshed → failed; not moved → met; within maxAgeDays → met; no base → unknown', async () => {
    const policy = DEFAULT_POLICIES[5]!;
    const moved = evaluate(policy, await baseFacts(report, [], catalogOf(true)));
    assert.equal(moved.status, 'failed');
    assert.equal(moved.violations.length, 1);
    assert.ok(moved.violations[0]!.text.includes(expectedImage('debian-bullseye-refreshed').manifestDigest));
    assert.ok(moved.violations[0]!.text.includes(expectedImage('debian-bullseye-base').manifestDigest));
    assert.equal(evaluate(policy, await baseFacts(report, [], catalogOf(false))).status, 'met');
    assert.equal(evaluate({ ...policy, maxAgeDays: 30 } as Policy, await baseFacts(report, [], catalogOf(true))).status, 'met');
    assert.equal(evaluate({ ...policy, maxAgeDays: 5 } as Policy, await baseFacts(report, [], catalogOf(true))).status, 'failed');
    const unknown = evaluate(policy);
    assert.equal(unknown.status, 'unknown');
    assert.match(unknown.summary, /no annotation/);
    const noCatalog = evaluate(policy, await baseFacts(report, [], undefined));
    assert.equal(noCatalog.status, 'unknown');
  });

  it('approved-base: globs over the full and the familiar name, regular expressions, repository-only patterns', async () => {
    const base = await baseFacts(report, [], catalogOf(false));
    const verdict = (patterns: string[]) => evaluate({ type: 'approved-base', name: 'approved', patterns }, base).status;
    assert.equal(verdict(['docker.io/library/debian:bullseye-*']), 'met');
    assert.equal(verdict(['debian:*-slim']), 'met');
    assert.equal(verdict(['debian']), 'met');
    assert.equal(verdict(['/^debian:bull/']), 'met');
    assert.equal(verdict(['debian:bookworm*', 'alpine', '/^ubuntu/']), 'failed');
    assert.equal(verdict(['debia?:bullseye-slim']), 'met');
    assert.equal(evaluate({ type: 'approved-base', name: 'approved', patterns: ['debian'] }).status, 'unknown');
  });
});

describe('fix age', () => {
  const finding = (published?: string, modified?: string): Finding => ({
    id: 'CVE-1', aliases: [], packageId: 'p', status: 'fixed', fixedVersions: ['2'], affectedRange: '< 2',
    matches: [{ source: 'osv', advisoryId: 'GHSA-1', namespace: 'npm', packageName: 'p', rule: 'ecosystem-range', installedVersion: '1', status: 'affected', comparison: '', affectedRange: '< 2', fixedVersions: ['2'] }],
    sources: [{ source: 'nvd', id: 'CVE-1', aliases: [], published: '2000-01-01T00:00:00Z', severity: [], references: [] },
      { source: 'osv', id: 'GHSA-1', aliases: [], ...(published ? { published } : {}), ...(modified ? { modified } : {}), severity: [], references: [] }],
  });
  it('counts from the fixing source\'s published date, else its modified date, else 0', () => {
    assert.equal(fixAgeDays(finding('2026-09-01T00:00:00Z', '2026-09-20T00:00:00Z'), NOW), 30);
    assert.equal(fixAgeDays(finding(undefined, '2026-09-21T00:00:00Z'), NOW), 10);
    assert.equal(fixAgeDays(finding(), NOW), 0);
  });
});

describe('fix age placeholders', () => {
  it('a 0001-01-01 published date (Go\'s zero time) is no date: the modified date, else 0', () => {
    const base: Finding = {
      id: 'CVE-1', aliases: [], packageId: 'p', status: 'fixed', fixedVersions: ['2'], affectedRange: '< 2',
      matches: [{ source: 'osv', advisoryId: 'GO-1', namespace: 'Go', packageName: 'p', rule: 'ecosystem-range', installedVersion: '1', status: 'affected', comparison: '', affectedRange: '< 2', fixedVersions: ['2'] }],
      sources: [{ source: 'osv', id: 'GO-1', aliases: [], published: '0001-01-01T00:00:00Z', modified: '2026-09-11T00:00:00Z', severity: [], references: [] }],
    };
    assert.equal(fixAgeDays(base, NOW), 20);
    assert.equal(fixAgeDays({ ...base, sources: [{ ...base.sources[0]!, modified: '0001-01-01T00:00:00Z' }] }, NOW), 0);
  });
});
