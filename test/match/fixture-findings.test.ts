// Matching on every fixture image with every shared feed ingested: the findings Spyglass makes are
// exactly those computed in the test from the raw advisory files and the fixture manifests
// (test/helpers/expected-findings.ts, written apart from src/match: the real dpkg, the semver package,
// a PEP 440 reading). A hand-checked subset, each row read off the raw files (quoted below), pins the
// oracle itself, so the two cannot agree on a shared mistake in the rows that matter most.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { catalogImage } from '../../src/catalog/engine.ts';
import type { Platform } from '../../src/core/platform.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { openImage } from '../../src/image/open.ts';
import { matchSbom } from '../../src/match/match.ts';
import { explainedFindings, findingKey, fixtureManifest, type ExpectedFinding } from '../helpers/expected-findings.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { FIXTURE_OCI } from '../helpers/fixtures.ts';

/** Manifest name → the image in the fixture OCI layout (and the platform, for the index). */
const IMAGES: Record<string, { ref: string; platform?: Platform }> = {
  'app-bullseye': { ref: 'app-bullseye' },
  'app-bookworm': { ref: 'app-bookworm' },
  'debian-bullseye-base': { ref: 'debian-bullseye-base' },
  'debian-bookworm-base': { ref: 'debian-bookworm-base' },
  'debian-bullseye-refreshed': { ref: 'debian-bullseye-refreshed' },
  'multiarch-amd64': { ref: 'multiarch', platform: { os: 'linux', architecture: 'amd64' } },
  'multiarch-arm64': { ref: 'multiarch', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
};

type Row = ExpectedFinding & { image: string };
const fixed = (image: string, id: string, pkg: string, version: string, fix: string): Row => ({ image, id, package: pkg, version, fixed: fix, status: 'fixed' });
const open = (image: string, id: string, pkg: string, version: string): Row => ({ image, id, package: pkg, version, fixed: null, status: 'not-fixed' });

/** Findings checked by hand against the raw files: each must be (or, in ABSENT, must not be) found. */
const HAND_CHECKED: Row[] = [
  // debian/cve-list/list: CVE-2021-36084 `{DLA-3930-1}` `- libsepol 3.3-1 (bug #990526)`, no [bullseye] line;
  // DLA-list-excerpt: `DLA-3930-1 libsepol` `[bullseye] - libsepol 3.1-1+deb11u1`. The base has 3.1-1.
  fixed('debian-bullseye-base', 'CVE-2021-36084', 'libsepol1', '3.1-1', '3.1-1+deb11u1'),
  // CVE-2026-29111 `{DLA-4533-1}` `- systemd 260~rc2-1` `[bookworm] - systemd 252.39-1~deb12u2` (no bullseye
  // line); DLA-4533-1 `[bullseye] - systemd 247.3-7+deb11u8`. The base has systemd 247.3-7+deb11u5.
  fixed('debian-bullseye-base', 'CVE-2026-29111', 'libsystemd0', '247.3-7+deb11u5', '247.3-7+deb11u8'),
  // CVE-2025-8058 `[bullseye] - glibc <postponed> (Minor issue)`.
  open('debian-bullseye-base', 'CVE-2025-8058', 'libc6', '2.31-13+deb11u11'),
  // CVE-2026-0861 `- glibc <unfixed>` `[bookworm] - glibc <no-dsa> (Minor issue)`.
  open('debian-bookworm-base', 'CVE-2026-0861', 'libc6', '2.36-9+deb12u14'),
  // CVE-2026-0915 `- glibc <unfixed>` and no release line: bookworm inherits sid's state.
  open('debian-bookworm-base', 'CVE-2026-0915', 'libc-bin', '2.36-9+deb12u14'),
  // CVE-2025-4802 `- glibc 2.39-4`, no release line and no DSA/DLA: bookworm inherits sid's state, and its
  // glibc is below sid's fix, so it is open in bookworm with no fixed version of its own (Trivy's vulnsrc/debian
  // reads it so: a sid fix counts for a release only when the release's version has reached it).
  open('debian-bookworm-base', 'CVE-2025-4802', 'libc6', '2.36-9+deb12u14'),
  // CVE-2016-2781 `- coreutils 9.4-1 (low; bug #816320)` `[bullseye] - coreutils <ignored> (Minor issue)`.
  open('debian-bullseye-refreshed', 'CVE-2016-2781', 'coreutils', '8.32-4+b1'),
  // CVE-2011-3374 `- apt <unfixed> (unimportant; bug #642480)`: unimportant still counts.
  open('app-bookworm', 'CVE-2011-3374', 'libapt-pkg6.0', '2.6.2'),
  // CVE-2024-4741 `[bullseye] - openssl <postponed> (Minor issue, fix along with next update round)`: both the
  // stale libssl1.1 (source 1.1.1w-0+deb11u1) and the newer openssl binary (source …deb11u8) get it.
  open('app-bullseye', 'CVE-2024-4741', 'libssl1.1', '1.1.1w-0+deb11u1'),
  open('app-bullseye', 'CVE-2024-4741', 'openssl', '1.1.1w-0+deb11u8'),
  // osv/ghsa/npm/GHSA-35jh-r3h4-6jhm.json: aliases ["CVE-2021-23337"], lodash `{"introduced": "0"}, {"fixed": "4.17.21"}`.
  fixed('app-bullseye', 'CVE-2021-23337', 'lodash', '4.17.15', '4.17.21'),
  // GHSA-c2qf-rxjj-qqgw (CVE-2022-25883), semver ranges 7.0.0–7.5.2, 6.0.0–6.3.1, 0–5.7.2: 7.3.5 is fixed by the
  // fix of its own range, 7.5.2, not by the lowest fix of the record.
  fixed('app-bookworm', 'CVE-2022-25883', 'semver', '7.3.5', '7.5.2'),
  // GHSA-hrpp-h998-j3pp (CVE-2022-24999): qs `{"introduced": "6.7.0"}, {"fixed": "6.7.3"}` among nine ranges.
  fixed('app-bookworm', 'CVE-2022-24999', 'qs', '6.7.0', '6.7.3'),
  // osv/go/records/GO-2023-1840.json: aliases ["CVE-2023-29403"], stdlib
  // `{"introduced":"0"},{"fixed":"1.19.10"},{"introduced":"1.20.0-0"},{"fixed":"1.20.5"}`; esbuild's Go is go1.20.4.
  fixed('app-bullseye', 'CVE-2023-29403', 'stdlib', 'go1.20.4', '1.20.5'),
  // GO-2026-5024 (archive only): aliases ["CVE-2026-39824"], golang.org/x/sys `{"introduced":"0"},{"fixed":"0.44.0"}`.
  fixed('app-bookworm', 'CVE-2026-39824', 'golang.org/x/sys', 'v0.0.0-20220715151400-c0bba94af5f8', '0.44.0'),
  // osv/pypi/records/urllib3/PYSEC-2023-192.yaml: aliases CVE-2023-43804, ECOSYSTEM
  // `introduced: 2.0.0, fixed: 2.0.6, introduced: "0", fixed: 1.26.17`.
  fixed('app-bullseye', 'CVE-2023-43804', 'urllib3', '1.26.5', '1.26.17'),
];

/** Rows that must not be found, with the raw line that rules each out. */
const ABSENT: { image: string; id: string; package: string }[] = [
  // security-tracker/DSA-list: DSA-5343-1 `{… CVE-2023-0286}` `[bullseye] - openssl 1.1.1n-0+deb11u4`, below 1.1.1w-0+deb11u1.
  { image: 'debian-bullseye-base', id: 'CVE-2023-0286', package: 'libssl1.1' },
  // CVE-2023-5363 `[bullseye] - openssl <not-affected> (Vulnerable code not present)`.
  { image: 'app-bullseye', id: 'CVE-2023-5363', package: 'libssl1.1' },
  // DLA-4533-1 `[bullseye] - systemd 247.3-7+deb11u8` is what the refreshed image has.
  { image: 'debian-bullseye-refreshed', id: 'CVE-2026-29111', package: 'libsystemd0' },
  // CVE-2025-8058 `[bookworm] - glibc 2.36-9+deb12u13`, below bookworm's 2.36-9+deb12u14.
  { image: 'debian-bookworm-base', id: 'CVE-2025-8058', package: 'libc6' },
  // CVE-2017-11164 `- pcre3 <removed> (unimportant)`: nothing, though libpcre3 is installed.
  { image: 'app-bullseye', id: 'CVE-2017-11164', package: 'libpcre3' },
  // GHSA-c2qf-rxjj-qqgw `{"introduced": "0"}, {"fixed": "5.7.2"}`: jsonwebtoken's own semver 5.7.3 is past it.
  { image: 'app-bullseye', id: 'CVE-2022-25883', package: 'semver@5.7.3' },
  // GHSA-xvch-5gv4-984h (minimist < 1.2.6): minimist 1.2.5 was deleted by a whiteout, so it is not in the image.
  { image: 'app-bullseye', id: 'CVE-2021-44906', package: 'minimist' },
  // PYSEC-2021-108 (CVE-2021-33503) urllib3 `introduced: "0", fixed: 1.26.5`: 1.26.5 is the fix.
  { image: 'app-bullseye', id: 'CVE-2021-33503', package: 'urllib3' },
];

const matchesAbsent = (row: ExpectedFinding, absent: { id: string; package: string }) =>
  row.id === absent.id && (row.package === absent.package || `${row.package}@${row.version}` === absent.package);

/** Rows whose fix or status differ, then missing and unexpected rows, one per line, with the oracle's raw evidence. */
function difference(image: string, actual: ExpectedFinding[]): string {
  const explained = explainedFindings(image);
  const row = (finding: ExpectedFinding) => `${finding.package}@${finding.version} ${finding.id}`;
  const verdict = (finding: ExpectedFinding) => `fixed=${finding.fixed ?? '-'} ${finding.status}`;
  const got = new Map(actual.map((finding) => [row(finding), finding]));
  const want = new Map(explained.map((finding) => [row(finding), finding]));
  const lines: string[] = [];
  let [changed, missing, unexpected] = [0, 0, 0];
  for (const [key, expected] of want) {
    const found = got.get(key);
    if (found && verdict(found) === verdict(expected)) continue;
    if (found) changed++;
    else missing++;
    lines.push(found
      ? `  differs:    ${key}: expected ${verdict(expected)}, got ${verdict(found)}  <- ${expected.evidence.join(' | ')}`
      : `  missing:    ${key} ${verdict(expected)}  <- ${expected.evidence.join(' | ')}`);
  }
  for (const [key, found] of [...got].sort(([a], [b]) => a.localeCompare(b))) {
    if (want.has(key)) continue;
    unexpected++;
    lines.push(`  unexpected: ${key} ${verdict(found)}`);
  }
  return [`${image}: ${changed} differ, ${missing} missing, ${unexpected} unexpected (of ${want.size} expected)`, ...lines].join('\n');
}

describe('matching on the fixture images', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-fixture-findings-'));
  let store: SqliteAdvisoryStore;
  const sboms = new Map<string, Promise<Sbom>>();
  const sbomOf = (image: string) => {
    let sbom = sboms.get(image);
    if (!sbom) {
      sbom = (async () => {
        const opened = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir, ...IMAGES[image]! });
        try {
          return await catalogImage(opened, { cacheDir });
        } finally {
          await opened.close();
        }
      })();
      sboms.set(image, sbom);
    }
    return sbom;
  };
  const findings = new Map<string, Promise<ExpectedFinding[]>>();
  const findingsOf = (image: string): Promise<ExpectedFinding[]> => {
    let rows = findings.get(image);
    if (!rows) findings.set(image, rows = matchImage(image));
    return rows;
  };
  const matchImage = async (image: string): Promise<ExpectedFinding[]> => {
    const sbom = await sbomOf(image);
    const result = await matchSbom(sbom, store);
    const packages = new Map(sbom.packages.map((pkg) => [pkg.id, pkg]));
    const rows = new Map<string, ExpectedFinding>();
    const perPackage = new Set<string>();
    for (const finding of result.findings) {
      const pkg = packages.get(finding.packageId);
      assert.ok(pkg, `${finding.id}: packageId ${finding.packageId} is not a package of the SBOM`);
      // core/finding.ts: one finding per (package, vulnerability).
      assert.ok(!perPackage.has(`${finding.packageId} ${finding.id}`), `${image}: ${finding.id} twice for ${finding.packageId}`);
      perPackage.add(`${finding.packageId} ${finding.id}`);
      const row: ExpectedFinding = { id: finding.id, package: pkg.name, version: pkg.version, fixed: finding.fixedVersions[0] ?? null, status: finding.status };
      rows.set(findingKey(row), row);
    }
    return [...rows.values()];
  };

  before(() => {
    store = SqliteAdvisoryStore.open(fixtureDatabase());
  });
  after(async () => {
    await store?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('the oracle agrees with the hand-checked findings', () => {
    for (const { image, ...row } of HAND_CHECKED) {
      assert.ok(explainedFindings(image).some((found) => findingKey(found) === findingKey(row)), `${image}: ${findingKey(row)}`);
    }
    for (const absent of ABSENT) {
      const found = explainedFindings(absent.image).filter((row) => matchesAbsent(row, absent));
      assert.deepEqual(found.map(findingKey), [], `${absent.image}: ${absent.id} ${absent.package} must not be found`);
    }
  });

  it('the language packages are outside every path dpkg installs to, so each is matched by its ecosystem', () => {
    for (const image of Object.keys(IMAGES)) {
      const outside = fixtureManifest(image).packages.filter((pkg) => pkg.type !== 'deb' && !/^\/(app|usr\/local)\//.test(pkg.path));
      assert.deepEqual(outside.map((pkg) => `${pkg.name} ${pkg.path}`), [], image);
    }
  });

  for (const image of Object.keys(IMAGES)) {
    it(`${image}: exactly the findings computed from the raw advisory files`, async () => {
      const actual = await findingsOf(image);
      const expected = explainedFindings(image);
      const key = (rows: ExpectedFinding[]) => rows.map(findingKey).sort();
      assert.ok(key(actual).join('\n') === key(expected).join('\n'), difference(image, actual));
    });
  }

  it('the matcher gives the hand-checked findings and none of the ruled-out ones', async () => {
    const problems: string[] = [];
    for (const { image, ...row } of HAND_CHECKED) {
      if (!(await findingsOf(image)).some((found) => findingKey(found) === findingKey(row))) problems.push(`${image}: missing ${findingKey(row)}`);
    }
    for (const absent of ABSENT) {
      for (const found of (await findingsOf(absent.image)).filter((row) => matchesAbsent(row, absent))) problems.push(`${absent.image}: unexpected ${findingKey(found)}`);
    }
    assert.deepEqual(problems, []);
  });
});
