// `--format html`: the renderer on hand-made and sample reports (escaping, self-containedness, the
// quickview's recommended bases, suppressed findings), and `spyglass cves --format html` on fixture
// images, read back from the page. Expected values: the fixture image's manifest (layers, packages and
// the layer that introduced each: computed with skopeo and umoci), the findings computed from the raw
// advisory files (expected-findings.ts), and `--format json` of the same image for the counts (the HTML
// format is what is tested, so JSON is the cross-check of the same scan).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { SEVERITY_LEVELS, type VulnerabilityReport } from '../../src/core/finding.ts';
import type { ReportDocument } from '../../src/report/json.ts';
import { renderHtml } from '../../src/report/html.ts';
import type { RenderOptions } from '../../src/report/options.ts';
import { runCli } from '../helpers/cli.ts';
import { expectedFindings, findingKey } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, fixtureArchives, FIXTURE_MANIFESTS, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { textSampleReport } from '../helpers/report-text.ts';

const PLAIN: RenderOptions = { showSuppressed: false, locations: false, details: false, epss: false };

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&');
}

/** The visible text pieces of a piece of markup: the text between tags, trimmed, unescaped. */
function texts(markup: string): string[] {
  return markup.split(/<[^>]*>/).map((piece) => unescape(piece.trim())).filter(Boolean);
}

/** The section `id`'s markup. */
function sectionOf(html: string, id: string): string {
  const match = new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html);
  assert.ok(match, `no section ${id}`);
  return match[0];
}

/** The body rows of the section's table, each as its cells' text pieces. */
function rowsOf(html: string, id: string): string[][][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(sectionOf(html, id));
  if (!body) return [];
  return [...body[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => texts(cell[1]!)));
}

/** The counts the severity distribution states (its legend), as `{critical, …, total}`. */
function legendCounts(html: string): Record<string, number> {
  return Object.fromEntries([...sectionOf(html, 'distribution').matchAll(/data-level="(\w+)">(\d+)</g)].map((match) => [match[1]!, Number(match[2])]));
}

/** The image's count badges in the quickview (its first row). */
function quickviewCounts(html: string): Record<string, number> {
  const row = /<tbody>\s*(<tr>[\s\S]*?<\/tr>)/.exec(sectionOf(html, 'quickview'));
  assert.ok(row);
  return Object.fromEntries([...row[1]!.matchAll(/data-level="(\w+)" data-count="(\d+)"/g)].map((match) => [match[1]!, Number(match[2])]));
}

type Counts = Record<(typeof SEVERITY_LEVELS)[number], number>;

/** One quickview row read back from the page: label, name, counts (every level, from the badges) and change. */
interface QuickviewRowFacts { label: string; name: string; detail?: string; counts?: Counts; delta?: Counts }

function quickviewRows(html: string): QuickviewRowFacts[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(sectionOf(html, 'quickview'));
  assert.ok(body);
  const letters: Record<string, (typeof SEVERITY_LEVELS)[number]> = { C: 'critical', H: 'high', M: 'medium', L: 'low', U: 'unspecified' };
  const zero = () => Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, 0])) as Counts;
  return [...body[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!);
    const [name, detail] = texts(cells[1]!);
    const badges = [...cells[2]!.matchAll(/data-level="(\w+)" data-count="(\d+)"/g)];
    const change = /<div class="delta">([\s\S]*?)<\/div>/.exec(cells[2]!);
    let delta: Counts | undefined;
    if (change) {
      delta = zero();
      // `−1H −39U`, `+5L`: a sign (a real minus), the change, the level's letter; levels not named did not change.
      for (const [, sign, value, letter] of unescape(change[1]!).matchAll(/([+−])(\d+)([CHMLU])/g)) delta[letters[letter!]!] = (sign === '−' ? -1 : 1) * Number(value);
    }
    return {
      label: texts(cells[0]!)[0]!, name: name!, ...(detail !== undefined ? { detail } : {}),
      ...(badges.length > 0 ? { counts: { ...zero(), ...Object.fromEntries(badges.map((badge) => [badge[1]!, Number(badge[2])])) } } : {}),
      ...(delta ? { delta } : {}),
    };
  });
}

