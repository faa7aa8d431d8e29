// A real VulnerabilityReport for report-format tests, built without the matcher: the app-bullseye fixture
// image catalogued as `spyglass sbom` catalogues it, and findings made here for a few of its packages
// from records of the fixture database (the source record's entry for the package, and every source's
// record of the vulnerability, through store.advisories), each rated by hand from its records. What it holds:
//   lodash 4.17.15   CVE-2021-23337 high (GHSA CVSS 3.1 vector)       fixed 4.17.21
//   lodash 4.17.15   CVE-2020-28500 medium (GHSA MODERATE + vector)   fixed 4.17.21
//   lodash 4.17.15   CVE-2020-8203  high, suppressed by a VEX statement (not_affected)
//   axios 0.21.1     CVE-2023-45857 medium (GHSA MODERATE, no CVSS)   fixed 1.6.0
//   libssl1.1 and openssl 1.1.1w  CVE-2024-13176 unspecified (Debian: open, no urgency), not fixed
//   apt 2.2.4        CVE-2011-3374  low (Debian urgency unimportant), not fixed, suppressed by an ignore rule
import { scoreCvss } from '../../src/advisories/cvss.ts';
import type { Advisory } from '../../src/advisories/model.ts';
import type { AffectedRow } from '../../src/advisories/store/store.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Finding, Rating, SourceView, Suppression, VulnerabilityReport } from '../../src/core/finding.ts';
import type { Package } from '../../src/core/package.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { fixtureDatabase } from './feeds.ts';
import { fixtureImageSbom } from './sbom.ts';

export const SAMPLE_IMAGE = 'app-bullseye';

/** One finding to make: the database row (namespace, package as the source names it, advisory id) and the image's package. */
interface Wanted {
  namespace: string;
  sourcePackage: string;
  advisoryId: string;
  type: Package['type'];
  name: string;
  version: string;
  /** How the rating is read from the records: `cvss` takes the rater's vector from its severity entries. */
  rating: { level: Rating['level']; by: string; rating?: string; cvss?: boolean };
  suppressed?: Suppression;
}

const WANTED: readonly Wanted[] = [
  { namespace: 'npm', sourcePackage: 'lodash', advisoryId: 'GHSA-35jh-r3h4-6jhm', type: 'npm', name: 'lodash', version: '4.17.15', rating: { level: 'high', by: 'ghsa', rating: 'HIGH', cvss: true } },
  { namespace: 'npm', sourcePackage: 'lodash', advisoryId: 'GHSA-29mw-wpgm-hmr9', type: 'npm', name: 'lodash', version: '4.17.15', rating: { level: 'medium', by: 'ghsa', rating: 'MODERATE', cvss: true } },
  {
    namespace: 'npm', sourcePackage: 'lodash', advisoryId: 'GHSA-p6mc-m468-83gw', type: 'npm', name: 'lodash', version: '4.17.15', rating: { level: 'high', by: 'ghsa', rating: 'HIGH', cvss: true },
    suppressed: { kind: 'vex', status: 'not_affected', reason: 'vulnerable_code_not_in_execute_path', origin: 'vex/app.openvex.json' },
  },
  { namespace: 'npm', sourcePackage: 'axios', advisoryId: 'GHSA-wf5p-g6vw-rhxx', type: 'npm', name: 'axios', version: '0.21.1', rating: { level: 'medium', by: 'ghsa', rating: 'MODERATE' } },
  { namespace: 'debian:11', sourcePackage: 'openssl', advisoryId: 'CVE-2024-13176', type: 'deb', name: 'libssl1.1', version: '1.1.1w-0+deb11u1', rating: { level: 'unspecified', by: 'debian' } },
  { namespace: 'debian:11', sourcePackage: 'openssl', advisoryId: 'CVE-2024-13176', type: 'deb', name: 'openssl', version: '1.1.1w-0+deb11u8', rating: { level: 'unspecified', by: 'debian' } },
  {
    namespace: 'debian:11', sourcePackage: 'apt', advisoryId: 'CVE-2011-3374', type: 'deb', name: 'apt', version: '2.2.4', rating: { level: 'low', by: 'debian', rating: 'unimportant' },
    suppressed: { kind: 'ignore', status: 'ignored', reason: 'apt-key is not run in the container', origin: '.spyglassignore.yaml' },
  },
];

function describeRange(row: AffectedRow): string {
  const events = row.affected.ranges.flatMap((range) => range.events);
  const fixed = events.flatMap((event) => ('fixed' in event ? [event.fixed] : []));
  const introduced = events.flatMap((event) => ('introduced' in event && event.introduced !== '0' ? [event.introduced] : []));
  if (fixed.length === 0) return introduced.length > 0 ? `>= ${introduced[0]}` : 'all versions';
  return introduced.length > 0 ? `>= ${introduced[0]}, < ${fixed[0]}` : `< ${fixed[0]}`;
}

function sourceView(advisory: Advisory, wanted: Wanted): SourceView {
  const urgency = advisory.affected.find((affected) => affected.namespace === wanted.namespace && affected.packageName === wanted.sourcePackage)?.urgency;
  return {
    source: advisory.source, id: advisory.id, aliases: advisory.aliases,
    ...(advisory.summary ? { summary: advisory.summary } : {}),
    ...(advisory.published ? { published: advisory.published } : {}),
    ...(advisory.modified ? { modified: advisory.modified } : {}),
    severity: advisory.severity, references: advisory.references,
    ...(urgency ? { urgency } : {}),
  };
}

