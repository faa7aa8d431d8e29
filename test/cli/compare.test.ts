// `spyglass compare` as a user runs it, on the fixture OCI layout with the database built from every
// shared feed. Package changes are computed here from the fixture manifests (../shared/fixtures/manifests,
// written by reference tools) with `dpkg --compare-versions` ordering the Debian versions; vulnerability
// changes from `spyglass cves --format json` of each side and from the independent findings computation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { expectedFindings, fixtureManifest } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';

const LAYOUT = `oci-dir://${FIXTURE_OCI}`;
const compareArgs = (image: string, other: string) => ['compare', LAYOUT, '--ref', image, '--to', LAYOUT, '--to-ref', other];

type Counts = Record<'critical' | 'high' | 'medium' | 'low' | 'unspecified', number>;
const LEVELS = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;

interface ComparisonJson {
  image: { name: string; manifestDigest?: string; configDigest?: string; platform?: string; size?: number; packages: number; vulnerabilities: Counts; suppressed: number; baseImage?: { name: string; digest?: string } };
  other: ComparisonJson['image'];
  baseImage: { changed: boolean; image?: { name: string; digest?: string }; other?: { name: string; digest?: string } };
  sizeDelta?: number;
  summary: { packages: Record<string, number>; vulnerabilities: { introduced: Counts; fixed: Counts; unchanged: number; delta: Counts } };
  packages: { change: string; type: string; name: string; arch?: string; version?: string; otherVersion?: string }[];
  vulnerabilities: Record<'introduced' | 'fixed', { id: string; severity: string; package: { type: string; name: string; versions: string[] } }[]>;
}

interface CvesJson {
  summary: Counts;
  vulnerabilities: { id: string; aliases: string[]; package: { name: string; version: string; type: string }; severity: string }[];
}

let work: string;
let env: NodeJS.ProcessEnv;
const cvesReports = new Map<string, CvesJson>();

