// The machine-readable report formats on a real report (test/helpers/report.ts): each valid against its
// official schema (SARIF 2.1.0, GitLab container scanning 15.2.1, CycloneDX 1.6, SPDX 2.3), with the
// findings where they belong. Expected packages and paths come from the fixture manifest, summaries and
// vectors from the advisory files themselves, scores from NVD's and GitHub's published base scores.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { VulnerabilityReport } from '../../src/core/finding.ts';
import { renderCyclonedx } from '../../src/report/cyclonedx.ts';
import { renderGitlab } from '../../src/report/gitlab.ts';
import type { RenderOptions } from '../../src/report/options.ts';
import { renderSarif } from '../../src/report/sarif.ts';
import { renderSpdx } from '../../src/report/spdx.ts';
import { DATA } from '../helpers/feeds.ts';
import { FIXTURE_MANIFESTS } from '../helpers/fixtures.ts';
import { SAMPLE_IMAGE, sampleReport } from '../helpers/report.ts';
import { SPECS, cycloneDxValidator, errorsText, gitlabValidator, sarifValidator, spdxValidator } from './schemas.ts';

const OPTIONS: RenderOptions = { showSuppressed: true, locations: false, details: false, epss: false };

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Where the fixture manifest says each package is declared. */
const manifestPackages = (readJson(join(FIXTURE_MANIFESTS, `${SAMPLE_IMAGE}.json`)).packages as { type: string; name: string; version: string; path: string }[]);
function declaredAt(name: string, version: string): string {
  const found = manifestPackages.find((pkg) => pkg.name === name && pkg.version === version);
  assert.ok(found, `${name} ${version} is in the ${SAMPLE_IMAGE} manifest`);
  return found.path;
}

/** What the sample report holds, one row per finding (test/helpers/report.ts says why each is there). */
const EXPECTED = [
  { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], name: 'lodash', version: '4.17.15', level: 'high', score: '7.2', fixed: '4.17.21' },
  { id: 'CVE-2020-28500', aliases: ['GHSA-29mw-wpgm-hmr9'], name: 'lodash', version: '4.17.15', level: 'medium', score: '5.3', fixed: '4.17.21' },
  { id: 'CVE-2020-8203', aliases: ['GHSA-p6mc-m468-83gw'], name: 'lodash', version: '4.17.15', level: 'high', score: '7.4', fixed: '4.17.20', suppressed: 'vex' },
  { id: 'CVE-2023-45857', aliases: ['GHSA-wf5p-g6vw-rhxx'], name: 'axios', version: '0.21.1', level: 'medium', fixed: '1.6.0' },
  { id: 'CVE-2024-13176', aliases: [], name: 'libssl1.1', version: '1.1.1w-0+deb11u1', level: 'unspecified' },
  { id: 'CVE-2024-13176', aliases: [], name: 'openssl', version: '1.1.1w-0+deb11u8', level: 'unspecified' },
  { id: 'CVE-2011-3374', aliases: [], name: 'apt', version: '2.2.4', level: 'low', suppressed: 'ignore' },
] as const;

const key = (id: string, name: string) => `${id} ${name}`;
const expectedKeys = EXPECTED.map((row) => key(row.id, row.name)).sort();
const suppressedKeys = EXPECTED.filter((row) => 'suppressed' in row).map((row) => key(row.id, row.name)).sort();

const ghsa = (id: string) => readJson(join(DATA, 'advisories/osv/ghsa/npm', `${id}.json`)) as { summary: string; severity: { type: string; score: string }[] };