/** Counts per severity from the fixture's own `spyglass cves --format json` (as test/cli/recommendations.test.ts). */
function cvesCounts(image: string, env: NodeJS.ProcessEnv): Counts {
  const result = runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', image, '--format', 'json'], { env });
  assert.equal(result.status, 0, result.stderr);
  const vulnerabilities = (JSON.parse(result.stdout) as ReportDocument).vulnerabilities;
  return Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, vulnerabilities.filter((v) => v.severity === level).length])) as Counts;
}

function minus(a: Counts, b: Counts): Counts {
  return Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, a[level] - b[level]])) as Counts;
}

/**
 * The vulnerability rows in the shape of the independent computation: one per package name, version
 * and id (the same package at two paths is two rows of the page, one finding there).
 */
function findingKeys(rows: string[][][]): string[] {
  return [...new Set(rows.map((row) => {
    const [installed, , fixedText] = row[5]!;
    const fixed = !fixedText!.startsWith('not fixed');
    return findingKey({ id: row[0]![0]!, package: row[6]![0]!, version: installed!, fixed: fixed ? fixedText!.split(', ')[0]! : null, status: fixed ? 'fixed' : 'not-fixed' });
  }))].sort();
}

/**
 * The checks every page must pass: an HTML5 document with a language, well-formed (the renderer writes
 * XML-compatible markup, so an XML validator checks every tag is closed and nested right), and nothing
 * that loads anything: no script at all, no src/href on anything but links, and links only to https pages.
 */
