// Trivy's closed integration test, read as data (../shared/data/peer-golden/trivy, SOURCE.md): the
// OS-package advisories of its test DB (`db-fixtures/*.yaml`), the reports it expects
// (`integration-goldens/*.json.golden`) and the package lists its analyzer expects
// (`fanal-package-goldens/packages/*.json.golden`), turned into Spyglass's shapes: AffectedRows behind
// an in-memory AdvisoryStore, Packages, and (id, package, version, fix, status) tuples to compare.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Advisory, AffectedStatus, EpssEntry, KevEntry } from '../../src/advisories/model.ts';
import type { AdvisoryRecord, AdvisoryStore, AffectedRow, DbStatus } from '../../src/advisories/store/store.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { Package, PackageType } from '../../src/core/package.ts';
import type { VersionScheme } from '../../src/versions/scheme.ts';
import { SHARED } from './fixtures.ts';

export const TRIVY = join(SHARED, 'data/peer-golden/trivy');

/**
 * trivy-db's `types.Status` (pkg/types/status.go), in iota order: the fixture YAML writes the integer
 * (`Status: 7`), as trivy-db's Advisory.MarshalJSON stores it in the DB.
 */
export const TRIVY_STATUSES = ['unknown', 'not_affected', 'affected', 'fixed', 'under_investigation', 'will_not_fix', 'fix_deferred', 'end_of_life'] as const;

/**
 * A fixture advisory's Trivy status as Spyglass's AffectedStatus. Trivy's FillInfo
 * (pkg/vulnerability/vulnerability.go) reports `fixed` whenever there is a FixedVersion and turns
 * `unknown` into `affected`; `fix_deferred` is what trivy-db makes of Debian's `postponed`.
 */
export function affectedStatusOf(status: number | undefined, fixedVersion: string | undefined): AffectedStatus {
  if (fixedVersion !== undefined) return 'fixed';
  const name = TRIVY_STATUSES[status ?? 0];
  switch (name) {
    case 'unknown':
    case 'affected':
      return 'affected';
    case 'not_affected':
      return 'not-affected';
    case 'will_not_fix':
      return 'will-not-fix';
    case 'fix_deferred':
      return 'postponed';
    case 'end_of_life':
      return 'end-of-life';
    default:
      // `fixed` without a version, `under_investigation` (no Spyglass status), or no such status.
      throw new Error(`Trivy status ${String(status)} (${String(name)}) without a fixed version has no Spyglass equivalent`);
  }
}

/** A Spyglass finding's status in Trivy's words, as the golden's `Status` writes it. */
export function trivyStatusOf(finding: Finding): string {
  if (finding.status === 'fixed') return 'fixed';
  const reason = finding.statusReason?.split(':')[0];
  if (reason === undefined) return 'affected';
  const words: Record<string, string> = { 'end-of-life': 'end_of_life', 'will-not-fix': 'will_not_fix', postponed: 'fix_deferred' };
  const word = words[reason];
  if (word === undefined) throw new Error(`no Trivy status for Spyglass's ${JSON.stringify(finding.statusReason)}`);
  return word;
}

/** Which Spyglass feed plays the part of each distribution's Trivy data source (data-source.yaml names them). */
const SOURCE_OF_FAMILY: Readonly<Record<string, string>> = {
  debian: 'debian-tracker', // "Debian Security Tracker"
  alpine: 'alpine-secdb', // "Alpine Secdb"
  ubuntu: 'osv', // "Ubuntu CVE Tracker": Spyglass reads Ubuntu's tracker through its OSV export
};

/** `debian 10` → `debian:10`, `alpine edge` → `alpine:edge`, `ubuntu 18.04` → `ubuntu:18.04`. */
export function namespaceOfBucket(bucket: string): string {
  const match = /^([a-z]+) (\S+)$/.exec(bucket);
  if (!match) throw new Error(`unexpected Trivy bucket ${JSON.stringify(bucket)}`);
  return `${match[1]}:${match[2]}`;
}

interface Bucket {
  bucket: string;
  pairs: (Bucket | { key: string; value: Record<string, unknown> })[];
}

/**
 * Every advisory of one OS fixture file (`debian.yaml`: release bucket → package bucket → CVE → value)
 * as AffectedRows. Only the fields of trivy-db's `types.Advisory` count: the DB is JSON of that struct,
 * so a key it lacks is dropped on the way in (debian.yaml's `State: postponed` for openssl
 * CVE-2019-1551 in debian 9 is such a key; distroless-base.json.golden reports it `affected`).
 * A bucket named twice (`openssl` in debian 9) is one bucket in the DB: its rows simply add up.
 */
