// `spyglass cves` and `spyglass quickview` as a user runs them, on the fixture images with the database
// built from every shared feed. Which findings are right is fixture-findings.test.ts's job (computed from
// the raw files); here the expected sets come from that same independent computation.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli } from '../helpers/cli.ts';
import { expectedFindings, findingKey } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { FIXTURE_OCI, PROJECT_ROOT } from '../helpers/fixtures.ts';

interface ReportVulnerability {
  id: string;
  aliases: string[];
  package: { name: string; version: string; type: string; purl: string };
  status: string;
  fixedVersions: string[];
  severity: string;
  suppressed?: { kind: string; status: string };
}
interface ReportJson {
  vulnerabilities: ReportVulnerability[];
  summary: Record<string, number>;
  warnings: string[];
}

const IMAGE = [`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye'];

let work: string;
let env: NodeJS.ProcessEnv;
let report: ReportJson;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-cves-cli-'));
  env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
  const result = runCli(['cves', ...IMAGE, '--format', 'json'], { env });
  assert.equal(result.status, 0, result.stderr);
  report = JSON.parse(result.stdout) as ReportJson;
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The findings of a JSON report in the shape of the independent computation (one row per package name@version and id). */
function keys(vulnerabilities: ReportVulnerability[]): string[] {
  const rows = vulnerabilities.map((vulnerability) => findingKey({
    id: vulnerability.id,
    package: vulnerability.package.name,
    version: vulnerability.package.version,
    fixed: vulnerability.fixedVersions[0] ?? null,
    status: vulnerability.status as 'fixed' | 'not-fixed',
  }));
  return [...new Set(rows)].sort();
}

describe('spyglass cves', () => {
  it('reports exactly the findings computed from the raw advisory files, in a report valid against docs/report.schema.json', () => {
    assert.deepEqual(keys(report.vulnerabilities), expectedFindings('app-bullseye').map(findingKey).sort());
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs/report.schema.json'), 'utf8')) as object);
    assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('scanning the SBOM Spyglass exported for the image (SPDX, CycloneDX, Spyglass JSON) gives identical findings', () => {
    const rows = (document: ReportJson) => document.vulnerabilities.map((v) => `${v.package.purl} ${v.id} ${v.status} ${v.fixedVersions.join(',')} ${v.severity}`).sort();
    for (const format of ['spdx', 'cyclonedx', 'json']) {
      const sbomFile = join(work, `app-bullseye.${format}.json`);
      const exported = runCli(['sbom', ...IMAGE, '--format', format, '-o', sbomFile], { env });
      assert.equal(exported.status, 0, exported.stderr);
      const fromSbom = runCli(['cves', `sbom://${sbomFile}`, '--format', 'json'], { env });
      assert.equal(fromSbom.status, 0, fromSbom.stderr);
      assert.deepEqual(rows(JSON.parse(fromSbom.stdout) as ReportJson), rows(report), format);
    }
  });

  it('filters, and -e exits 2 only while vulnerabilities remain', () => {
    const critical = runCli(['cves', ...IMAGE, '--format', 'json', '--only-severity', 'critical', '-e'], { env });
    assert.equal(critical.status, 2, critical.stderr);
    const criticalReport = JSON.parse(critical.stdout) as ReportJson;
    assert.ok(criticalReport.vulnerabilities.length > 0);
    assert.ok(criticalReport.vulnerabilities.every((v) => v.severity === 'critical'));
    assert.deepEqual(keys(criticalReport.vulnerabilities), keys(report.vulnerabilities.filter((v) => v.severity === 'critical')));
    const none = runCli(['cves', ...IMAGE, '--format', 'json', '--only-cve-id', 'CVE-1999-0001', '-e'], { env });
    assert.equal(none.status, 0, none.stderr);
    assert.deepEqual((JSON.parse(none.stdout) as ReportJson).vulnerabilities, []);
    const npm = runCli(['cves', ...IMAGE, '--format', 'json', '--only-package-type', 'npm', '--only-fixed'], { env });
    assert.ok((JSON.parse(npm.stdout) as ReportJson).vulnerabilities.every((v) => v.package.type === 'npm' && v.status === 'fixed'));
  });

  it('an OpenVEX not_affected statement suppresses a finding; --show-suppressed shows it marked', () => {
    const target = report.vulnerabilities.find((v) => v.package.type === 'npm')!;
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'Spyglass tests',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [{
        vulnerability: { name: target.id },
        products: [{ '@id': target.package.purl }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      }],
    };
    const vexFile = join(work, 'app.vex.json');
    writeFileSync(vexFile, JSON.stringify(vex));
    const hidden = JSON.parse(runCli(['cves', ...IMAGE, '--format', 'json', '--vex-location', vexFile], { env }).stdout) as ReportJson;
    assert.ok(!hidden.vulnerabilities.some((v) => v.id === target.id && v.package.purl === target.package.purl));
    const shown = runCli(['cves', ...IMAGE, '--vex-location', vexFile, '--show-suppressed', '--only-cve-id', target.id], { env });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /SUPPRESSED/);
  });

  it('an ignore file entry suppresses; an expired one is a warning', () => {
    const target = report.vulnerabilities.find((v) => v.package.type === 'deb')!;
    const ignoreFile = join(work, 'ignore.yaml');
    writeFileSync(ignoreFile, `ignore:\n  - id: ${target.id}\n    reason: accepted risk\n  - id: CVE-2000-0001\n    reason: old\n    expires: 2020-01-01\n`);
    const result = runCli(['cves', ...IMAGE, '--format', 'json', '--ignore-file', ignoreFile], { env });
    assert.equal(result.status, 0, result.stderr);
    const ignored = JSON.parse(result.stdout) as ReportJson;
    assert.ok(!ignored.vulnerabilities.some((v) => v.id === target.id));
    assert.match(result.stderr, /ignore entry CVE-2000-0001 expired on 2020-01-01/);
  });

  it('sarif and markdown come out for the same findings', () => {
    const sarif = JSON.parse(runCli(['cves', ...IMAGE, '--format', 'sarif'], { env }).stdout) as { runs: { results: unknown[] }[] };
    assert.equal(sarif.runs[0]!.results.length, report.vulnerabilities.length);
    const markdown = runCli(['cves', ...IMAGE, '--format', 'markdown'], { env }).stdout;
    assert.match(markdown, /<details>/);
  });

  it('bad input: one line naming it, non-zero exit, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['cves', ...IMAGE, '--format', 'xml'], /--format xml/],
      [['cves', ...IMAGE, '--only-severity', 'urgent'], /--only-severity/],
      [['cves', ...IMAGE, '--vex-location', join(work, 'missing.json')], /missing\.json/],
      [['cves', `oci-dir://${join(work, 'nothing')}`], /nothing/],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args, { env });
      assert.notEqual(result.status, 0, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  it('without a database it says how to create one, before reading the image', () => {
    const result = runCli(['cves', 'registry://127.0.0.1:9/nothing:latest'], { env: { ...env, SPYGLASS_DATA_DIR: join(work, 'no-db') } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no vulnerability database in .*spyglass db update/);
  });
});

describe('spyglass quickview', () => {
  it('summarises the image and its annotated base image (found by digest in the same layout)', () => {
    const result = runCli(['quickview', ...IMAGE, '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { target: { counts: Record<string, number>; packages: number }; base: { name: string; counts: Record<string, number> } };
    const count = (level: string) => report.vulnerabilities.filter((v) => v.severity === level).length;
    assert.deepEqual(summary.target.counts, { critical: count('critical'), high: count('high'), medium: count('medium'), low: count('low'), unspecified: count('unspecified') });
    assert.equal(summary.base.name, 'docker.io/library/debian:bullseye-slim');
    const base = JSON.parse(runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', 'debian-bullseye-base', '--format', 'json'], { env }).stdout) as ReportJson;
    assert.equal(Object.values(summary.base.counts).reduce((a, b) => a + b, 0), base.vulnerabilities.length);
    const text = runCli(['quickview', ...IMAGE], { env });
    assert.match(text.stdout, new RegExp(`Target .*app-bullseye .*${count('critical')}C +${count('high')}H +${count('medium')}M +${count('low')}L`));
    assert.match(text.stdout, /Base image .*debian:bullseye-slim/);
    assert.match(text.stdout, /built \d{4}-\d\d-\d\d/);
  });
});