function assertStandalone(html: string): void {
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'), html.slice(0, 80));
  const validated = XMLValidator.validate(html.slice('<!DOCTYPE html>'.length));
  assert.equal(validated, true, JSON.stringify(validated));
  for (const tag of ['html', 'head', 'body', 'main', 'section', 'table', 'thead', 'tbody', 'tr', 'svg', 'a']) {
    const opened = html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
    const closed = html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
    assert.equal(opened, closed, `<${tag}> opened ${opened} times, closed ${closed}`);
  }
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<(link|img|iframe|object|embed|source|video|audio|image|use|base|form)[\s>/]/i);
  assert.match(html, /<style>/);
  assert.doesNotMatch(/<style>([\s\S]*?)<\/style>/.exec(html)![1]!, /url\(|@import|https?:/i);
  for (const tag of html.matchAll(/<([a-zA-Z][\w-]*)\b([^>]*)>/g)) {
    const [, name, attributes] = tag as unknown as [string, string, string];
    assert.doesNotMatch(attributes, /\son\w+\s*=/i, `event handler in <${name}${attributes}>`);
    for (const attribute of attributes.matchAll(/\s(src|href|xlink:href|srcset|action|data)\s*=\s*"([^"]*)"/gi)) {
      assert.equal(name, 'a', `<${name}> has ${attribute[1]}="${attribute[2]}": only links may carry a URL`);
      assert.match(attribute[2]!, /^https:\/\/[^\s"<>]+$/, `link to ${attribute[2]}`);
    }
  }
}

describe('html report renderer', () => {
  let sample: VulnerabilityReport;
  before(async () => {
    ({ report: sample } = await textSampleReport());
  });

  it('escapes every value taken from the image, the advisories and the flags', () => {
    const evil = '<script>alert(1)</script>';
    const report: VulnerabilityReport = {
      schemaVersion: 1,
      tool: { name: 'spyglass', version: '0.0.0-test' },
      createdAt: '2026-01-02T03:04:05.000Z',
      target: {
        input: `archive://x.tar"><script>alert(2)</script>`, names: [`evil"'><img src=x onerror=alert(3)>${evil}`],
        manifestDigest: 'sha256:aaaa', platform: 'linux/amd64',
        layers: [{ digest: 'sha256:d1', diffId: 'sha256:l1', size: 10, createdBy: `RUN echo '${evil}' && <b>x</b>` }],
      },
      distro: { id: 'debian', prettyName: `Debian <i>${evil}</i>` },
      database: { builtAt: '2026-01-01T00:00:00.000Z', schemaVersion: 3, ageHours: 27 },
      baseImage: { name: `base${evil}` },
      packages: [{
        id: 'p1', type: 'npm', name: evil, version: '1.0"><img src=x onerror=alert(4)>', purl: 'pkg:npm/x@1', licenses: [],
        locations: [{ path: '/app/package.json', layerDiffId: 'sha256:l1' }],
      }],
      findings: [{
        id: `CVE-2024-0001${evil}`, aliases: [`GHSA-${evil}`], packageId: 'p1', status: 'fixed', fixedVersions: [`2.0${evil}`],
        affectedRange: `< 2.0${evil}`, matches: [], sources: [{ source: 'osv', id: 'x', aliases: [], severity: [], references: [], summary: `Summary ${evil}` }],
        rating: { level: 'high', cvss: { score: 7.5, vector: `CVSS:3.1/AV:N${evil}`, version: '3.1', by: 'nvd' }, all: [] },
      }],
      warnings: [`warning ${evil}`],
    };
    const html = renderHtml(report, { ...PLAIN, details: true, filters: [`--only-package ${evil}`] });
    assertStandalone(html);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    // Every hostile string reads back as the text it was, in the place it belongs.
    const [row] = rowsOf(html, 'vulnerabilities');
    assert.equal(row![0]![0], `CVE-2024-0001${evil}`);
    assert.equal(row![0]![1], `GHSA-${evil}`);
    assert.equal(row![0]![2], `Summary ${evil}`);
    assert.equal(row![5]![0], '1.0"><img src=x onerror=alert(4)>');
    assert.equal(row![5]![2], `2.0${evil}`);
    assert.equal(row![6]![0], evil);
    assert.deepEqual(rowsOf(html, 'packages'), [[[evil], ['1.0"><img src=x onerror=alert(4)>'], ['npm'], ['1']]]);
    assert.equal(rowsOf(html, 'layers')[0]![1]![0], `RUN echo '${evil}' && <b>x</b>`);
    assert.ok(texts(sectionOf(html, 'filters')).includes(`--only-package ${evil}`));
    assert.ok(texts(html).includes(`warning ${evil}`));
    assert.ok(texts(html).includes(`evil"'><img src=x onerror=alert(3)>${evil}`));
    // The link goes to OSV's page for the id, the id percent-encoded (advisory-links.ts).
    assert.ok(html.includes(`href="https://osv.dev/vulnerability/${encodeURIComponent(`CVE-2024-0001${evil}`)}"`));
  });

  it('colours every badge with a contrast of at least 4.5:1 (WCAG AA for text)', () => {
    const html = renderHtml(sample, PLAIN);
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const rules = [...html.matchAll(/(\.(?:sev-\w+|badge\.zero))\{background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})\}/g)];
    assert.deepEqual(rules.map((rule) => rule[1]), [...SEVERITY_LEVELS.map((level) => `.sev-${level}`), '.badge.zero']);
    for (const [, name, background, colour] of rules) {
      const [light, dark] = [luminance(background!), luminance(colour!)].sort((a, b) => b - a);
      const ratio = (light! + 0.05) / (dark! + 0.05);
      assert.ok(ratio >= 4.5, `${name}: ${ratio.toFixed(2)}:1`);
    }
  });

  it('states the filters applied, or that there were none', () => {
    assert.deepEqual(texts(sectionOf(renderHtml(sample, PLAIN), 'filters')).slice(1), ['No filters: every vulnerability found is listed.', '2 suppressed vulnerabilities (VEX or ignore file) neither listed nor counted.']);
    const filtered = texts(sectionOf(renderHtml(sample, { ...PLAIN, filters: ['--only-severity critical,high', '--only-fixed'] }), 'filters'));
    assert.ok(filtered.includes('--only-severity critical,high') && filtered.includes('--only-fixed'), filtered.join(' | '));
  });

  it('lists suppressed findings only with showSuppressed, marked and not counted', () => {
    // The sample: 10 findings, CVE-2020-8203 (lodash) and CVE-2011-3374 (apt) suppressed (report.ts, report-text.ts).
    const ids = (html: string) => rowsOf(html, 'vulnerabilities').map((row) => row[0]![0]!);
    const plain = renderHtml(sample, PLAIN);
    assert.equal(ids(plain).length, 8);
    assert.ok(!ids(plain).includes('CVE-2020-8203') && !ids(plain).includes('CVE-2011-3374'));
    const all = renderHtml(sample, { ...PLAIN, showSuppressed: true });
    assert.equal(ids(all).length, 10);
    const suppressed = rowsOf(all, 'vulnerabilities').find((row) => row[0]![0] === 'CVE-2020-8203')!;
    assert.match(suppressed[0]!.join(' '), /suppressed by VEX not_affected/);
    assert.deepEqual(legendCounts(all), legendCounts(plain));
    assert.deepEqual(legendCounts(plain), { critical: 2, high: 2, medium: 2, low: 0, unspecified: 2, total: 8 });
  });

  it('shows CVSS, EPSS, KEV, installed → fixed and the layer of each finding', () => {
    const html = renderHtml(sample, PLAIN);
    const image = expectedImage('app-bullseye');
    const row = (id: string, name: string) => rowsOf(html, 'vulnerabilities').find((cells) => cells[0]![0] === id && cells[6]![0] === name)!;
    // CVE-2023-4911 (Looney Tunables): NVD's 7.8, in CISA's KEV catalog, not fixed in bullseye; libc6 came with the base layer.
    const glibc = row('CVE-2023-4911', 'libc6');
    assert.equal(glibc[2]![0], '7.8');
    assert.equal(glibc[4]![0], 'KEV');
    assert.equal(glibc[5]![0], '2.31-13+deb11u11');
    assert.match(glibc[5]![2]!, /^not fixed/);
    assert.equal(glibc[7]![0], String(image.layers.findIndex((layer) => layer.diffId === sample.packages.find((pkg) => pkg.name === 'libc6')!.introducedLayerDiffId) + 1));
    // CVE-2021-23337 in lodash: fixed in 4.17.21 (GHSA-35jh-r3h4-6jhm), lodash copied in by the app layer (layer 3).
    const lodash = row('CVE-2021-23337', 'lodash');
    assert.deepEqual(lodash[5], ['4.17.15', '→', '4.17.21']);
    assert.equal(lodash[4]![0], '–');
    assert.equal(lodash[7]![0], '3');
    // EPSS for CVE-2023-38545 as FIRST published it in the fixture feed: a percentage and a percentile.
    assert.match(row('CVE-2023-38545', 'curl')[3]!.join(' '), /^\d+\.\d\d% \d+(st|nd|rd|th) percentile$/);
  });

  it('puts the base image, refreshed and updated bases with their deltas in the quickview', () => {
    const counts = { critical: 1, high: 2, medium: 3, low: 4, unspecified: 0 };
    const html = renderHtml({ ...sample, baseImage: { name: 'debian:bullseye-slim', digest: 'sha256:0123456789abcdef' } }, PLAIN, {
      base: { counts, packages: 96 },
      refreshed: { name: 'debian:bullseye-slim', digest: 'sha256:fedcba9876543210', counts: { ...counts, high: 0 }, delta: { critical: 0, high: -2, medium: 0, low: 0, unspecified: 0 } },
      updated: { name: 'debian:bookworm-slim', counts: { ...counts, critical: 0, low: 7 }, delta: { critical: -1, high: 0, medium: 0, low: 3, unspecified: 0 } },
    });
    assertStandalone(html);
    const rows = rowsOf(html, 'quickview');
    assert.deepEqual(rows.map((row) => row[0]![0]), ['Your image', 'Base image', 'Refreshed base image', 'Updated base image']);
    assert.deepEqual(rows[1], [['Base image'], ['debian:bullseye-slim', '96 packages'], ['1C', '2H', '3M', '4L']]);
    assert.deepEqual(rows[2], [['Refreshed base image'], ['debian:bullseye-slim', 'fedcba987654'], ['1C', '0H', '3M', '4L', '−2H']]);
    assert.deepEqual(rows[3], [['Updated base image'], ['debian:bookworm-slim'], ['0C', '2H', '3M', '7L', '−1C +3L']]);
  });
});