describe('schema validators', () => {
  it('SARIF: a minimal 2.1.0 log passes; another version or a level SARIF does not define fails', () => {
    const validate = sarifValidator();
    assert.ok(validate({ version: '2.1.0', runs: [] }), errorsText(validate.errors));
    assert.equal(validate({ version: '2.0.0', runs: [] }), false);
    const result = { ruleId: 'X', message: { text: 'x' }, level: 'critical' };
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [result] }] }), false);
    assert.ok(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ ...result, level: 'error' }] }] }), errorsText(validate.errors));
  });

  it('GitLab: a report without `scan` or with a severity outside the list fails', () => {
    const validate = gitlabValidator();
    const scan = { analyzer: { id: 'a', name: 'a', version: '1', vendor: { name: 'v' } }, scanner: { id: 's', name: 's', version: '1', vendor: { name: 'v' } }, type: 'container_scanning', start_time: '2024-01-01T00:00:00', end_time: '2024-01-01T00:00:00', status: 'success' };
    const vulnerability = { id: 'x', identifiers: [{ type: 'cve', name: 'CVE-1', value: 'CVE-1' }], location: { dependency: { package: { name: 'p' }, version: '1' }, operating_system: 'os', image: 'img' }, severity: 'High' };
    assert.ok(validate({ version: '15.2.1', scan, vulnerabilities: [vulnerability] }), errorsText(validate.errors));
    assert.equal(validate({ version: '15.2.1', vulnerabilities: [] }), false);
    assert.equal(validate({ version: '15.2.1', scan, vulnerabilities: [{ ...vulnerability, severity: 'Severe' }] }), false);
  });
});

