// The human formats (packages, only-packages, markdown, quickview) and the report JSON on a real report:
// the sample image's findings from the fixture database (test/helpers/report.ts, report-text.ts). The
// expected values are the sample's documented contents, the fixture image's manifest, and CISA's and
// FIRST's published entries for the CVEs, not what the renderers printed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Finding, VulnerabilityReport } from '../../src/core/finding.ts';
import type { ReportDocument } from '../../src/report/json.ts';
import { renderJson } from '../../src/report/json.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderOnlyPackages } from '../../src/report/only-packages.ts';
import type { RenderOptions } from '../../src/report/options.ts';
import { renderPackages } from '../../src/report/packages.ts';
import { countFindings, renderQuickview, renderQuickviewJson, type QuickviewInput } from '../../src/report/quickview.ts';
import { errorsText } from '../sbom/schemas.ts';
import { expectedImage, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { textSampleReport } from '../helpers/report-text.ts';

const PLAIN: RenderOptions = { showSuppressed: false, locations: false, details: false, epss: false };
const ALL: RenderOptions = { showSuppressed: true, locations: true, details: true, epss: true };
// An SGR escape (built from a string: ESC in a regex literal is a lint error).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The package header lines (`    0C     1H     1M     0L  lodash 4.17.15`) as `name version`. */
function packageHeaders(text: string): string[] {
  return [...text.matchAll(/^ +\d+C +\d+H +\d+M +\d+L(?: +\d+U)? {2}(\S+ \S+)$/gm)].map((match) => match[1]!);
}

/** The vulnerability lines of one package's section, as `SEVERITY ID`. */
function findingsOf(text: string, header: string): string[] {
  const start = text.indexOf(`  ${header}\n`);
  assert.ok(start >= 0, `no section for ${header}`);
  const next = text.slice(start + 1).search(/^ +\d+C /m);
  const section = next < 0 ? text.slice(start) : text.slice(start, start + 1 + next);
  return [...section.matchAll(/^ {4}[✗○] (\S+) (\S+)/gm)].map((match) => `${match[1]} ${match[2]}`);
}

function reportValidator() {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs/report.schema.json'), 'utf8')) as object);
}

describe('report text formats', () => {
  let report: VulnerabilityReport;
  const image = expectedImage('app-bullseye');
  const [baseLayer, aptLayer, appLayer] = image.layers.map((layer) => layer.diffId);
  const fresh = () => structuredClone(report);
  const finding = (r: VulnerabilityReport, id: string, name: string): Finding => {
    const pkg = r.packages.find((candidate) => candidate.name === name);
    const found = r.findings.find((candidate) => candidate.id === id && candidate.packageId === pkg?.id);
    assert.ok(found, `no ${id} in ${name}`);
    return found;
  };

  before(async () => {
    ({ report } = await textSampleReport());
  });

  describe('packages', () => {
    it('lists packages most severe first: by worst finding, then counts, then name', () => {
      const text = renderPackages(report, PLAIN);
      assert.deepEqual(packageHeaders(text), [
        'curl 7.74.0-1.3+deb11u16', 'libcurl4 7.74.0-1.3+deb11u16', // one critical each
        'lodash 4.17.15', 'libc6 2.31-13+deb11u11', // a high each; lodash has a medium too
        'axios 0.21.1',
        'libssl1.1 1.1.1w-0+deb11u1', 'openssl 1.1.1w-0+deb11u8', // unspecified only
      ]);
      // Only-suppressed packages come last, and only when suppressed findings are shown.
      assert.equal(packageHeaders(renderPackages(report, { ...PLAIN, showSuppressed: true })).at(-1), 'apt 2.2.4');
    });

    it('orders a package\'s vulnerabilities by severity, then CVSS score, then id', () => {
      const text = renderPackages(report, { ...PLAIN, showSuppressed: true });
      assert.deepEqual(findingsOf(text, 'lodash 4.17.15'), ['HIGH CVE-2020-8203', 'HIGH CVE-2021-23337', 'MEDIUM CVE-2020-28500']);
      const tie = fresh();
      // Same severity and score: the id decides.
      finding(tie, 'CVE-2021-23337', 'lodash').rating!.cvss!.score = 7.4;
      assert.deepEqual(findingsOf(renderPackages(tie, { ...PLAIN, showSuppressed: true }), 'lodash 4.17.15'), ['HIGH CVE-2020-8203', 'HIGH CVE-2021-23337', 'MEDIUM CVE-2020-28500']);
      finding(tie, 'CVE-2020-8203', 'lodash').rating!.cvss!.score = 7.5;
      finding(tie, 'CVE-2021-23337', 'lodash').rating!.cvss!.score = 8.8;
      assert.deepEqual(findingsOf(renderPackages(tie, { ...PLAIN, showSuppressed: true }), 'lodash 4.17.15'), ['HIGH CVE-2021-23337', 'HIGH CVE-2020-8203', 'MEDIUM CVE-2020-28500']);
    });

    it('shows the overview, the per-package counts and the totals; U only where there are unspecified findings', () => {
      const text = renderPackages(report, PLAIN);
      assert.match(text, /^ {2}Target {12}│ {2}app-bullseye$/m);
      assert.match(text, new RegExp(`^    digest {10}│  ${image.manifestDigest.slice(7, 19)}$`, 'm'));
      assert.match(text, /^ {4}platform {8}│ {2}linux\/amd64$/m);
      assert.match(text, /^ {4}vulnerabilities │ {4}2C {5}2H {5}2M {5}0L {5}2U$/m);
      assert.match(text, /^ {4}packages {8}│ {2}189$/m);
      assert.match(text, /^ {2}Database {10}│ {2}built \d{4}-\d\d-\d\d \d\d:\d\d UTC, less than an hour ago$/m);
      assert.match(text, /^ {4}0C {5}1H {5}1M {5}0L {2}lodash 4.17.15$/m);
      assert.match(text, /^ {4}0C {5}0H {5}0M {5}0L {5}1U {2}openssl 1\.1\.1w-0\+deb11u8$/m);
      assert.ok(text.includes('\n8 vulnerabilities found in 7 packages\n  CRITICAL     2\n  HIGH         2\n  MEDIUM       2\n  LOW          0\n  UNSPECIFIED  2\n'));
      assert.match(text, /^ {4}! Debian GNU\/Linux 11 \(bullseye\): security support ended 2024-08-14$/m);
    });

    it('gives the purl, the link, the range, the fix, and CVSS score and vector of each vulnerability', () => {
      const text = renderPackages(report, PLAIN);
      assert.ok(text.includes([
        '    0C     1H     1M     0L  lodash 4.17.15',
        'pkg:npm/lodash@4.17.15',
        '',
        '    ✗ HIGH CVE-2021-23337',
        '      https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
        '      Affected range : < 4.17.21',
        '      Fixed version  : 4.17.21',
        '      CVSS Score     : 7.2',
        '      CVSS Vector    : CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      ].join('\n')), text);
      // GHSA's MODERATE without a CVSS of its own: no score lines.
      assert.ok(text.includes('      Affected range : >= 0.8.1, < 1.6.0\n      Fixed version  : 1.6.0\n\n'));
    });

    it('says "not fixed", with the reason when a source gives one', () => {
      assert.match(renderPackages(report, PLAIN), /CVE-2024-13176\n.*\n {6}Affected range : all versions\n {6}Fixed version {2}: not fixed\n/);
      const changed = fresh();
      finding(changed, 'CVE-2024-13176', 'openssl').statusReason = 'no-dsa: Minor issue';
      assert.match(renderPackages(changed, PLAIN), /Fixed version {2}: not fixed \(no-dsa: Minor issue\)/);
    });

    it('marks known exploited vulnerabilities (CISA KEV), and shows EPSS only when asked', () => {
      const plain = renderPackages(report, PLAIN);
      assert.match(plain, /^ {4}✗ HIGH CVE-2023-4911 {2}KEV$/m);
      // CISA's catalog: CVE-2023-4911 added 2023-11-21, due 2023-12-12.
      assert.match(plain, /^ {6}CISA KEV {7}: added 2023-11-21, due 2023-12-12$/m);
      assert.doesNotMatch(plain, /EPSS/);
      // FIRST's EPSS for CVE-2023-38545 in the shared scores: 0.78483, percentile 0.99572.
      const epss = renderPackages(report, { ...PLAIN, epss: true });
      assert.match(epss, /^ {6}EPSS Score {6}: 78\.48%$/m);
      assert.match(epss, /^ {6}EPSS Percentile : 99th percentile$/m);
      assert.match(epss, /^ {6}Affected range {2}: /m, 'labels widen to EPSS Percentile');
    });

    it('--locations: the metadata file with its layer, and the layer that introduced the package when another', () => {
      const text = renderPackages(report, { ...PLAIN, locations: true });
      assert.ok(text.includes(`pkg:npm/lodash@4.17.15\n\n    Location : /app/node_modules/lodash/package.json (layer 3 of 5, ${appLayer})\n`));
      assert.ok(text.includes([
        `    Location      : /var/lib/dpkg/status (layer 2 of 5, ${aptLayer})`,
        `    Introduced in : layer 1 of 5, ${baseLayer}`,
      ].join('\n')));
      assert.doesNotMatch(renderPackages(report, PLAIN), /Location/);
    });

    it('--details: the summary, aliases, who rated it, and every match reason', () => {
      const text = renderPackages(report, { ...PLAIN, details: true });
      assert.ok(text.includes([
        '    ✗ HIGH CVE-2021-23337',
        '      https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
        '',
        '      Command Injection in lodash',
        '',
      ].join('\n')));
      assert.match(text, /^ {6}Aliases {8}: GHSA-35jh-r3h4-6jhm$/m);
      assert.match(text, /^ {6}Severity from {2}: ghsa \(HIGH\)$/m);
      assert.match(text, /^ {6}Matched {8}: osv GHSA-35jh-r3h4-6jhm: npm lodash \(ecosystem-range\)\n {21}: 4\.17\.15 < 4\.17\.21 \(semver\)$/m);
      assert.match(text, /^ {6}Matched {8}: debian-tracker CVE-2023-4911: debian:11 glibc \(distro-source-package\)$/m);
      assert.doesNotMatch(renderPackages(report, PLAIN), /Matched|Aliases/);
    });

    it('hides suppressed findings unless asked, then marks them with the reason; they never count', () => {
      const hidden = renderPackages(report, PLAIN);
      assert.doesNotMatch(hidden, /CVE-2020-8203|CVE-2011-3374|apt 2\.2\.4/);
      assert.match(hidden, /^2 suppressed vulnerabilities not shown \(--show-suppressed shows them\)$/m);
      const shown = renderPackages(report, { ...PLAIN, showSuppressed: true });
      assert.ok(shown.includes([
        '    ○ HIGH CVE-2020-8203  SUPPRESSED',
        '      https://nvd.nist.gov/vuln/detail/CVE-2020-8203',
        '      Affected range : < 4.17.20',
        '      Fixed version  : 4.17.20',
        '      CVSS Score     : 7.4',
        '      CVSS Vector    : CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H',
        '      Suppressed     : not_affected [vulnerable_code_not_in_execute_path]',
        '                     : vex/app.openvex.json',
      ].join('\n')));
      assert.match(shown, /^ {6}Suppressed {5}: ignored \[apt-key is not run in the container\]\n {21}: \.spyglassignore\.yaml$/m);
      assert.match(shown, /^ {4}0C {5}0H {5}0M {5}0L {2}apt 2\.2\.4$/m);
      assert.match(shown, /^ {4}0C {5}1H {5}1M {5}0L {2}lodash 4.17.15$/m);
      assert.match(shown, /^8 vulnerabilities found in 7 packages$/m);
    });

    it('colours only when asked, without moving anything', () => {
      assert.doesNotMatch(renderPackages(report, ALL), ANSI);
      const coloured = renderPackages(report, { ...ALL, color: true });
      assert.match(coloured, ANSI);
      assert.equal(coloured.replace(ANSI, ''), renderPackages(report, ALL));
    });

    it('an image without findings, and a stale database', () => {
      const clean = { ...fresh(), findings: [], warnings: [] };
      clean.database.ageHours = 30;
      const text = renderPackages(clean, PLAIN);
      assert.match(text, /^ {2}No vulnerable package detected$/m);
      assert.match(text, /^ {4}vulnerabilities │ {4}0C {5}0H {5}0M {5}0L$/m);
      assert.doesNotMatch(text, /found in/);
      assert.match(text, /│ {2}built .* UTC, 30 hours ago \(older than a day: run `spyglass db update`\)$/m);
    });
  });

  describe('only-packages', () => {
    it('one row per vulnerable package with its counts, in report order', () => {
      const lines = renderOnlyPackages(report, PLAIN).trimEnd().split('\n');
      assert.match(lines[0]!, /^ {2}Name +Version +Type +Vulnerabilities$/);
      assert.match(lines[1]!, /^─+$/);
      const rows = lines.slice(2).map((line) => line.trim().split(/ {2,}/));
      assert.deepEqual(rows, [
        ['curl', '7.74.0-1.3+deb11u16', 'deb', '1C', '0H', '0M', '0L'],
        ['libcurl4', '7.74.0-1.3+deb11u16', 'deb', '1C', '0H', '0M', '0L'],
        ['lodash', '4.17.15', 'npm', '0C', '1H', '1M', '0L'],
        ['libc6', '2.31-13+deb11u11', 'deb', '0C', '1H', '0M', '0L'],
        ['axios', '0.21.1', 'npm', '0C', '0H', '1M', '0L'],
        ['libssl1.1', '1.1.1w-0+deb11u1', 'deb', '0C', '0H', '0M', '0L', '1U'],
        ['openssl', '1.1.1w-0+deb11u8', 'deb', '0C', '0H', '0M', '0L', '1U'],
      ]);
      // Columns line up: every version starts where the header's does.
      const at = lines[0]!.indexOf('Version');
      for (const line of lines.slice(2)) assert.match(line.slice(at), /^\d/);
      assert.match(renderOnlyPackages(report, { ...PLAIN, showSuppressed: true }).trimEnd().split('\n').at(-1)!, /^ {2}apt +2\.2\.4 +deb +0C +0H +0M +0L$/);
      assert.equal(renderOnlyPackages({ ...fresh(), findings: [] }, PLAIN), 'No vulnerable package detected\n');
    });
  });

  describe('markdown', () => {
    it('an overview table, then a collapsed section per package with its vulnerabilities linked', () => {
      const text = renderMarkdown(report, PLAIN);
      assert.ok(text.startsWith('## Vulnerabilities in `app-bullseye`\n'));
      assert.match(text, /^\| Vulnerabilities \| 2C 2H 2M 0L 2U \|$/m);
      assert.match(text, /^\| Packages \| 7 vulnerable of 189 \|$/m);
      assert.match(text, new RegExp(`^\\| Digest \\| \`${image.manifestDigest}\` \\|$`, 'm'));
      const summaries = [...text.matchAll(/^<summary>(.*)<\/summary>$/gm)].map((match) => match[1]);
      assert.deepEqual(summaries, [
        '1C 0H 0M 0L <b>curl</b> <code>7.74.0-1.3+deb11u16</code>',
        '1C 0H 0M 0L <b>libcurl4</b> <code>7.74.0-1.3+deb11u16</code>',
        '0C 1H 1M 0L <b>lodash</b> <code>4.17.15</code>',
        '0C 1H 0M 0L <b>libc6</b> <code>2.31-13+deb11u11</code>',
        '0C 0H 1M 0L <b>axios</b> <code>0.21.1</code>',
        '0C 0H 0M 0L 1U <b>libssl1.1</b> <code>1.1.1w-0+deb11u1</code>',
        '0C 0H 0M 0L 1U <b>openssl</b> <code>1.1.1w-0+deb11u8</code>',
      ]);
      assert.equal(text.match(/^<details>$/gm)?.length, 7);
      assert.equal(text.match(/^<\/details>$/gm)?.length, 7);
      assert.ok(text.includes([
        '`pkg:npm/lodash@4.17.15`',
        '',
        '| Severity | Vulnerability | CVSS | Affected range | Fixed version |',
        '|---|---|---:|---|---|',
        '| HIGH | [CVE-2021-23337](https://nvd.nist.gov/vuln/detail/CVE-2021-23337) | 7.2 | `< 4.17.21` | `4.17.21` |',
        '| MEDIUM | [CVE-2020-28500](https://nvd.nist.gov/vuln/detail/CVE-2020-28500) | 5.3 | `< 4.17.21` | `4.17.21` |',
        '',
        '</details>',
      ].join('\n')), text);
      assert.match(text, /\[CVE-2023-4911\]\(https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2023-4911\)<br>\*\*KEV\*\* \(added 2023-11-21, due 2023-12-12\)/);
    });

    it('EPSS and match columns when asked; suppressed rows struck through; cells that cannot break the table', () => {
      const changed = fresh();
      finding(changed, 'CVE-2024-13176', 'openssl').statusReason = 'no-dsa: a | b <script>';
      const text = renderMarkdown(changed, ALL);
      assert.match(text, /^\| Severity \| Vulnerability \| CVSS \| Affected range \| Fixed version \| EPSS \| Matched \|$/m);
      assert.match(text, /\| 78\.48% \(99th percentile\) \|/);
      assert.match(text, /^\| ~~HIGH~~ \| \[CVE-2020-8203\]\([^)]*\)<br>_suppressed by VEX not\\_affected: vulnerable\\_code\\_not\\_in\\_execute\\_path \(vex\/app\.openvex\.json\)_ \|/m);
      assert.match(text, /not fixed \(no-dsa: a \\\| b &lt;script&gt;\)/);
      // Every row of every table has as many unescaped cell separators as its header.
      for (const table of text.split(/\n\n/).filter((block) => block.startsWith('| Severity'))) {
        const cells = table.split('\n').map((line) => line.replace(/\\\|/g, '').split('|').length);
        assert.ok(cells.every((n) => n === cells[0]), table);
      }
    });
  });

  describe('json', () => {
    const validate = reportValidator();

    for (const [name, options] of [['default', PLAIN], ['every option', ALL]] as const) {
      it(`is valid against docs/report.schema.json (${name})`, () => {
        const document: unknown = JSON.parse(renderJson(report, options));
        assert.ok(validate(document), errorsText(validate.errors));
      });
    }

    it('lists the vulnerabilities most severe first with everything a program acts on', () => {
      const document = JSON.parse(renderJson(report, PLAIN)) as ReportDocument;
      assert.deepEqual(document.summary, { critical: 2, high: 2, medium: 2, low: 0, unspecified: 2, total: 8, vulnerablePackages: 7, packages: 189, suppressed: 2 });
      assert.deepEqual(document.vulnerabilities.map((v) => `${v.severity} ${v.id} ${v.package.name}`), [
        'critical CVE-2023-38545 curl', 'critical CVE-2023-38545 libcurl4',
        'high CVE-2023-4911 libc6', 'high CVE-2021-23337 lodash',
        'medium CVE-2020-28500 lodash', 'medium CVE-2023-45857 axios',
        'unspecified CVE-2024-13176 libssl1.1', 'unspecified CVE-2024-13176 openssl',
      ]);
      assert.deepEqual(document.packages.map((p) => p.name), ['axios', 'curl', 'libc6', 'libcurl4', 'libssl1.1', 'lodash', 'openssl']);
      const lodash = document.vulnerabilities.find((v) => v.id === 'CVE-2021-23337')!;
      assert.deepEqual(lodash.aliases, ['GHSA-35jh-r3h4-6jhm']);
      assert.deepEqual(lodash.package, { id: lodash.package.id, name: 'lodash', version: '4.17.15', type: 'npm', purl: 'pkg:npm/lodash@4.17.15', layer: { diffId: appLayer, index: 2 } });
      assert.equal(lodash.status, 'fixed');
      assert.equal(lodash.fixedVersion, '4.17.21');
      assert.deepEqual(lodash.cvss, { score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', version: '3.1', source: 'ghsa' });
      assert.equal(lodash.severitySource, 'ghsa');
      assert.equal(lodash.source, 'osv');
      assert.equal(lodash.url, 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
      assert.equal(lodash.matches[0]!.rule, 'ecosystem-range');
      assert.ok(lodash.ratings.length > 0);
      assert.ok(lodash.advisories.some((a) => a.source === 'osv' && a.id === 'GHSA-35jh-r3h4-6jhm'));
      const libc = document.vulnerabilities.find((v) => v.id === 'CVE-2023-4911')!;
      assert.equal(libc.status, 'not-fixed');
      assert.equal(libc.fixedVersion, undefined);
      assert.equal(libc.kev?.dateAdded, '2023-11-21');
      assert.deepEqual(libc.package.layer, { diffId: baseLayer, index: 0 });
      assert.equal(document.packages.find((p) => p.name === 'libc6')!.locations[0]!.layer.index, 1);
      assert.equal(document.vulnerabilities.find((v) => v.package.name === 'curl')!.epss?.score, 0.78483);
      assert.equal(document.vulnerabilities.some((v) => v.suppressed), false);
    });

    it('suppressed findings and their packages only with showSuppressed, with the suppression', () => {
      const document = JSON.parse(renderJson(report, { ...PLAIN, showSuppressed: true })) as ReportDocument;
      assert.equal(document.vulnerabilities.length, 10);
      assert.ok(document.packages.some((p) => p.name === 'apt'));
      assert.deepEqual(document.vulnerabilities.find((v) => v.id === 'CVE-2020-8203')!.suppressed,
        { kind: 'vex', status: 'not_affected', reason: 'vulnerable_code_not_in_execute_path', origin: 'vex/app.openvex.json' });
      assert.equal(document.summary.total, 8);
    });
  });

  describe('quickview', () => {
    const input = (): QuickviewInput => ({
      target: { name: 'app-bullseye', digest: image.manifestDigest, platform: 'linux/amd64', counts: countFindings(report.findings), packages: report.packages.length },
      database: report.database,
      warnings: [],
    });

    it('counts findings by severity, suppressed ones excluded', () => {
      assert.deepEqual(countFindings(report.findings), { critical: 2, high: 2, medium: 2, low: 0, unspecified: 2 });
    });

    it('the target row with its counts, digest, platform and packages; no base row when none is known', () => {
      const lines = renderQuickview(input()).split('\n');
      assert.deepEqual(lines.slice(0, 4), [
        '  Target     │  app-bullseye  │    2C     2H     2M     0L     2U',
        `    digest   │  ${image.manifestDigest.slice(7, 19)}  │`,
        '    platform │  linux/amd64   │',
        '    packages │  189           │',
      ]);
      assert.doesNotMatch(lines.join('\n'), /Base image/);
      assert.match(lines[5]!, /^ {2}Vulnerability database: schema \d+, built \d{4}-\d\d-\d\d \d\d:\d\d UTC \(less than an hour ago\)$/);
      assert.doesNotMatch(lines.join('\n'), /!/);
    });

    it('the base image row with and without counts; the U column only where non-zero', () => {
      const withBase = input();
      withBase.target.counts = { critical: 0, high: 2, medium: 8, low: 1, unspecified: 0 };
      withBase.base = { name: 'docker.io/library/debian:bullseye-slim', digest: image.annotations['org.opencontainers.image.base.digest'] ?? 'sha256:6a64f0d3acb773e2a1fb9045fe69e585c3fe1e5b9ec2ea0d4ef1dd1b99d9db89', counts: { critical: 0, high: 0, medium: 1, low: 1, unspecified: 3 }, packages: 88 };
      const lines = renderQuickview(withBase).split('\n');
      assert.deepEqual(lines.slice(0, 7), [
        '  Target     │  app-bullseye                            │    0C     2H     8M     1L',
        `    digest   │  ${image.manifestDigest.slice(7, 19)}                            │`,
        '    platform │  linux/amd64                             │',
        '    packages │  189                                     │',
        '  Base image │  docker.io/library/debian:bullseye-slim  │    0C     0H     1M     1L     3U',
        '    digest   │  6a64f0d3acb7                            │',
        '    packages │  88                                      │',
      ]);
      withBase.base = { name: 'debian:bullseye-slim' };
      assert.match(renderQuickview(withBase), /^ {2}Base image │ {2}debian:bullseye-slim {2}│$/m);
    });

    it('warns about a database older than a day and passes warnings on; JSON has the same facts', () => {
      const stale = input();
      stale.database = { ...stale.database, ageHours: 30 };
      stale.warnings = ['the base image could not be scanned'];
      const text = renderQuickview(stale);
      assert.match(text, /\(30 hours ago\)\n {2}! The database is more than 24 hours old: run `spyglass db update` for current advisories\.\n {2}! the base image could not be scanned\n$/);
      assert.equal(renderQuickview(stale, { color: true }).replace(ANSI, ''), text);
      const document = JSON.parse(renderQuickviewJson(stale)) as { target: QuickviewInput['target']; database: { stale: boolean }; warnings: string[]; base?: unknown };
      assert.deepEqual(document.target, stale.target);
      assert.equal(document.database.stale, true);
      assert.deepEqual(document.warnings, stale.warnings);
      assert.equal(document.base, undefined);
    });
  });
});