describe('spyglass cves --format html', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const OCI = [`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye'];
  const cves = (args: string[]) => {
    const result = runCli(['cves', ...args], { env });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  let json: ReportDocument;
  let html: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-html-cli-'));
    env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
    json = JSON.parse(cves([...OCI, '--format', 'json'])) as ReportDocument;
    const file = join(work, 'app-bullseye.html');
    assert.equal(cves([...OCI, '--format', 'html', '--output', file]), '', '--output leaves standard output empty');
    html = readFileSync(file, 'utf8');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('writes a standalone page to --output with the counts of the JSON report of the same image', () => {
    assertStandalone(html);
    const summary = Object.fromEntries([...SEVERITY_LEVELS, 'total'].map((level) => [level, json.summary[level as keyof ReportDocument['summary']]]));
    assert.deepEqual(legendCounts(html), summary);
    const { total: _total, ...bySeverity } = summary;
    assert.deepEqual(quickviewCounts(html), bySeverity);
    assert.ok(summary.total! > 0);
  });

  it('lists every vulnerability of the JSON report, and exactly the findings computed from the raw advisory files', () => {
    const rows = rowsOf(html, 'vulnerabilities');
    assert.equal(rows.length, json.vulnerabilities.length);
    const shown = rows.map((row) => `${row[0]![0]} ${row[6]![0]} ${row[5]![0]}`).sort();
    assert.deepEqual(shown, json.vulnerabilities.map((v) => `${v.id} ${v.package.name} ${v.package.version}`).sort());
    for (const vulnerability of json.vulnerabilities) assert.ok(html.includes(`>${vulnerability.id}</a>`), vulnerability.id);
    assert.deepEqual(findingKeys(rows), expectedFindings('app-bullseye').map(findingKey).sort());
  });

  it('shows the image from its manifest: digest, platform, layers with their commands and the packages each added', () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, 'app-bullseye.json'), 'utf8')) as {
      manifestDigest: string; platform: string; layers: { diffId: string; createdBy: string }[];
      packages: { introducedLayerDiffId?: string; layerDiffId: string }[];
    };
    const header = texts(/<header>[\s\S]*?<\/header>/.exec(html)![0]);
    assert.ok(header.includes(manifest.manifestDigest) && header.includes(manifest.platform), header.join(' | '));
    assert.ok(header.includes('Debian GNU/Linux 11 (bullseye)'));
    const added = new Map<string, number>();
    for (const pkg of manifest.packages) {
      const layer = pkg.introducedLayerDiffId ?? pkg.layerDiffId;
      added.set(layer, (added.get(layer) ?? 0) + 1);
    }
    assert.deepEqual(rowsOf(html, 'layers').map((row) => [row[0]![0], row[1]![0], row[2]![0]]),
      manifest.layers.map((layer, i) => [String(i + 1), layer.createdBy, String(added.get(layer.diffId) ?? 0)]));
    assert.equal(rowsOf(html, 'packages').length, manifest.packages.length);
  });

  it('states the filters and counts what they let through, as the JSON report does', () => {
    const flags = ['--only-severity', 'critical,high', '--only-fixed'];
    const filtered = JSON.parse(cves([...OCI, ...flags, '--format', 'json'])) as ReportDocument;
    const page = cves([...OCI, ...flags, '--format', 'html']);
    assertStandalone(page);
    assert.ok(texts(sectionOf(page, 'filters')).includes('--only-severity critical,high'));
    assert.ok(texts(sectionOf(page, 'filters')).includes('--only-fixed'));
    assert.deepEqual(legendCounts(page), { critical: filtered.summary.critical, high: filtered.summary.high, medium: 0, low: 0, unspecified: 0, total: filtered.summary.total });
    assert.equal(rowsOf(page, 'vulnerabilities').length, filtered.vulnerabilities.length);
    assert.ok(rowsOf(page, 'vulnerabilities').every((row) => ['Critical', 'High'].includes(row[1]![0]!) && !row[5]![2]!.startsWith('not fixed')));
  });

  it('without a base image catalog: the base row from the same OCI layout, no recommended bases', () => {
    const rows = quickviewRows(html);
    assert.deepEqual(rows.map((row) => row.label), ['Your image', 'Base image']);
    // app-bullseye's annotations name debian:bullseye-slim at debian-bullseye-base's digest, which the layout holds.
    assert.equal(rows[1]!.name, 'docker.io/library/debian:bullseye-slim');
    assert.equal(rows[1]!.detail, `${(expectedImage('debian-bullseye-base') as unknown as { packageCounts: { deb: number } }).packageCounts.deb} packages`);
    assert.deepEqual(rows[1]!.counts, cvesCounts('debian-bullseye-base', env));
  });

  it('a base image that cannot be read: a warning on standard error, the base row with its name and no counts', () => {
    // The fixture layout without debian-bullseye-base's manifest: the annotation names a digest the layout lacks.
    const layout = join(work, 'no-base');
    mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
    const missing = expectedImage('debian-bullseye-base').manifestDigest.slice('sha256:'.length);
    for (const blob of readdirSync(join(FIXTURE_OCI, 'blobs/sha256'))) if (blob !== missing) symlinkSync(join(FIXTURE_OCI, 'blobs/sha256', blob), join(layout, 'blobs/sha256', blob));
    for (const file of ['index.json', 'oci-layout']) writeFileSync(join(layout, file), readFileSync(join(FIXTURE_OCI, file)));
    const result = runCli(['cves', `oci-dir://${layout}`, '--ref', 'app-bullseye', '--format', 'html'], { env });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^warning: base image docker\.io\/library\/debian:bullseye-slim: not scanned \(.+\)$/m);
    assertStandalone(result.stdout);
    const rows = quickviewRows(result.stdout);
    assert.deepEqual(rows.map((row) => [row.label, row.name, row.counts === undefined]), [['Your image', 'app-bullseye', false], ['Base image', 'docker.io/library/debian:bullseye-slim', true]]);
    assert.deepEqual(texts(sectionOf(result.stdout, 'quickview')).filter((text) => text === 'unknown'), ['unknown']);
    assert.deepEqual(rows[0]!.counts, quickviewCounts(html));
  });

  it('reads a docker-save archive of another image the same way', () => {
    const archive = join(fixtureArchives(), 'app-bookworm.docker.tar');
    assert.ok(existsSync(archive));
    const other = JSON.parse(cves([`archive://${archive}`, '--format', 'json'])) as ReportDocument;
    const page = cves([`archive://${archive}`, '--format', 'html']);
    assertStandalone(page);
    assert.deepEqual(legendCounts(page), Object.fromEntries([...SEVERITY_LEVELS, 'total'].map((level) => [level, other.summary[level as keyof ReportDocument['summary']]])));
    assert.deepEqual(rowsOf(page, 'vulnerabilities').map((row) => row[0]![0]).sort(), other.vulnerabilities.map((v) => v.id).sort());
    assert.deepEqual(findingKeys(rowsOf(page, 'vulnerabilities')), expectedFindings('app-bookworm').map(findingKey).sort());
  });
});

