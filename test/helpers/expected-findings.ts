// The exact findings a fixture image must get with every shared advisory feed ingested, computed in
// the test from the raw advisory files and the fixture manifest alone (an oracle written apart from
// src/match): Debian packages through the security tracker (expected-debian-findings.ts), npm, Go and
// PyPI packages through OSV records (expected-osv-findings.ts).
//
// One row per (package name, installed version, vulnerability id): the same package at several paths
// (esbuild's Go binary is in the image twice) is one row. The id is the CVE when the vulnerability has
// one, else the advisory id (GHSA-…, GO-…, PYSEC-…); records sharing an id or alias (a Go record and
// its GHSA, the loose and the archived copy of a record) are one finding.
//
// None of the language packages here is owned by an OS package (they live under /app and /usr/local,
// where dpkg installs nothing: the matching test checks that), so each is matched by its ecosystem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_MANIFESTS } from './fixtures.ts';
import { debianFindings, type InstalledDeb } from './expected-debian-findings.ts';
import { osvMatch, osvRecords, type OsvRecord } from './expected-osv-findings.ts';

export interface ExpectedFinding {
  id: string;
  package: string;
  version: string;
  fixed: string | null;
  status: 'fixed' | 'not-fixed';
}

/** A package of ../shared/fixtures/manifests/<image>.json (see fixtures/images/README.md). */
export interface ManifestPackage {
  type: 'deb' | 'npm' | 'golang' | 'python';
  name: string;
  version: string;
  source?: string;
  sourceVersion?: string;
  path: string;
  main?: boolean;
}

export interface FixtureManifest {
  image: string;
  os: { id: string; versionId: string; codename: string };
  packages: ManifestPackage[];
}

export function fixtureManifest(image: string): FixtureManifest {
  return JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${image}.json`), 'utf8')) as FixtureManifest;
}

/** The id shown for a record: its CVE alias when it has one (the lowest, when several), else its own id. */
export function displayId(record: Pick<OsvRecord, 'id' | 'aliases'>): string {
  const cves = [record.id, ...(record.aliases ?? [])].filter((id) => id.startsWith('CVE-')).sort();
  return cves[0] ?? record.id;
}

const ECOSYSTEM = { npm: 'npm', golang: 'Go', python: 'PyPI' } as const;

/** The name and version an OSV record is looked up with; undefined for what is never matched. */
function osvCoordinates(pkg: ManifestPackage): { name: string; version: string } | undefined {
  if (pkg.type === 'golang') {
    if (pkg.main || pkg.version === '(devel)') return undefined;
    // The toolchain's packages are `stdlib` at the Go version (go1.20.4 → 1.20.4); a module's v prefix goes.
    return { name: pkg.name, version: pkg.name === 'stdlib' ? pkg.version.replace(/^go/, '') : pkg.version.replace(/^v/, '') };
  }
  // PyPI names compare normalised (PEP 503).
  if (pkg.type === 'python') return { name: pkg.name.toLowerCase().replace(/[-_.]+/g, '-'), version: pkg.version };
  return { name: pkg.name, version: pkg.version };
}

/** Records joined when their ids and aliases overlap: each group is one vulnerability. */
function aliasGroups(records: readonly OsvRecord[]): Set<string>[] {
  const groups: Set<string>[] = [];
  for (const record of records) {
    const ids = new Set([record.id, ...(record.aliases ?? [])]);
    const joined = groups.filter((group) => [...ids].some((id) => group.has(id)));
    const merged = new Set([...ids, ...joined.flatMap((group) => [...group])]);
    groups.splice(0, groups.length, ...groups.filter((group) => !joined.includes(group)), merged);
  }
  return groups;
}

/** With the evidence each row rests on (raw lines, ranges), for a readable diff. */
export interface ExplainedFinding extends ExpectedFinding {
  evidence: string[];
}

const explained = new Map<string, ExplainedFinding[]>();

/** The findings of a fixture image with their evidence, sorted (computed once per image). */
export function explainedFindings(image: string): ExplainedFinding[] {
  let rows = explained.get(image);
  if (!rows) explained.set(image, rows = computeFindings(image));
  return rows;
}

function computeFindings(image: string): ExplainedFinding[] {
  const manifest = fixtureManifest(image);
  const rows = new Map<string, ExplainedFinding>();
  const add = (row: Omit<ExpectedFinding, 'status'>, evidence: string) => {
    const key = `${row.package}@${row.version} ${row.id}`;
    const known = rows.get(key);
    if (!known) {
      rows.set(key, { ...row, status: row.fixed === null ? 'not-fixed' : 'fixed', evidence: [evidence] });
      return;
    }
    if (!known.evidence.includes(evidence)) known.evidence.push(evidence);
    // Merged sources disagreeing on the fix: no fix if one knows none, else the lowest. Never seen here.
    if (known.fixed !== row.fixed) throw new Error(`${key}: sources disagree on the fix (${known.fixed} vs ${row.fixed})`);
  };

  const debs = manifest.packages.filter((pkg) => pkg.type === 'deb').map((pkg): InstalledDeb => ({
    name: pkg.name, version: pkg.version, source: pkg.source ?? pkg.name, sourceVersion: pkg.sourceVersion ?? pkg.version,
  }));
  for (const finding of debianFindings(manifest.os.codename, debs)) add(finding, finding.evidence);

  for (const pkg of manifest.packages) {
    if (pkg.type === 'deb') continue;
    const ecosystem = ECOSYSTEM[pkg.type];
    const wanted = osvCoordinates(pkg);
    if (!wanted) continue;
    const matches = osvRecords(ecosystem).map((record) => osvMatch(ecosystem, record, wanted.name, wanted.version)).filter((match) => match !== undefined);
    for (const group of aliasGroups(matches.map((match) => match.record))) {
      const members = matches.filter((match) => group.has(match.record.id));
      const fixes = [...new Set(members.map((match) => match.fixed))];
      if (fixes.length > 1) throw new Error(`${pkg.name}@${pkg.version}: records ${[...group].join(' ')} disagree on the fix (${fixes.join(', ')})`);
      const id = displayId({ id: [...group].sort()[0]!, aliases: [...group] });
      for (const match of members) add({ id, package: pkg.name, version: pkg.version, fixed: fixes[0]! }, match.evidence);
    }
  }
  return [...rows.values()].sort((a, b) => findingKey(a).localeCompare(findingKey(b)));
}

export function findingKey(finding: ExpectedFinding): string {
  return `${finding.package}@${finding.version} ${finding.id} fixed=${finding.fixed ?? '-'} ${finding.status}`;
}

/** The exact findings of a fixture image (manifest name: app-bullseye, multiarch-arm64, …), sorted. */
export function expectedFindings(image: string): ExpectedFinding[] {
  return explainedFindings(image).map(({ id, package: name, version, fixed, status }) => ({ id, package: name, version, fixed, status }));
}
