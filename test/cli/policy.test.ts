// `spyglass policy IMAGE` as a user runs it: the default policies on the fixture images (verdicts from the
// fixtures: the configs set no User, no attestations are attached, no package is AGPL, app-bullseye has
// fixable high vulnerabilities and KEV entries in the raw advisory files), the outdated base against a
// catalog where debian:bullseye-slim moved to debian-bullseye-refreshed, provenance attached the way
// BuildKit attaches it, every output format, the exit code, and a bad policy file refused in one line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { imageMaterial, provenanceV02, provenanceV1, twoStageLlb, writeAttestedLayout } from '../helpers/provenance.ts';

interface PolicyJson {
  schemaVersion: number;
  target: { name: string; digest?: string };
  baseImage?: { name: string };
  policySource: string;
  summary: { met: number; failed: number; unknown: number; total: number };
  policies: { name: string; type: string; status: string; summary: string; violations: { kind: string; text: string; vulnerability?: string }[] }[];
}

let work: string;
let env: NodeJS.ProcessEnv;
let catalogEnv: NodeJS.ProcessEnv;
const APP_BULLSEYE = [`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye'];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-policy-cli-'));
  env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
  catalogEnv = { ...env, SPYGLASS_DATA_DIR: dataDir };
  // The tag first at the base app-bullseye was built on, then refreshed.
  for (const ref of ['debian-bullseye-base', 'debian-bullseye-refreshed']) {
    const added = runCli(['base-images', 'add', `oci-dir://${FIXTURE_OCI}`, '--ref', ref, '--as', 'debian:bullseye-slim'], { env: catalogEnv });
    assert.equal(added.status, 0, added.stderr);
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

function policyJson(args: string[], runEnv = env): PolicyJson {
  const result = runCli(['policy', ...args, '--format', 'json'], { env: runEnv });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as PolicyJson;
}

const statuses = (report: PolicyJson) => Object.fromEntries(report.policies.map((policy) => [policy.type, policy.status]));

describe('spyglass policy', () => {
  it('default policies on app-bullseye without a catalog: outdated base unknown, never met', () => {
    const report = policyJson(APP_BULLSEYE);
    assert.equal(report.policySource, 'default');
    assert.deepEqual(statuses(report), {
      'fixable-critical-high': 'failed', 'high-profile': 'failed', copyleft: 'met', 'non-root-user': 'failed', 'supply-chain': 'failed', 'outdated-base': 'unknown',
    });
    assert.deepEqual(report.summary, { met: 1, failed: 4, unknown: 1, total: 6 });
    const nonRoot = report.policies.find((policy) => policy.type === 'non-root-user')!;
    assert.deepEqual(nonRoot.violations.map((violation) => violation.text), ['config User: not set (root)']);
    const supply = report.policies.find((policy) => policy.type === 'supply-chain')!;
    assert.deepEqual(supply.violations.map((violation) => violation.text), ['no SBOM attestation', 'no provenance attestation']);
    assert.ok(report.policies.find((policy) => policy.type === 'high-profile')!.violations.some((violation) => violation.vulnerability === 'CVE-2023-4911'));
  });

  it('with the catalog: app-bullseye\'s base debian:bullseye-slim now points at debian-bullseye-refreshed → outdated base failed', () => {
    const report = policyJson([...APP_BULLSEYE, '--only-policy', 'outdated-base'], catalogEnv);
    assert.equal(report.policies.length, 1);
    const outdated = report.policies[0]!;
    assert.equal(outdated.status, 'failed');
    assert.match(outdated.violations[0]!.text, new RegExp(`uses ${expectedImage('debian-bullseye-base').manifestDigest}, the tag now points at ${expectedImage('debian-bullseye-refreshed').manifestDigest}`));
  });

  it('a policy file: approved-base and a custom policy; text output lists each policy with its mark', () => {
    const file = join(work, 'policies.yaml');
    writeFileSync(file, 'policies:\n  - type: approved-base\n    patterns: ["debian:bullseye-*"]\n  - type: approved-base\n    name: Only Alpine\n    patterns: ["/^alpine:/"]\n  - type: custom-vulnerability\n    name: No critical npm\n    severities: [critical]\n    packageTypes: [npm]\n');
    const report = policyJson([...APP_BULLSEYE, '--policy-file', file], catalogEnv);
    assert.deepEqual(report.policies.map((policy) => `${policy.name}: ${policy.status}`), ['Approved base images: met', 'Only Alpine: failed', 'No critical npm: met']);
    const text = runCli(['policy', ...APP_BULLSEYE, '--policy-file', file], { env: catalogEnv });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Policy status {2}2\/3 policies met/);
    assert.match(text.stdout, /✓ met {6}Approved base images\n/);
    assert.match(text.stdout, /✗ failed {3}Only Alpine\n.*matches no approved pattern\n.*• debian:bullseye-slim \(by annotation\): none of \/\^alpine:\/ matches/);
  });

  it('provenance attached with the build graph (mode=max) but no SBOM attestation: only the SBOM is missing; mode=min is said', () => {
    const appBookworm = expectedImage('app-bookworm');
    const bookwormBase = expectedImage('debian-bookworm-base');
    const golang = `sha256:${'1'.repeat(64)}`;
    const max = join(work, 'max');
    writeAttestedLayout(max, 'app-bookworm', [provenanceV1({
      manifestDigest: appBookworm.manifestDigest,
      materials: [imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest), imageMaterial('golang', '1.20', golang)],
      llb: twoStageLlb({ golang: `docker-image://docker.io/library/golang:1.20@${golang}`, base: `docker-image://docker.io/library/debian:bookworm-slim@${bookwormBase.manifestDigest}` }),
    })]);
    const withMax = policyJson([`oci-dir://${max}`, '--only-policy', 'supply-chain']);
    assert.deepEqual(withMax.policies[0]!.violations.map((violation) => violation.text), ['no SBOM attestation']);
    const min = join(work, 'min');
    writeAttestedLayout(min, 'app-bookworm', [provenanceV02({ manifestDigest: appBookworm.manifestDigest, materials: [imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest)] })]);
    const withMin = policyJson([`oci-dir://${min}`, '--only-policy', 'supply-chain']);
    assert.equal(withMin.policies[0]!.violations.length, 2);
    assert.match(withMin.policies[0]!.violations[1]!.text, /mode=min \(no build definition\); mode=max is required/);
  });

  it('--exit-code: 2 when a policy fails, 0 when every selected one is met', () => {
    const failing = runCli(['policy', ...APP_BULLSEYE, '--only-policy', 'non-root-user', '-e'], { env });
    assert.equal(failing.status, 2, failing.stderr);
    assert.match(failing.stdout, /✗ failed {3}Default non-root user/);
    const met = runCli(['policy', ...APP_BULLSEYE, '--only-policy', 'copyleft', '--exit-code'], { env });
    assert.equal(met.status, 0, met.stderr);
    assert.equal(runCli(['policy', ...APP_BULLSEYE, '--only-policy', 'non-root-user'], { env }).status, 0);
  });

  it('markdown and SARIF (one rule per policy type)', () => {
    const markdown = runCli(['policy', ...APP_BULLSEYE, '--format', 'markdown'], { env });
    assert.equal(markdown.status, 0, markdown.stderr);
    assert.match(markdown.stdout, /^## Policy status for app-bullseye\n\n\*\*1\/6 policies met\*\* \(1 unknown\)/);
    assert.match(markdown.stdout, /\| ✗ failed \| Default non-root user \| the image sets no default user, so it runs as root \|/);
    const sarif = runCli(['policy', ...APP_BULLSEYE, '--format', 'sarif'], { env });
    assert.equal(sarif.status, 0, sarif.stderr);
    const log = JSON.parse(sarif.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0]!.tool.driver.rules.map((rule) => rule.id), ['policy/fixable-critical-high', 'policy/high-profile', 'policy/copyleft', 'policy/non-root-user', 'policy/supply-chain', 'policy/outdated-base']);
    assert.deepEqual(log.runs[0]!.results.map((result) => `${result.ruleId} ${result.level}`), [
      'policy/fixable-critical-high error', 'policy/high-profile error', 'policy/non-root-user error', 'policy/supply-chain error', 'policy/outdated-base note',
    ]);
  });

  it('a bad policy file: one line naming file, line and field; exit 1; nothing evaluated', () => {
    const file = join(work, 'bad.yaml');
    writeFileSync(file, 'policies:\n  - type: copyleft\n    licenses:\n      - AGPL-3.0-only\n      - Affero\n');
    const result = runCli(['policy', ...APP_BULLSEYE, '--policy-file', file, '-e'], { env });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `spyglass: policy file ${file}:5: policies[0].licenses[1]: "Affero" is not an SPDX licence id (see spdx.org/licenses; e.g. AGPL-3.0-only)\n`);
    const unknown = runCli(['policy', ...APP_BULLSEYE, '--only-policy', 'nope'], { env });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^spyglass: --only-policy nope: no such policy/);
  });

  it('quickview shows the policy status line, with --policy-file too', () => {
    const text = runCli(['quickview', ...APP_BULLSEYE], { env });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\n {2}Policy status {2}1\/6 policies met \(1 unknown\)\n/);
    const file = join(work, 'one.yaml');
    writeFileSync(file, 'policies:\n  - type: copyleft\n');
    const json = runCli(['quickview', ...APP_BULLSEYE, '--policy-file', file, '--format', 'json'], { env });
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as { policy: unknown }).policy, { met: 1, total: 1, policies: [{ name: 'No copyleft licenses', status: 'met' }] });
  });

  it('compare shows the policy delta per policy (app-bookworm against app-bullseye, with the catalog)', () => {
    const args = ['compare', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', '--to', `oci-dir://${FIXTURE_OCI}`, '--to-ref', 'app-bullseye'];
    const json = runCli([...args, '--format', 'json'], { env: catalogEnv });
    assert.equal(json.status, 0, json.stderr);
    const deltas = (JSON.parse(json.stdout) as { policies: { type: string; change: string; image: { status: string }; other: { status: string } }[] }).policies;
    const byType = Object.fromEntries(deltas.map((delta) => [delta.type, `${delta.other.status} → ${delta.image.status}: ${delta.change}`]));
    // Both run as root and carry no attestations; app-bullseye's base moved in the catalog, app-bookworm's base is not catalogued.
    assert.equal(byType['non-root-user'], 'failed → failed: unchanged');
    assert.equal(byType['supply-chain'], 'failed → failed: unchanged');
    assert.equal(byType.copyleft, 'met → met: unchanged');
    assert.equal(byType['outdated-base'], 'failed → unknown: unknown');
    const text = runCli(args, { env: catalogEnv });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\n {2}Policies \(app-bookworm against app-bullseye\)\n\n {2}[↑↓=] /);
    assert.match(text.stdout, / {2}= unchanged {2}Default non-root user +failed \(1\) → failed \(1\)\n/);
  });

  it('an SBOM input: the default user, the attestations and the base are unknown, never met', () => {
    const sbom = join(work, 'app-bookworm.cdx.json');
    const made = runCli(['sbom', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', '--format', 'cyclonedx', '-o', sbom], { env });
    assert.equal(made.status, 0, made.stderr);
    const report = policyJson([`sbom://${sbom}`, '--only-policy', 'non-root-user,supply-chain,outdated-base']);
    assert.deepEqual(report.policies.map((policy) => policy.status), ['unknown', 'unknown', 'unknown']);
    assert.match(report.policies[0]!.summary, /^no image config \(an SBOM input\)/);
  });
});