describe('spyglass cves --format html with a base image catalog', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const OCI = `oci-dir://${FIXTURE_OCI}`;
  const counts: Record<string, Counts> = {};

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-html-catalog-'));
    // The shared fixture database, read-only, beside this test's own catalog.
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
    env = { SPYGLASS_DATA_DIR: dataDir, SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
    for (const image of ['debian-bullseye-base', 'debian-bullseye-refreshed', 'debian-bookworm-base']) counts[image] = cvesCounts(image, env);
    // bullseye-slim catalogued at the digest app-bullseye's annotation names, then refreshed; bookworm-slim beside it.
    for (const [image, as] of [['debian-bullseye-base', 'bullseye-slim'], ['debian-bullseye-refreshed', 'bullseye-slim'], ['debian-bookworm-base', 'bookworm-slim']] as const) {
      const added = runCli(['base-images', 'add', OCI, '--ref', image, '--as', `docker.io/library/debian:${as}`], { env });
      assert.equal(added.status, 0, added.stderr);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('shows the base, refreshed and updated bases with the counts and changes of `spyglass quickview --format json`', () => {
    const quickview = runCli(['quickview', OCI, '--ref', 'app-bullseye', '--format', 'json'], { env });
    assert.equal(quickview.status, 0, quickview.stderr);
    type Row = { name: string; digest: string; counts: Counts; delta: Counts };
    const summary = JSON.parse(quickview.stdout) as { target: { counts: Counts }; base: { name: string; counts: Counts; packages: number }; refreshed: Row; updated: Row };
    const result = runCli(['cves', OCI, '--ref', 'app-bullseye', '--format', 'html'], { env });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /not scanned|catalog/);
    const page = result.stdout;
    assertStandalone(page);
    const rows = quickviewRows(page);
    assert.deepEqual(rows, [
      { label: 'Your image', name: 'app-bullseye', detail: `${(expectedImage('app-bullseye') as unknown as { packages: unknown[] }).packages.length} packages`, counts: summary.target.counts },
      { label: 'Base image', name: summary.base.name, detail: `${summary.base.packages} packages`, counts: summary.base.counts },
      { label: 'Refreshed base image', name: summary.refreshed.name, detail: summary.refreshed.digest.slice(7, 19), counts: summary.refreshed.counts, delta: summary.refreshed.delta },
      { label: 'Updated base image', name: summary.updated.name, detail: summary.updated.digest.slice(7, 19), counts: summary.updated.counts, delta: summary.updated.delta },
    ]);
    // And both right: each base's counts are its own scan's, the refreshed and updated digests the fixtures' manifests.
    assert.equal(summary.base.name, 'debian:bullseye-slim');
    assert.deepEqual(summary.base.counts, counts['debian-bullseye-base']);
    assert.equal(summary.refreshed.name, 'debian:bullseye-slim');
    assert.equal(summary.refreshed.digest, expectedImage('debian-bullseye-refreshed').manifestDigest);
    assert.deepEqual(summary.refreshed.counts, counts['debian-bullseye-refreshed']);
    assert.deepEqual(summary.refreshed.delta, minus(counts['debian-bullseye-refreshed']!, counts['debian-bullseye-base']!));
    assert.equal(summary.updated.name, 'debian:bookworm-slim');
    assert.equal(summary.updated.digest, expectedImage('debian-bookworm-base').manifestDigest);
    assert.deepEqual(summary.updated.delta, minus(counts['debian-bookworm-base']!, counts['debian-bullseye-base']!));
    assert.ok(summary.refreshed.delta.unspecified < 0 || summary.refreshed.delta.high < 0, 'the refresh fixes something');
  });
});