function rating(wanted: Wanted, sources: SourceView[]): Rating {
  const rater = sources.find((source) => source.id === wanted.advisoryId) ?? sources[0];
  const vector = wanted.rating.cvss ? rater?.severity.find((entry) => entry.by === wanted.rating.by && entry.vector)?.vector : undefined;
  if (wanted.rating.cvss && !vector) throw new Error(`${wanted.advisoryId}: no ${wanted.rating.by} CVSS vector in the records`);
  const scored = vector ? scoreCvss(vector) : undefined;
  const cvss = scored ? { score: scored.score, vector: scored.vector, version: scored.version } : undefined;
  const rated = wanted.rating.rating ? { rating: wanted.rating.rating } : {};
  return {
    level: wanted.rating.level,
    by: wanted.rating.by,
    ...rated,
    ...(cvss ? { cvss: { ...cvss, by: wanted.rating.by } } : {}),
    all: [{ source: rater?.source ?? wanted.rating.by, by: wanted.rating.by, level: wanted.rating.level, ...rated, ...(cvss ? { cvss } : {}) }],
  };
}

async function finding(store: SqliteAdvisoryStore, sbom: Sbom, wanted: Wanted): Promise<Finding> {
  const pkg = sbom.packages.find((candidate) => candidate.type === wanted.type && candidate.name === wanted.name && candidate.version === wanted.version);
  if (!pkg) throw new Error(`${SAMPLE_IMAGE} has no ${wanted.type} package ${wanted.name} ${wanted.version}`);
  const record = (await store.advisories(wanted.advisoryId)).find((advisory) => advisory.id === wanted.advisoryId);
  const affected = record?.affected.find((entry) => entry.namespace === wanted.namespace && entry.packageName === wanted.sourcePackage);
  if (!record || !affected) throw new Error(`the fixture database has no ${wanted.advisoryId} record for ${wanted.namespace} ${wanted.sourcePackage}`);
  const row: AffectedRow = { source: record.source, advisoryId: record.id, aliases: record.aliases, affected };
  const ids = [row.advisoryId, ...row.aliases];
  const id = ids.find((candidate) => candidate.startsWith('CVE-')) ?? row.advisoryId;
  const sources = (await store.advisories(id)).map((advisory) => sourceView(advisory, wanted));
  const fixed = row.affected.status === 'fixed';
  const statusReason = fixed ? undefined : row.affected.statusReason ?? (row.affected.status === 'affected' ? undefined : row.affected.status);
  const installedVersion = pkg.type === 'deb' ? pkg.sourceVersion ?? pkg.version : pkg.version;
  const affectedRange = describeRange(row);
  const kev = await store.kev(id);
  const epss = await store.epss(id);
  return {
    id,
    aliases: [...new Set(ids.filter((alias) => alias !== id))].sort(),
    packageId: pkg.id,
    status: fixed ? 'fixed' : 'not-fixed',
    ...(statusReason ? { statusReason } : {}),
    fixedVersions: row.affected.fixedVersions,
    affectedRange,
    matches: [{
      source: row.source, advisoryId: row.advisoryId, namespace: wanted.namespace, packageName: row.affected.packageName,
      rule: pkg.type === 'deb' ? 'distro-source-package' : 'ecosystem-range',
      installedVersion, status: row.affected.status,
      comparison: fixed ? `${installedVersion} < ${row.affected.fixedVersions[0]} (${pkg.type === 'deb' ? 'deb' : 'semver'})` : `no fix in ${wanted.namespace}`,
      affectedRange, fixedVersions: row.affected.fixedVersions,
    }],
    sources,
    ...(kev ? { kev } : {}),
    ...(epss ? { epss } : {}),
    rating: rating(wanted, sources),
    ...(wanted.suppressed ? { suppressed: wanted.suppressed } : {}),
  };
}

async function build(): Promise<VulnerabilityReport> {
  const sbom = await fixtureImageSbom(SAMPLE_IMAGE);
  const store = SqliteAdvisoryStore.open(fixtureDatabase());
  try {
    const findings: Finding[] = [];
    for (const wanted of WANTED) findings.push(await finding(store, sbom, wanted));
    const status = await store.status();
    return {
      schemaVersion: 1,
      tool: sbom.tool,
      createdAt: sbom.createdAt,
      target: sbom.source,
      ...(sbom.distro ? { distro: sbom.distro } : {}),
      database: { builtAt: status.builtAt, schemaVersion: status.schemaVersion, ageHours: Math.max(0, Math.floor((Date.parse(sbom.createdAt) - Date.parse(status.builtAt)) / 3_600_000)) },
      packages: sbom.packages,
      findings,
      // What a scan of a release past its security support warns about (the distro record says so).
      warnings: sbom.distro?.endOfLife?.ended ? [`${sbom.distro.prettyName ?? sbom.distro.id}: security support ended ${sbom.distro.endOfLife.date ?? ''}`.trim()] : [],
    };
  } finally {
    await store.close();
  }
}

let built: Promise<VulnerabilityReport> | undefined;

/** The sample report (built once per process; each call returns a fresh copy to change at will). */
export async function sampleReport(): Promise<VulnerabilityReport> {
  built ??= build();
  return structuredClone(await built);
}
