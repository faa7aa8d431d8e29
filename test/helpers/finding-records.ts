// Findings built by hand for the suppression and filter tests: the packages as a fixture manifest lists
// them (../shared/fixtures/manifests, computed with the reference tools), the vulnerability data as the
// fixture database holds the real records (test/helpers/feeds.ts). Matching and rating are not under
// test here, so the finding's shape is put together directly from those records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory } from '../../src/advisories/model.ts';
import { scoreCvss } from '../../src/advisories/cvss.ts';
import type { AdvisoryStore } from '../../src/advisories/store/store.ts';
import type { Finding, Rating, SeverityLevel, SourceView } from '../../src/core/finding.ts';
import type { Package, PackageType } from '../../src/core/package.ts';
import { FIXTURE_MANIFESTS } from './fixtures.ts';

interface ManifestPackage {
  type: string;
  name: string;
  version: string;
  arch?: string;
  source?: string;
  sourceVersion?: string;
  purl: string;
  layerDiffId: `${string}:${string}`;
  path: string;
}

/** The packages ../shared/fixtures/manifests/<image>.json lists, as Package values with catalogImage's ids. */
export function manifestPackages(image: string): Package[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, `${image}.json`), 'utf8')) as { packages: ManifestPackage[] };
  return manifest.packages.map((listed) => {
    const type = (listed.type === 'python' ? 'pypi' : listed.type) as PackageType;
    const pkg: Package = {
      id: `${type}:${listed.name}@${listed.version}:${listed.path}`,
      type,
      name: listed.name,
      version: listed.version,
      purl: listed.purl,
      licenses: [],
      locations: [{ path: listed.path, layerDiffId: listed.layerDiffId }],
    };
    if (listed.arch) pkg.arch = listed.arch;
    if (listed.source) pkg.sourceName = listed.source;
    if (listed.sourceVersion) pkg.sourceVersion = listed.sourceVersion;
    return pkg;
  });
}

/** The one package of the list with this name (and version, when several). */
export function packageNamed(packages: Package[], name: string, version?: string): Package {
  const found = packages.filter((pkg) => pkg.name === name && (version === undefined || pkg.version === version));
  if (found.length !== 1) throw new Error(`${found.length} packages named ${name}${version ? `@${version}` : ''}`);
  return found[0]!;
}

function view(advisory: Advisory, urgency?: string): SourceView {
  const result: SourceView = { source: advisory.source, id: advisory.id, aliases: advisory.aliases, severity: advisory.severity, references: advisory.references };
  if (advisory.summary) result.summary = advisory.summary;
  if (urgency) result.urgency = urgency;
  return result;
}

/**
 * The finding of `advisoryId` (as `source` records it for `namespace` / `packageName`) on `pkg`: ids,
 * status and fixed versions from that record, every source's record of the same vulnerability, KEV and
 * EPSS, and a rating: the first rating word among the records (the matched one first), the first CVSS
 * vector among them, and the vector's qualitative rating when there is no word.
 */
export async function findingFromRecords(
  store: AdvisoryStore,
  pkg: Package,
  record: { source: string; advisoryId: string; namespace: string; packageName: string },
): Promise<Finding> {
  const row = (await store.affected(record.namespace, record.packageName)).find((candidate) => candidate.source === record.source && candidate.advisoryId === record.advisoryId);
  if (!row) throw new Error(`no ${record.source} record ${record.advisoryId} for ${record.namespace}/${record.packageName}`);
  const ids = [row.advisoryId, ...row.aliases];
  const id = ids.find((candidate) => candidate.startsWith('CVE-')) ?? row.advisoryId;
  const advisories = (await store.advisories(id)).filter((advisory) => advisory.id === id || advisory.aliases.includes(id));
  const matched = advisories.find((advisory) => advisory.source === row.source && advisory.id === row.advisoryId);
  if (!matched) throw new Error(`${row.advisoryId} not found by ${id}`);
  const sources = [matched, ...advisories.filter((advisory) => advisory !== matched)].map((advisory) => view(advisory, advisory === matched ? row.affected.urgency : undefined));
  const finding: Finding = {
    id,
    aliases: [...new Set(ids.filter((alias) => alias !== id))].sort(),
    packageId: pkg.id,
    status: row.affected.fixedVersions.length > 0 ? 'fixed' : 'not-fixed',
    fixedVersions: row.affected.fixedVersions,
    affectedRange: row.affected.fixedVersions.length > 0 ? `< ${row.affected.fixedVersions[0]}` : 'all versions',
    matches: [{
      source: row.source,
      advisoryId: row.advisoryId,
      namespace: record.namespace,
      packageName: record.packageName,
      rule: record.namespace.includes(':') ? 'distro-source-package' : 'ecosystem-range',
      installedVersion: pkg.sourceVersion ?? pkg.version,
      status: row.affected.status,
      comparison: '',
      affectedRange: '',
      fixedVersions: row.affected.fixedVersions,
    }],
    sources,
  };
  if (row.affected.statusReason) finding.statusReason = row.affected.statusReason;
  const kev = await store.kev(id);
  if (kev) finding.kev = kev;
  const epss = await store.epss(id);
  if (epss) finding.epss = epss;
  finding.rating = ratingOf(sources);
  return finding;
}

const LEVELS = new Set(['critical', 'high', 'medium', 'low']);

function ratingOf(sources: SourceView[]): Rating {
  const entries = sources.flatMap((source) => source.severity);
  const word = entries.find((entry) => entry.rating && LEVELS.has(entry.rating.toLowerCase()));
  const withVector = entries.find((entry) => entry.vector && entry.cvssVersion);
  const rating: Rating = { level: (word?.rating?.toLowerCase() ?? 'unspecified') as SeverityLevel, all: [] };
  if (word) {
    rating.by = word.by;
    rating.rating = word.rating;
  }
  if (withVector?.vector && withVector.cvssVersion) {
    const score = withVector.score ?? scoreCvss(withVector.vector, withVector.cvssVersion).score;
    rating.cvss = { score, vector: withVector.vector, version: withVector.cvssVersion, by: withVector.by };
    // Without a rating word, the score's qualitative rating (CVSS v3.1 specification, 5. Qualitative Severity Rating Scale).
    if (!word) rating.level = score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'unspecified';
  }
  return rating;
}