describe('machine-readable report formats', () => {
  let report: VulnerabilityReport;
  before(async () => {
    report = await sampleReport();
  });

  it('the sample report holds the findings the tests expect', () => {
    const packages = new Map(report.packages.map((pkg) => [pkg.id, pkg]));
    assert.deepEqual(report.findings.map((finding) => key(finding.id, packages.get(finding.packageId)!.name)).sort(), expectedKeys);
  });

  describe('SARIF', () => {
    type Rule = { id: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri: string; help: { text: string; markdown: string }; defaultConfiguration: { level: string }; properties: { tags: string[]; 'security-severity'?: string } };
    type Result = { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; message: { text: string } }[]; suppressions?: { kind: string; status: string; justification: string }[]; properties: { packageName: string; installedVersion: string; matches?: unknown[] } };
    let log: { version: string; runs: { tool: { driver: { name: string; rules: Rule[] } }; results: Result[]; invocations?: { toolExecutionNotifications: { message: { text: string } }[] }[] }[] };
    before(() => {
      log = JSON.parse(renderSarif(report, OPTIONS)) as typeof log;
    });

    it('is valid SARIF 2.1.0, JSON with 2-space indent and a final newline', () => {
      const text = renderSarif(report, OPTIONS);
      assert.ok(text.endsWith('}\n'));
      assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      const validate = sarifValidator();
      assert.ok(validate(log), errorsText(validate.errors));
      assert.equal(log.version, '2.1.0');
      assert.equal(log.runs.length, 1);
      assert.equal(log.runs[0]!.tool.driver.name, 'spyglass');
    });

    it('has one rule per vulnerability id, with what GitHub code scanning shows', () => {
      const rules = log.runs[0]!.tool.driver.rules;
      assert.deepEqual(rules.map((rule) => rule.id).sort(), [...new Set(EXPECTED.map((row) => row.id))].sort());
      for (const rule of rules) {
        const expected = EXPECTED.find((row) => row.id === rule.id)!;
        assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text && rule.help.markdown, rule.id);
        assert.equal(rule.helpUri, `https://nvd.nist.gov/vuln/detail/${rule.id}`);
        assert.ok(rule.properties.tags.includes('security') && rule.properties.tags.length <= 20, rule.id);
        assert.ok(rule.help.text.includes(rule.id) && rule.help.markdown.includes(rule.id));
        const score = rule.properties['security-severity'];
        if ('score' in expected) assert.equal(score, expected.score, rule.id);
        if (score !== undefined) assert.ok(Number(score) >= 0 && Number(score) <= 10, `${rule.id}: ${score}`);
        // GitHub's bands: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low; the score must land in the finding's level.
        const band = score === undefined ? 'unspecified' : Number(score) >= 9 ? 'critical' : Number(score) >= 7 ? 'high' : Number(score) >= 4 ? 'medium' : 'low';
        assert.equal(band, expected.level, rule.id);
      }
      const lodash = rules.find((rule) => rule.id === 'CVE-2021-23337')!;
      assert.equal(lodash.shortDescription.text, ghsa('GHSA-35jh-r3h4-6jhm').summary);
      assert.ok(lodash.help.text.includes(ghsa('GHSA-35jh-r3h4-6jhm').severity[0]!.score), 'the help names the CVSS vector');
    });

    it('has one result per finding: level, package, installed and fixed version, and the metadata file as location', () => {
      const { rules } = log.runs[0]!.tool.driver;
      const results = log.runs[0]!.results;
      assert.deepEqual(results.map((result) => key(result.ruleId, result.properties.packageName)).sort(), expectedKeys);
      const levels = { critical: 'error', high: 'error', medium: 'warning', low: 'note', unspecified: 'note' };
      for (const result of results) {
        const expected = EXPECTED.find((row) => key(row.id, row.name) === key(result.ruleId, result.properties.packageName))!;
        assert.equal(rules[result.ruleIndex]!.id, result.ruleId);
        assert.equal(result.level, levels[expected.level]);
        assert.ok(result.message.text.includes(`${expected.name} ${expected.version}`), result.message.text);
        if ('fixed' in expected) assert.ok(result.message.text.includes(`fixed in ${expected.fixed}`), result.message.text);
        else assert.ok(result.message.text.includes('no fix'), result.message.text);
        assert.equal(result.locations.length, 1);
        assert.equal(result.locations[0]!.physicalLocation.artifactLocation.uri, declaredAt(expected.name, expected.version).slice(1));
        assert.equal(result.locations[0]!.physicalLocation.region.startLine, 1);
        assert.equal(result.properties.matches, undefined);
      }
    });

    it('marks suppressed findings with an accepted external suppression saying why', () => {
      const results = log.runs[0]!.results;
      assert.deepEqual(results.filter((result) => result.suppressions).map((result) => key(result.ruleId, result.properties.packageName)).sort(), suppressedKeys);
      const vex = results.find((result) => result.ruleId === 'CVE-2020-8203')!.suppressions!;
      assert.deepEqual(vex.map((s) => [s.kind, s.status]), [['external', 'accepted']]);
      assert.match(vex[0]!.justification, /VEX not_affected: vulnerable_code_not_in_execute_path \(vex\/app\.openvex\.json\)/);
      assert.match(results.find((result) => result.ruleId === 'CVE-2011-3374')!.suppressions![0]!.justification, /ignore rule ignored: apt-key is not run/);
    });

    it('carries the report warnings as tool notifications', () => {
      assert.deepEqual(log.runs[0]!.invocations?.[0]?.toolExecutionNotifications.map((n) => n.message.text), report.warnings);
      assert.ok(report.warnings.length > 0);
    });

    it('--details adds each finding\'s matches, --locations the layer of the metadata file', () => {
      const detailed = JSON.parse(renderSarif(report, { ...OPTIONS, details: true, locations: true })) as typeof log;
      const validate = sarifValidator();
      assert.ok(validate(detailed), errorsText(validate.errors));
      const axios = detailed.runs[0]!.results.find((result) => result.ruleId === 'CVE-2023-45857')!;
      assert.deepEqual(axios.properties.matches, [{ source: 'osv', advisoryId: 'GHSA-wf5p-g6vw-rhxx', namespace: 'npm', packageName: 'axios', rule: 'ecosystem-range', comparison: '0.21.1 < 1.6.0 (semver)', affectedRange: '>= 0.8.1, < 1.6.0' }]);
      const layer = report.packages.find((pkg) => pkg.name === 'axios')!.locations[0]!.layerDiffId;
      assert.ok(axios.locations[0]!.message.text.includes(layer));
    });
  });

  describe('GitLab container scanning', () => {
    type Vulnerability = { id: string; name: string; description: string; severity: string; solution: string; location: { dependency: { package: { name: string }; version: string }; operating_system: string; image: string }; identifiers: { type: string; name: string; value: string; url: string }[]; links: { url: string }[]; cvss_vectors?: { vendor: string; vector: string }[]; details?: Record<string, { name: string; value: string }> };
    let document: { version: string; scan: { analyzer: { id: string; name: string; version: string }; scanner: { id: string; name: string }; type: string; status: string; start_time: string; end_time: string; messages?: { level: string; value: string }[] }; vulnerabilities: Vulnerability[] };
    before(() => {
      document = JSON.parse(renderGitlab(report, OPTIONS)) as typeof document;
    });

    it('is valid against the 15.2.1 schema, with the scan described', () => {
      const validate = gitlabValidator();
      assert.ok(validate(document), errorsText(validate.errors));
      assert.equal(document.version, (readJson(join(SPECS, 'gitlab/container-scanning-report-format.json')).self as { version: string }).version);
      assert.deepEqual([document.scan.analyzer.id, document.scan.analyzer.name, document.scan.scanner.id, document.scan.scanner.name], ['spyglass', 'spyglass', 'spyglass', 'spyglass']);
      assert.deepEqual([document.scan.type, document.scan.status], ['container_scanning', 'success']);
      assert.equal(document.scan.analyzer.version, report.tool.version);
      assert.equal(document.scan.start_time, report.createdAt.slice(0, 19));
      assert.deepEqual(document.scan.messages, report.warnings.map((value) => ({ level: 'warn', value })));
    });

    it('has one vulnerability per finding with severity, package, image and identifiers', () => {
      const severities = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unspecified: 'Unknown' };
      assert.deepEqual(document.vulnerabilities.map((v) => key(v.identifiers[0]!.value, v.location.dependency.package.name)).sort(), expectedKeys);
      for (const vulnerability of document.vulnerabilities) {
        const expected = EXPECTED.find((row) => key(row.id, row.name) === key(vulnerability.identifiers[0]!.value, vulnerability.location.dependency.package.name))!;
        assert.equal(vulnerability.severity, severities[expected.level]);
        assert.equal(vulnerability.location.dependency.version, expected.version);
        assert.equal(vulnerability.location.operating_system, 'debian 11');
        assert.equal(vulnerability.location.image, SAMPLE_IMAGE);
        assert.deepEqual(vulnerability.identifiers.map((identifier) => identifier.value), [expected.id, ...expected.aliases]);
        assert.equal(vulnerability.identifiers[0]!.type, 'cve');
        assert.equal(vulnerability.solution, 'fixed' in expected ? `Upgrade ${expected.name} to ${expected.fixed} or later.` : `No fixed version of ${expected.name} is available.`);
      }
      const lodash = document.vulnerabilities.find((v) => v.identifiers[0]!.value === 'CVE-2021-23337')!;
      assert.equal(lodash.name, ghsa('GHSA-35jh-r3h4-6jhm').summary);
      assert.deepEqual(lodash.identifiers[1], { type: 'ghsa', name: 'GHSA-35jh-r3h4-6jhm', value: 'GHSA-35jh-r3h4-6jhm', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' });
      assert.deepEqual(lodash.cvss_vectors, [{ vendor: 'ghsa', vector: ghsa('GHSA-35jh-r3h4-6jhm').severity[0]!.score }]);
      assert.ok(lodash.links.some((link) => link.url === 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337'));
    });

    it('gives each finding a UUID that is the same in every rendering and differs between packages', () => {
      const ids = document.vulnerabilities.map((v) => v.id);
      for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(new Set(ids).size, ids.length);
      const again = JSON.parse(renderGitlab(structuredClone(report), OPTIONS)) as typeof document;
      assert.deepEqual(again.vulnerabilities.map((v) => v.id), ids);
    });

    it('says in the description and details that a finding is suppressed (the format has no suppression)', () => {
      const suppressed = document.vulnerabilities.filter((v) => v.details?.suppressed);
      assert.deepEqual(suppressed.map((v) => key(v.identifiers[0]!.value, v.location.dependency.package.name)).sort(), suppressedKeys);
      for (const v of suppressed) assert.match(v.description, /This finding is suppressed by /);
    });
  });

  describe('CycloneDX 1.6 with vulnerabilities', () => {
    type Vulnerability = { 'bom-ref': string; id: string; source: { name: string; url: string }; references?: { id: string }[]; ratings?: { source: { name: string }; score?: number; severity: string; method: string; vector?: string }[]; description?: string; affects: { ref: string; versions: { version: string; status: string }[] }[]; analysis?: { state?: string; justification?: string; response?: string[]; detail: string } };
    let bom: { specVersion: string; components: { 'bom-ref': string; name: string; version?: string }[]; vulnerabilities: Vulnerability[] };
    before(() => {
      bom = JSON.parse(renderCyclonedx(report, OPTIONS)) as typeof bom;
    });

    it('is valid CycloneDX 1.6 holding every package as a component', () => {
      const validate = cycloneDxValidator();
      assert.ok(validate(bom), errorsText(validate.errors));
      assert.equal(bom.specVersion, '1.6');
      const refs = new Set(bom.components.map((component) => component['bom-ref']));
      for (const pkg of report.packages) assert.ok(refs.has(pkg.id), pkg.id);
    });

    it('lists each finding with its ratings, aliases and the affected component', () => {
      const components = new Map(bom.components.map((component) => [component['bom-ref'], component]));
      assert.deepEqual(bom.vulnerabilities.map((v) => key(v.id, components.get(v.affects[0]!.ref)!.name)).sort(), expectedKeys);
      for (const vulnerability of bom.vulnerabilities) {
        const component = components.get(vulnerability.affects[0]!.ref)!;
        const expected = EXPECTED.find((row) => key(row.id, row.name) === key(vulnerability.id, component.name))!;
        assert.deepEqual(vulnerability.affects, [{ ref: vulnerability.affects[0]!.ref, versions: [{ version: expected.version, status: 'affected' }] }]);
        assert.deepEqual((vulnerability.references ?? []).map((reference) => reference.id), [...expected.aliases]);
        assert.equal(vulnerability.source.url, `https://nvd.nist.gov/vuln/detail/${expected.id}`);
      }
      const lodash = bom.vulnerabilities.find((v) => v.id === 'CVE-2021-23337')!;
      assert.deepEqual(lodash.ratings, [{ source: { name: 'ghsa' }, score: 7.2, severity: 'high', method: 'CVSSv31', vector: ghsa('GHSA-35jh-r3h4-6jhm').severity[0]!.score }]);
      assert.equal(lodash.description, ghsa('GHSA-35jh-r3h4-6jhm').summary);
      assert.deepEqual(bom.vulnerabilities.find((v) => v.id === 'CVE-2023-45857')!.ratings, [{ source: { name: 'ghsa' }, severity: 'medium', method: 'other' }]);
      assert.deepEqual(bom.vulnerabilities.find((v) => v.id === 'CVE-2011-3374')!.ratings, [{ source: { name: 'debian' }, severity: 'low', method: 'other' }]);
      assert.equal(bom.vulnerabilities.find((v) => v.id === 'CVE-2024-13176')!.ratings, undefined, 'no source rated it');
    });

    it('gives suppressed findings a VEX analysis: not_affected with its justification, will_not_fix for an ignore rule', () => {
      assert.deepEqual(bom.vulnerabilities.filter((v) => v.analysis).map((v) => v.id).sort(), ['CVE-2011-3374', 'CVE-2020-8203']);
      const vex = bom.vulnerabilities.find((v) => v.id === 'CVE-2020-8203')!.analysis!;
      assert.deepEqual([vex.state, vex.justification], ['not_affected', 'code_not_reachable']);
      const ignored = bom.vulnerabilities.find((v) => v.id === 'CVE-2011-3374')!.analysis!;
      assert.deepEqual([ignored.state, ignored.response], [undefined, ['will_not_fix']]);
      assert.match(ignored.detail, /apt-key is not run in the container \(\.spyglassignore\.yaml\)/);
    });
  });

  describe('SPDX 2.3 with findings', () => {
    type Package = { SPDXID: string; name: string; versionInfo?: string; externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string; comment?: string }[]; annotations?: { comment: string }[] };
    let document: { spdxVersion: string; packages: Package[] };
    before(() => {
      document = JSON.parse(renderSpdx(report, OPTIONS)) as typeof document;
    });

    it('is valid SPDX 2.3', () => {
      const validate = spdxValidator();
      assert.ok(validate(document), errorsText(validate.errors));
      assert.equal(document.spdxVersion, 'SPDX-2.3');
    });

    it('puts each finding on its package as a SECURITY advisory reference and a spyglass:vulnerability annotation', () => {
      const security = document.packages.flatMap((pkg) => (pkg.externalRefs ?? []).filter((ref) => ref.referenceCategory === 'SECURITY').map((ref) => ({ pkg, ref })));
      assert.deepEqual(security.map(({ pkg, ref }) => key(ref.referenceLocator.replace('https://nvd.nist.gov/vuln/detail/', ''), pkg.name)).sort(), expectedKeys);
      for (const { ref } of security) assert.equal(ref.referenceType, 'advisory');
      const annotated = document.packages.flatMap((pkg) => (pkg.annotations ?? []).filter((a) => a.comment.startsWith('spyglass:vulnerability=')).map((a) => ({ pkg, finding: JSON.parse(a.comment.slice('spyglass:vulnerability='.length)) as { id: string; severity: string; installedVersion: string; fixedVersions: string[]; suppressed?: { kind: string } } })));
      assert.deepEqual(annotated.map(({ pkg, finding }) => key(finding.id, pkg.name)).sort(), expectedKeys);
      for (const { pkg, finding } of annotated) {
        const expected = EXPECTED.find((row) => key(row.id, row.name) === key(finding.id, pkg.name))!;
        assert.deepEqual([finding.severity, finding.installedVersion, finding.fixedVersions], [expected.level, expected.version, 'fixed' in expected ? [expected.fixed] : []]);
        assert.equal(finding.suppressed?.kind, 'suppressed' in expected ? expected.suppressed : undefined);
      }
      const lodash = document.packages.find((pkg) => pkg.name === 'lodash' && pkg.versionInfo === '4.17.15')!;
      assert.deepEqual(lodash.externalRefs![0], { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/lodash@4.17.15' });
      assert.match(lodash.externalRefs!.find((ref) => ref.referenceLocator.endsWith('CVE-2021-23337'))!.comment!, /severity high, CVSS 3\.1 7\.2; fixed in 4\.17\.21/);
    });
  });

  describe('a report without findings', () => {
    const renderers = { sarif: [renderSarif, sarifValidator], gitlab: [renderGitlab, gitlabValidator], cyclonedx: [renderCyclonedx, cycloneDxValidator], spdx: [renderSpdx, spdxValidator] } as const;
    for (const [format, [render, validator]] of Object.entries(renderers)) {
      it(`${format}: still valid, with nothing in it`, () => {
        const document = JSON.parse(render({ ...report, findings: [], warnings: [] }, OPTIONS)) as Record<string, unknown>;
        const validate = validator();
        assert.ok(validate(document), errorsText(validate.errors));
        const text = JSON.stringify(document);
        assert.equal(text.includes('CVE-'), false, 'no vulnerability id anywhere');
        if (format === 'sarif') assert.deepEqual((document.runs as { results: unknown[]; tool: { driver: { rules: unknown[] } } }[]).map((run) => [run.results, run.tool.driver.rules]), [[[], []]]);
        if (format === 'gitlab') assert.deepEqual(document.vulnerabilities, []);
        if (format === 'cyclonedx') assert.deepEqual(document.vulnerabilities, []);
      });
    }
  });
});