export function fixtureRows(file: string): AffectedRow[] {
  const family = file.replace(/\.yaml$/, '');
  const source = SOURCE_OF_FAMILY[family];
  if (source === undefined) throw new Error(`no Spyglass source for Trivy fixture ${file}`);
  const releases = parse(readFileSync(join(TRIVY, 'db-fixtures', file), 'utf8')) as Bucket[];
  const rows: AffectedRow[] = [];
  for (const release of releases) {
    const namespace = namespaceOfBucket(release.bucket);
    for (const pkg of release.pairs) {
      if (!('bucket' in pkg)) throw new Error(`${file}: ${release.bucket} holds a key outside a package bucket`);
      for (const pair of pkg.pairs) {
        if (!('key' in pair)) throw new Error(`${file}: ${release.bucket}/${pkg.bucket} nests a bucket`);
        const value = pair.value ?? {};
        const fixed = typeof value.FixedVersion === 'string' && value.FixedVersion !== '' ? value.FixedVersion : undefined;
        const status = affectedStatusOf(typeof value.Status === 'number' ? value.Status : undefined, fixed);
        const vendorIds = Array.isArray(value.VendorIDs) ? value.VendorIDs.map(String) : [];
        rows.push({
          source,
          advisoryId: pair.key,
          aliases: vendorIds,
          affected: {
            namespace,
            packageName: pkg.bucket,
            status,
            // Trivy: affected below FixedVersion; without one, every version (debian.go, alpine.go, ubuntu.go).
            ranges: [{ type: 'ECOSYSTEM', events: fixed === undefined ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }] }],
            fixedVersions: fixed === undefined ? [] : [fixed],
          },
        });
      }
    }
  }
  return rows;
}

/** The AdvisoryStore interface over fixture rows, in memory: what matchSbom reads, and nothing else stored. */
export class FixtureAdvisoryStore implements AdvisoryStore {
  constructor(readonly rows: readonly AffectedRow[]) {}

  async affected(namespace: string, packageName: string): Promise<AffectedRow[]> {
    return this.rows.filter((row) => row.affected.namespace === namespace && row.affected.packageName === packageName);
  }

  async advisories(idOrAlias: string): Promise<Advisory[]> {
    const byKey = new Map<string, Advisory>();
    for (const row of this.rows) {
      if (row.advisoryId !== idOrAlias && !row.aliases.includes(idOrAlias)) continue;
      const key = `${row.source}\u0000${row.advisoryId}`;
      const advisory = byKey.get(key) ?? { ...this.#record(row), affected: [] };
      advisory.aliases = [...new Set([...advisory.aliases, ...row.aliases])];
      advisory.affected.push(row.affected);
      byKey.set(key, advisory);
    }
    return [...byKey.values()];
  }

  async records(ids: readonly string[]): Promise<Map<string, AdvisoryRecord[]>> {
    const result = new Map<string, AdvisoryRecord[]>();
    for (const id of ids) {
      const records = (await this.advisories(id)).map(({ affected: _affected, ...record }) => record);
      if (records.length > 0) result.set(id, records);
    }
    return result;
  }

  async kev(_cve: string): Promise<KevEntry | undefined> {
    return undefined;
  }

  async epss(_cve: string): Promise<EpssEntry | undefined> {
    return undefined;
  }

  async status(): Promise<DbStatus> {
    const sources = [...new Set(this.rows.map((row) => row.source))].map((source) => ({
      source,
      location: 'peer-golden/trivy/db-fixtures',
      updatedAt: '1970-01-01T00:00:00Z',
      records: new Set(this.rows.filter((row) => row.source === source).map((row) => row.advisoryId)).size,
      skipped: 0,
      skippedReasons: [],
    }));
    return {
      schemaVersion: 0,
      builtAt: '1970-01-01T00:00:00Z',
      sources,
      counts: { advisories: sources.reduce((sum, entry) => sum + entry.records, 0), affected: this.rows.length, kev: 0, epss: 0 },
    };
  }

  async close(): Promise<void> {}

  #record(row: AffectedRow): AdvisoryRecord {
    return { source: row.source, id: row.advisoryId, aliases: [...row.aliases], severity: [], references: [] };
  }
}

/** One vulnerability of a golden report, the fields compared. */
export interface TrivyVulnerability {
  VulnerabilityID: string;
  PkgName: string;
  InstalledVersion: string;
  FixedVersion?: string | null;
  Status: string;
}

export interface TrivyGolden {
  os: { Family: string; Name: string };
  vulnerabilities: TrivyVulnerability[];
}