function cves(image: string): CvesJson {
  let known = cvesReports.get(image);
  if (!known) {
    const result = runCli(['cves', LAYOUT, '--ref', image, '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    cvesReports.set(image, known = JSON.parse(result.stdout) as CvesJson);
  }
  return known;
}

function compareJson(image: string, other: string, extra: string[] = []): ComparisonJson {
  const result = runCli([...compareArgs(image, other), '--format', 'json', ...extra], { env });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ComparisonJson;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-compare-cli-'));
  env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
});
after(() => rmSync(work, { recursive: true, force: true }));

// ---- expected package changes, from the manifests ----

/** `dpkg --compare-versions` for each pair, in one shell: 1 when a > b, -1 when a < b, 0 when equal. */
function dpkgOrder(pairs: readonly [string, string][]): number[] {
  const script = 'while IFS="$(printf \'\\t\')" read -r a b; do if dpkg --compare-versions "$a" gt "$b"; then echo 1; elif dpkg --compare-versions "$a" lt "$b"; then echo -1; else echo 0; fi; done';
  const run = spawnSync('sh', ['-c', script], { input: `${pairs.map(([a, b]) => `${a}\t${b}`).join('\n')}\n`, encoding: 'utf8' });
  const answers = run.stdout.split('\n').filter(Boolean).map(Number);
  assert.equal(answers.length, pairs.length, `dpkg --compare-versions: ${run.stderr}`);
  return answers;
}

/** Package identity → distinct versions, as the manifest lists them (the manifests say `python` for PyPI). */
function manifestVersions(image: string): Map<string, Set<string>> {
  const entries = new Map<string, Set<string>>();
  for (const pkg of fixtureManifest(image).packages as { type: string; name: string; version: string; arch?: string }[]) {
    const type = pkg.type === 'python' ? 'pypi' : pkg.type;
    const key = `${type} ${pkg.name}${type === 'deb' ? `:${pkg.arch}` : ''}`;
    entries.set(key, (entries.get(key) ?? new Set()).add(pkg.version));
  }
  return entries;
}

/** Rows `change type name[:arch] version otherVersion`, sorted: the package changes the manifests imply. */
function expectedPackageRows(image: string, other: string): string[] {
  const a = manifestVersions(image);
  const b = manifestVersions(other);
  const rows: string[] = [];
  const pending: { key: string; version: string; otherVersion: string }[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const mine = [...(a.get(key) ?? [])];
    const theirs = [...(b.get(key) ?? [])];
    for (const version of mine.filter((v) => theirs.includes(v))) rows.push(`unchanged ${key} ${version} ${version}`);
    const onlyMine = mine.filter((v) => !theirs.includes(v));
    const onlyTheirs = theirs.filter((v) => !mine.includes(v));
    // The fixtures change at most one version of a package per side; pairing several is the unit test's job.
    assert.ok(onlyMine.length <= 1 && onlyTheirs.length <= 1, `${key}: several versions changed`);
    if (onlyMine[0] !== undefined && onlyTheirs[0] !== undefined) {
      assert.ok(key.startsWith('deb '), `${key}: only Debian versions change between the fixtures`);
      pending.push({ key, version: onlyMine[0], otherVersion: onlyTheirs[0] });
    } else if (onlyMine[0] !== undefined) rows.push(`added ${key} ${onlyMine[0]} -`);
    else if (onlyTheirs[0] !== undefined) rows.push(`removed ${key} - ${onlyTheirs[0]}`);
  }
  const order = dpkgOrder(pending.map(({ version, otherVersion }) => [version, otherVersion]));
  pending.forEach(({ key, version, otherVersion }, i) => rows.push(`${order[i] === 1 ? 'upgraded' : order[i] === -1 ? 'downgraded' : 'changed'} ${key} ${version} ${otherVersion}`));
  return rows.sort();
}

const packageRows = (comparison: ComparisonJson) => comparison.packages
  .map((change) => `${change.change} ${change.type} ${change.name}${change.type === 'deb' ? `:${change.arch}` : ''} ${change.version ?? '-'} ${change.otherVersion ?? '-'}`).sort();

// ---- expected vulnerability changes, from each side's `cves --format json` ----

/** (package type + name, vulnerability) groups of a cves report, with their ids and aliases and the worst severity. */
function vulnerabilityGroups(report: CvesJson) {
  const groups = new Map<string, { pkg: string; id: string; ids: Set<string>; severity: number }>();
  for (const v of report.vulnerabilities) {
    const pkg = `${v.package.type}/${v.package.name}`;
    const key = `${pkg} ${v.id}`;
    const group = groups.get(key) ?? { pkg, id: v.id, ids: new Set<string>(), severity: LEVELS.length };
    for (const id of [v.id, ...v.aliases]) group.ids.add(id);
    group.severity = Math.min(group.severity, LEVELS.indexOf(v.severity as (typeof LEVELS)[number]));
    groups.set(key, group);
  }
  return [...groups.values()];
}

function onlyIn(mine: CvesJson, theirs: CvesJson): string[] {
  const known = new Set(vulnerabilityGroups(theirs).flatMap((group) => [...group.ids].map((id) => `${group.pkg} ${id}`)));
  return vulnerabilityGroups(mine).filter((group) => ![...group.ids].some((id) => known.has(`${group.pkg} ${id}`)))
    .map((group) => `${LEVELS[group.severity]} ${group.id} ${group.pkg}`).sort();
}

const changeRows = (list: ComparisonJson['vulnerabilities']['introduced']) => list.map((v) => `${v.severity} ${v.id} ${v.package.type}/${v.package.name}`).sort();

function countsOf(rows: string[]): Counts {
  const counts: Counts = { critical: 0, high: 0, medium: 0, low: 0, unspecified: 0 };
  for (const row of rows) counts[row.split(' ')[0] as keyof Counts] += 1;
  return counts;
}

/** (id, package name) pairs the independent findings computation gives `image` and not `other`. */
function oracleOnlyIn(image: string, other: string): string[] {
  const theirs = new Set(expectedFindings(other).map((finding) => `${finding.id} ${finding.package}`));
  return [...new Set(expectedFindings(image).map((finding) => `${finding.id} ${finding.package}`))].filter((key) => !theirs.has(key)).sort();
}

describe('spyglass compare app-bullseye --to app-bookworm', () => {
  let comparison: ComparisonJson;
  before(() => {
    comparison = compareJson('app-bullseye', 'app-bookworm');
  });

  it('lists exactly the package changes the two manifests imply, once per distinct version', () => {
    assert.deepEqual(packageRows(comparison), expectedPackageRows('app-bullseye', 'app-bookworm'));
    const kinds = (change: string) => packageRows(comparison).filter((row) => row.startsWith(`${change} `)).length;
    assert.deepEqual(comparison.summary.packages, {
      added: kinds('added'), removed: kinds('removed'), upgraded: kinds('upgraded'), downgraded: kinds('downgraded'), changed: 0, unchanged: kinds('unchanged'),
    });
    assert.ok(kinds('downgraded') > 0 && kinds('added') > 0 && kinds('removed') > 0 && kinds('unchanged') > 0);
    const entries = (image: string) => [...manifestVersions(image).values()].reduce((sum, versions) => sum + versions.size, 0);
    assert.equal(comparison.image.packages, entries('app-bullseye'));
    assert.equal(comparison.other.packages, entries('app-bookworm'));
  });

  it('vulnerabilities introduced and fixed are those only one side\'s cves report has, per (vulnerability, package)', () => {
    const bullseye = cves('app-bullseye');
    const bookworm = cves('app-bookworm');
    const introduced = onlyIn(bullseye, bookworm);
    const fixed = onlyIn(bookworm, bullseye);
    assert.ok(introduced.length > 0 && fixed.length > 0);
    assert.deepEqual(changeRows(comparison.vulnerabilities.introduced), introduced);
    assert.deepEqual(changeRows(comparison.vulnerabilities.fixed), fixed);
    assert.deepEqual(comparison.summary.vulnerabilities.introduced, countsOf(introduced));
    assert.deepEqual(comparison.summary.vulnerabilities.fixed, countsOf(fixed));
    // Each side's counts are its cves summary.
    for (const level of LEVELS) {
      assert.equal(comparison.image.vulnerabilities[level], bullseye.summary[level]);
      assert.equal(comparison.other.vulnerabilities[level], bookworm.summary[level]);
      assert.equal(comparison.summary.vulnerabilities.delta[level], bullseye.summary[level] - bookworm.summary[level]);
    }
    // And the same pairs as the findings computed from the raw advisory files.
    const pairs = (list: ComparisonJson['vulnerabilities']['introduced']) => [...new Set(list.map((v) => `${v.id} ${v.package.name}`))].sort();
    assert.deepEqual(pairs(comparison.vulnerabilities.introduced), oracleOnlyIn('app-bullseye', 'app-bookworm'));
    assert.deepEqual(pairs(comparison.vulnerabilities.fixed), oracleOnlyIn('app-bookworm', 'app-bullseye'));
  });

  it('shows digests, platforms, sizes from the manifests\' layers and the base image change', () => {
    const bullseye = expectedImage('app-bullseye');
    const bookworm = expectedImage('app-bookworm');
    const size = (image: typeof bullseye) => image.layers.reduce((sum, layer) => sum + layer.size, 0);
    assert.equal(comparison.image.manifestDigest, bullseye.manifestDigest);
    assert.equal(comparison.other.manifestDigest, bookworm.manifestDigest);
    assert.equal(comparison.image.configDigest, bullseye.configDigest);
    assert.equal(comparison.image.platform, bullseye.platform);
    assert.equal(comparison.other.platform, bookworm.platform);
    assert.equal(comparison.image.size, size(bullseye));
    assert.equal(comparison.other.size, size(bookworm));
    assert.equal(comparison.sizeDelta, size(bullseye) - size(bookworm));
    // app-bullseye names its base in annotations; app-bookworm does not (layer detection is another part's job).
    assert.deepEqual(comparison.baseImage.image, {
      name: bullseye.annotations['org.opencontainers.image.base.name'], digest: bullseye.annotations['org.opencontainers.image.base.digest'],
    });
    assert.equal(comparison.baseImage.other, undefined);
    assert.equal(comparison.baseImage.changed, true);
  });

  it('text: Scout\'s overview and markers; --ignore-unchanged leaves unchanged packages out', () => {
    const result = runCli(compareArgs('app-bullseye', 'app-bookworm'), { env });
    assert.equal(result.status, 0, result.stderr);
    const text = result.stdout;
    assert.match(text, /^ {2}Target +│ {2}app-bullseye +│ {2}app-bookworm$/m);
    assert.match(text, /^ {4}digest +│ {2}63787180c314 +│ {2}6f96c2613841$/m);
    assert.match(text, /^ {2}Base image +│ {2}docker\.io\/library\/debian:bullseye-slim +│ {2}unknown$/m);
    // curl: 7.74.0-1.3+deb11u16 in the bullseye app (README's trap table), bookworm's is higher.
    const curl = fixtureManifest('app-bookworm').packages.find((pkg) => pkg.name === 'curl')!.version;
    assert.match(text, new RegExp(`^ {2}↓ {2}curl +deb +7\\.74\\.0-1\\.3\\+deb11u16 +${curl.replace(/[.+]/g, '\\$&')}\\b`, 'm'));
    // six and urllib3 are the same wheels in both.
    assert.match(text, /^ {5}six +pypi +1\.16\.0 +1\.16\.0$/m);
    assert.match(text, /^## Vulnerabilities$/m);
    assert.match(text, /^ {2}CRITICAL$/m);
    assert.match(result.stderr, /^warning: app-bullseye: .*security support/m);
    const quiet = runCli(['-q', ...compareArgs('app-bullseye', 'app-bookworm'), '--ignore-unchanged'], { env });
    assert.equal(quiet.stderr, '');
    assert.doesNotMatch(quiet.stdout, /^ {5}six /m);
    assert.match(quiet.stdout, /^ {2}↓ {2}curl /m);
  });

  it('either side can be an SBOM (sbom://) and gives the same comparison', () => {
    const sbomFile = join(work, 'app-bookworm.spdx.json');
    const exported = runCli(['sbom', LAYOUT, '--ref', 'app-bookworm', '--format', 'spdx', '-o', sbomFile], { env });
    assert.equal(exported.status, 0, exported.stderr);
    const result = runCli(['compare', LAYOUT, '--ref', 'app-bullseye', '--to', `sbom://${sbomFile}`, '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const fromSbom = JSON.parse(result.stdout) as ComparisonJson;
    assert.deepEqual(packageRows(fromSbom), packageRows(comparison));
    assert.deepEqual(fromSbom.vulnerabilities, comparison.vulnerabilities);
  });

  it('--only-package-type and --only-severity apply to both sides', () => {
    const npm = compareJson('app-bullseye', 'app-bookworm', ['--only-package-type', 'npm']);
    assert.ok(npm.packages.length > 0 && npm.packages.every((change) => change.type === 'npm' && change.change === 'unchanged'));
    assert.deepEqual(npm.vulnerabilities, { introduced: [], fixed: [] });
    const critical = compareJson('app-bullseye', 'app-bookworm', ['--only-severity', 'critical']);
    assert.deepEqual(changeRows(critical.vulnerabilities.introduced), changeRows(comparison.vulnerabilities.introduced).filter((row) => row.startsWith('critical ')));
    assert.deepEqual(changeRows(critical.vulnerabilities.fixed), changeRows(comparison.vulnerabilities.fixed).filter((row) => row.startsWith('critical ')));
    assert.equal(critical.image.vulnerabilities.critical, cves('app-bullseye').summary.critical);
    assert.equal(critical.image.vulnerabilities.high, 0);
  });
});

describe('spyglass compare debian-bullseye-refreshed --to debian-bullseye-base', () => {
  let comparison: ComparisonJson;
  before(() => {
    comparison = compareJson('debian-bullseye-refreshed', 'debian-bullseye-base');
  });

  it('only Debian packages changed, each upgraded, as the manifests say', () => {
    const rows = expectedPackageRows('debian-bullseye-refreshed', 'debian-bullseye-base');
    assert.deepEqual(packageRows(comparison), rows);
    const changed = rows.filter((row) => !row.startsWith('unchanged '));
    assert.ok(changed.length > 0 && changed.every((row) => row.startsWith('upgraded deb ')), changed.join('\n'));
    assert.equal(comparison.summary.packages.added + comparison.summary.packages.removed + comparison.summary.packages.downgraded, 0);
  });

  it('fixes vulnerabilities and introduces none', () => {
    const refreshed = cves('debian-bullseye-refreshed');
    const base = cves('debian-bullseye-base');
    assert.deepEqual(comparison.vulnerabilities.introduced, []);
    assert.deepEqual(changeRows(comparison.vulnerabilities.fixed), onlyIn(base, refreshed));
    assert.ok(comparison.vulnerabilities.fixed.length > 0);
    const total = (counts: Counts) => LEVELS.reduce((sum, level) => sum + counts[level], 0);
    assert.ok(total(comparison.image.vulnerabilities) < total(comparison.other.vulnerabilities));
    assert.deepEqual([...new Set(comparison.vulnerabilities.fixed.map((v) => `${v.id} ${v.package.name}`))].sort(), oracleOnlyIn('debian-bullseye-base', 'debian-bullseye-refreshed'));
  });

  it('--exit-on vulnerability: 0 when nothing is introduced, 2 the other way round (with the comparison printed)', () => {
    const fine = runCli(['-q', ...compareArgs('debian-bullseye-refreshed', 'debian-bullseye-base'), '--exit-on', 'vulnerability', '--format', 'json'], { env });
    assert.equal(fine.status, 0, fine.stderr);
    const worse = runCli(['-q', ...compareArgs('debian-bullseye-base', 'debian-bullseye-refreshed'), '--exit-on', 'vulnerability', '--format', 'json'], { env });
    assert.equal(worse.status, 2, worse.stderr);
    assert.equal(worse.stderr, '');
    const printed = JSON.parse(worse.stdout) as ComparisonJson;
    assert.deepEqual(changeRows(printed.vulnerabilities.introduced), changeRows(comparison.vulnerabilities.fixed));
    // A filter that leaves nothing introduced: exit 0.
    const npmOnly = runCli(['-q', ...compareArgs('app-bullseye', 'app-bookworm'), '--exit-on', 'vulnerability', '--only-package-type', 'npm'], { env });
    assert.equal(npmOnly.status, 0, npmOnly.stderr);
    const appWorse = runCli(['-q', ...compareArgs('app-bullseye', 'app-bookworm'), '--exit-on', 'vulnerability', '--format', 'markdown', '-o', join(work, 'compare.md')], { env });
    assert.equal(appWorse.status, 2, appWorse.stderr);
    assert.equal(appWorse.stdout, '');
    assert.match(readFileSync(join(work, 'compare.md'), 'utf8'), /^## Comparison of `app-bullseye` with `app-bookworm`$/m);
  });
});

describe('spyglass compare: bad input is one line and a non-zero exit', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --to', ['compare', LAYOUT, '--ref', 'app-bullseye'], /^spyglass: --to or --to-env: give the image to compare with/],
    ['an empty --to', ['compare', LAYOUT, '--ref', 'app-bullseye', '--to', ''], /^spyglass: --to: no image given/],
    ['an unknown format', [...compareArgs('app-bullseye', 'app-bookworm'), '--format', 'sarif'], /^spyglass: --format sarif: expected one of text, markdown, json$/],
    ['an unknown --exit-on condition', [...compareArgs('app-bullseye', 'app-bookworm'), '--exit-on', 'policy'], /^spyglass: --exit-on: unknown condition "policy" \(known: vulnerability\)$/],
    ['an unknown severity', [...compareArgs('app-bullseye', 'app-bookworm'), '--only-severity', 'urgent'], /^spyglass: --only-severity: unknown severity "urgent"/],
    ['an unknown package type', [...compareArgs('app-bullseye', 'app-bookworm'), '--only-package-type', 'deb,snap'], /^spyglass: --only-package-type: unknown package type "snap"/],
    ['a --to image not in the layout', compareArgs('app-bullseye', 'no-such-image'), /^spyglass: .*no-such-image/],
    ['a missing --to layout', ['compare', LAYOUT, '--ref', 'app-bullseye', '--to', 'oci-dir://missing-layout'], /^spyglass: .*missing-layout/],
    ['a missing SBOM', ['compare', 'sbom://missing.spdx.json', '--to', LAYOUT, '--to-ref', 'app-bookworm'], /^spyglass: .*missing\.spdx\.json/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const result = runCli(['-q', ...args], { env, cwd: work });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr.trimEnd(), message);
      assert.ok(!existsSync(join(work, 'missing-layout')));
    });
  }
});