/** An integration golden's OS and the vulnerabilities of its `os-pkgs` results. */
export function readGolden(name: string): TrivyGolden {
  const report = JSON.parse(readFileSync(join(TRIVY, 'integration-goldens', `${name}.json.golden`), 'utf8')) as {
    Metadata: { OS: { Family: string; Name: string } };
    Results?: { Class: string; Vulnerabilities?: TrivyVulnerability[] }[];
  };
  const vulnerabilities = (report.Results ?? []).filter((result) => result.Class === 'os-pkgs').flatMap((result) => result.Vulnerabilities ?? []);
  return { os: report.Metadata.OS, vulnerabilities };
}

const LAYER = `sha256:${'0'.repeat(64)}` as const;
const PURL_NAMESPACE: Readonly<Record<string, string>> = { deb: 'debian', apk: 'alpine' };

export function osPackage(type: PackageType, name: string, version: string, sourceName: string, sourceVersion: string): Package {
  return {
    id: `${type}:${name}@${version}`,
    type,
    name,
    version,
    sourceName,
    sourceVersion,
    purl: `pkg:${type}/${PURL_NAMESPACE[type] ?? 'unknown'}/${name}@${encodeURIComponent(version)}`,
    licenses: [],
    locations: [{ path: type === 'apk' ? '/lib/apk/db/installed' : '/var/lib/dpkg/status', layerDiffId: LAYER }],
  };
}

/** Trivy's utils.FormatVersion: `[epoch:]version[-release]`, as dpkg writes it. */
function formatVersion(epoch: number | undefined, version: string, release: string | undefined): string {
  return `${epoch ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
}

interface FanalPackage {
  Name: string;
  Version: string;
  Release?: string;
  Epoch?: number;
  SrcName: string;
  SrcVersion: string;
  SrcRelease?: string;
  SrcEpoch?: number;
}

/** A fanal package golden (the analyzer's expected package list of one image) as Spyglass packages. */
export function fanalPackages(name: string, type: PackageType): Package[] {
  const list = JSON.parse(readFileSync(join(TRIVY, 'fanal-package-goldens/packages', `${name}.json.golden`), 'utf8')) as FanalPackage[];
  return list.map((pkg) => osPackage(type, pkg.Name, formatVersion(pkg.Epoch, pkg.Version, pkg.Release), pkg.SrcName, formatVersion(pkg.SrcEpoch, pkg.SrcVersion, pkg.SrcRelease)));
}

/**
 * The packages a golden's vulnerabilities name, for an image whose package list is not stored. Trivy's
 * Debian, Ubuntu and Alpine detectors look a package up by its source name only, so the source of a
 * reported package is the one package bucket of that release holding every id reported for it. Its
 * source version is taken to be the installed version (these packages carry no binNMU suffix).
 */
export function packagesFromGolden(golden: TrivyGolden, type: PackageType, rows: readonly AffectedRow[], namespace: string): Package[] {
  const reported = new Map<string, { name: string; version: string; ids: Set<string> }>();
  for (const vuln of golden.vulnerabilities) {
    const key = `${vuln.PkgName}@${vuln.InstalledVersion}`;
    const entry = reported.get(key) ?? { name: vuln.PkgName, version: vuln.InstalledVersion, ids: new Set<string>() };
    entry.ids.add(vuln.VulnerabilityID);
    reported.set(key, entry);
  }
  return [...reported.values()].map(({ name, version, ids }) => {
    const buckets = [...new Set(rows.filter((row) => row.affected.namespace === namespace).map((row) => row.affected.packageName))].filter((bucket) =>
      [...ids].every((id) => rows.some((row) => row.affected.namespace === namespace && row.affected.packageName === bucket && row.advisoryId === id)),
    );
    if (buckets.length !== 1) throw new Error(`${name} ${version}: ${buckets.length} package buckets of ${namespace} hold ${[...ids].join(', ')}`);
    return osPackage(type, name, version, buckets[0]!, version);
  });
}

/**
 * Trivy's FixedVersion, reduced to what Finding.fixedVersions[0] means: Trivy joins every fixed version
 * of an advisory with ", " (language advisories fix several branches), Spyglass lists those above the
 * installed version, lowest first. So the comparable value is the lowest listed version above the
 * installed one; a single version is taken as written.
 */
export function trivyFixFor(vuln: TrivyVulnerability, scheme: VersionScheme): string {
  const fixes = (vuln.FixedVersion ?? '').split(', ').filter(Boolean);
  if (fixes.length <= 1) return fixes[0] ?? '';
  const above = fixes.filter((fix) => scheme.compare(vuln.InstalledVersion, fix) < 0).sort((a, b) => scheme.compare(a, b));
  return above[0] ?? '';
}
