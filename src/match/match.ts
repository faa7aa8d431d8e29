// Packages × advisories → findings. OS packages are matched only through their distribution release's
// own data (by source package, so backported fixes are never false positives); language packages through
// their ecosystem's OSV-style ranges; a language package whose files an OS package owns is left to the
// distribution. Every hit records why it matched (MatchReason); hits naming the same vulnerability (a CVE
// and its GHSA, a GO- id) become one finding per package.
import type { AdvisoryRecord, AffectedRow, AdvisoryStore } from '../advisories/store/store.ts';
import type { Finding, MatchReason, SourceView } from '../core/finding.ts';
import { OS_PACKAGE_TYPES, type Package } from '../core/package.ts';
import type { Sbom } from '../core/sbom.ts';
import { schemeNameFor } from '../versions/namespace.ts';
import { scheme as schemeByName } from '../versions/registry.ts';
import type { VersionScheme } from '../versions/scheme.ts';
import { describeRange, fixesAbove, rowAffects } from './evaluate.ts';
import { mergeHits, type Hit } from './merge.ts';
import { distroNamespace, ecosystemKey } from './namespaces.ts';

export interface MatchResult {
  findings: Finding[];
  warnings: string[];
}

/** Ids that name one vulnerability. Distribution advisories (DSA, DLA, RHSA, ALSA, USN…) bundle many and never join findings. */
const BUNDLE = /^(DSA|DLA|DTSA|RHSA|RHBA|RHEA|ALSA|RLSA|ELSA|ALAS\d*|USN|SUSE-SU|openSUSE-SU|MGASA)-/;

export function isBundleId(id: string): boolean {
  return BUNDLE.test(id);
}

function schemeOf(namespace: string): VersionScheme | undefined {
  const name = schemeNameFor(namespace);
  return name === undefined ? undefined : schemeByName(name);
}

/** Lookups are cached per scan: the binary packages of one source package ask the same key. */
class Lookup {
  readonly #cache = new Map<string, Promise<AffectedRow[]>>();
  constructor(readonly store: AdvisoryStore) {}
  affected(namespace: string, name: string): Promise<AffectedRow[]> {
    const key = `${namespace}\u0000${name}`;
    let rows = this.#cache.get(key);
    if (rows === undefined) {
      rows = this.store.affected(namespace, name);
      this.#cache.set(key, rows);
    }
    return rows;
  }
}

function hitFor(row: AffectedRow, pkg: Package, installed: string, scheme: VersionScheme, rule: string, vulnIds: string[], bundleIds: string[]): Hit | undefined {
  const affected = row.affected;
  if (affected.status === 'not-affected') return undefined;
  // The tracker's `<removed>`: the package is gone from the release, so nothing installed from it is tracked.
  if (affected.statusReason === 'removed' && affected.status === 'affected') return undefined;
  const verdict = rowAffects(installed, affected, scheme);
  if (!verdict.affected) return undefined;
  const fixedVersions = fixesAbove(installed, affected, scheme);
  const fixed = fixedVersions.length > 0;
  const unfixedReason = affected.status === 'fixed' || affected.status === 'affected' ? affected.statusReason : [affected.status, affected.statusReason].filter(Boolean).join(': ');
  const affectedRange = describeRange(affected, installed, scheme);
  const reason: MatchReason = {
    source: row.source,
    advisoryId: row.advisoryId,
    namespace: affected.namespace,
    packageName: affected.packageName,
    rule: verdict.byVersionList ? 'ecosystem-version-list' : rule,
    installedVersion: installed,
    status: affected.status,
    ...(affected.statusReason !== undefined ? { statusReason: affected.statusReason } : {}),
    comparison: fixed
      ? `${installed} < ${fixedVersions[0]} (${scheme.name})`
      : verdict.byVersionList
        ? `${installed} is listed as affected`
        : affectedRange === 'all versions'
          ? `no fix in ${affected.namespace}${unfixedReason ? ` (${unfixedReason})` : ''}`
          : `${installed} in ${affectedRange} (${scheme.name}), no fix`,
    affectedRange,
    fixedVersions,
  };
  return {
    packageId: pkg.id,
    source: row.source,
    advisoryId: row.advisoryId,
    vulnIds,
    bundleIds,
    status: fixed ? 'fixed' : 'not-fixed',
    ...(!fixed && unfixedReason ? { statusReason: unfixedReason } : {}),
    fixedVersions,
    reason,
    urgency: affected.urgency,
    scheme,
  };
}

function idsOf(row: AffectedRow): { vulnIds: string[]; bundleIds: string[] } {
  const all = [row.advisoryId, ...row.aliases];
  return { vulnIds: all.filter((id) => !isBundleId(id)), bundleIds: all.filter(isBundleId) };
}

/** CVE → the lowest fix a DSA/DLA list row ships for it in these rows' release. */
function shippedFixes(rows: AffectedRow[], scheme: VersionScheme): Map<string, AffectedRow> {
  const fixes = new Map<string, AffectedRow>();
  for (const row of rows) {
    if (row.source !== 'debian-dsa' || row.affected.status !== 'fixed') continue;
    const version = row.affected.fixedVersions[0];
    if (version === undefined || !scheme.valid(version)) continue;
    for (const cve of row.aliases.filter((alias) => !isBundleId(alias))) {
      const known = fixes.get(cve)?.affected.fixedVersions[0];
      if (known === undefined || scheme.compare(version, known) < 0) fixes.set(cve, row);
    }
  }
  return fixes;
}

/**
 * The rpm modularity stream an installed package comes from, `name:stream` of its MODULARITYLABEL
 * (`name:stream:version:context`), or `''` when it was built outside any module.
 */
export function packageModule(pkg: Package): string {
  const label = pkg.metadata?.modularityLabel;
  if (label === undefined || label === '') return '';
  const [name, stream] = label.split(':');
  return stream === undefined ? label : `${name}:${stream}`;
}

/**
 * Whether a row applies to a package's module stream: a row of one stream (`ruby:3.3`) only to packages of
 * that stream, a row outside modules (`''`) only to packages outside modules, as Trivy matches Red Hat's
 * data (a label's `name:stream` prefixed to the package name); a row whose source does not say, to all.
 */
function sameModule(row: AffectedRow, pkg: Package): boolean {
  return row.affected.module === undefined || pkg.type !== 'rpm' || row.affected.module === packageModule(pkg);
}

/** Hits of one OS package in its distribution release. */
async function distributionHits(pkg: Package, namespace: string, lookup: Lookup, warnings: Set<string>): Promise<Hit[]> {
  const scheme = schemeOf(namespace);
  if (scheme === undefined) return [];
  const names = new Set<string>();
  // Debian and Alpine publish by source package (origin); rpm distributions by binary package, some by source RPM.
  if (pkg.type === 'rpm') names.add(pkg.name);
  names.add(pkg.sourceName ?? pkg.name);
  const installed = pkg.type === 'deb' ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
  if (!scheme.valid(installed)) {
    warnings.add(`${pkg.name} ${installed}: not a valid ${scheme.name} version; not matched`);
    return [];
  }
  const hits: Hit[] = [];
  for (const name of names) {
    const rows = await lookup.affected(namespace, name);
    const rule = name === pkg.name && pkg.sourceName !== undefined && pkg.sourceName !== pkg.name ? 'distro-binary-package' : 'distro-source-package';
    // The Debian tracker's entry decides. DSA/DLA lists (the debian-dsa feed) never add a CVE; a fix they
    // ship for this release overrides an entry that leaves it unfixed (no-dsa, postponed, or unstable's
    // fix inherited by a release without a line of its own), the lowest fix first.
    const shipped = shippedFixes(rows, scheme);
    for (const row of rows) {
      if (row.source === 'debian-dsa' || !sameModule(row, pkg)) continue;
      const { vulnIds, bundleIds } = idsOf(row);
      const fix = row.affected.status === 'fixed' || row.affected.status === 'not-affected' ? undefined : shipped.get(row.advisoryId);
      const hit = fix
        ? hitFor(fix, pkg, installed, scheme, rule, [row.advisoryId], [...new Set([...bundleIds, fix.advisoryId])])
        : hitFor(row, pkg, installed, scheme, rule, vulnIds.length > 0 ? vulnIds : [row.advisoryId], bundleIds);
      if (hit) hits.push(hit);
    }
  }
  return hits;
}

/** Hits of one language package in its ecosystem. */
async function ecosystemHits(pkg: Package, lookup: Lookup, warnings: Set<string>): Promise<Hit[]> {
  const key = ecosystemKey(pkg);
  if (key === undefined) return [];
  // A Go main module built from a working tree has no release version to compare.
  if (pkg.type === 'golang' && (pkg.version === '(devel)' || pkg.version === '')) return [];
  const scheme = schemeOf(key.namespace);
  if (scheme === undefined) return [];
  if (!scheme.valid(pkg.version)) {
    warnings.add(`${pkg.type} package ${pkg.name} ${pkg.version}: not a valid ${scheme.name} version; not matched`);
    return [];
  }
  const rule = pkg.type === 'golang' && pkg.name === 'stdlib' ? 'go-stdlib' : 'ecosystem-range';
  const hits: Hit[] = [];
  for (const row of await lookup.affected(key.namespace, key.name)) {
    const { vulnIds, bundleIds } = idsOf(row);
    const hit = hitFor(row, pkg, pkg.version, scheme, rule, vulnIds.length > 0 ? vulnIds : [row.advisoryId], bundleIds);
    if (hit) hits.push(hit);
  }
  return hits;
}

function sourceView(record: AdvisoryRecord): SourceView {
  return {
    source: record.source,
    id: record.id,
    aliases: record.aliases,
    ...(record.summary !== undefined ? { summary: record.summary } : {}),
    ...(record.published !== undefined ? { published: record.published } : {}),
    ...(record.modified !== undefined ? { modified: record.modified } : {}),
    severity: record.severity,
    references: record.references,
  };
}

/** Every source's record of each finding's vulnerability (one batched lookup for the whole scan), KEV and EPSS. */
async function annotate(findings: Finding[], hitsOf: Map<Finding, Hit[]>, store: AdvisoryStore): Promise<void> {
  const idsOf = (finding: Finding) => [finding.id, ...finding.aliases.filter((alias) => !isBundleId(alias))];
  const records = await store.records([...new Set(findings.flatMap(idsOf))]);
  const kev = new Map<string, ReturnType<AdvisoryStore['kev']>>();
  const epss = new Map<string, ReturnType<AdvisoryStore['epss']>>();
  for (const finding of findings) {
    const seen = new Set<string>();
    const sources: SourceView[] = [];
    const ids = idsOf(finding);
    for (const id of ids) {
      for (const record of records.get(id) ?? []) {
        const key = `${record.source}\u0000${record.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        sources.push(sourceView(record));
      }
    }
    // A distribution's rating of this package's entry (Debian urgency) belongs to its record of the package.
    for (const hit of hitsOf.get(finding) ?? []) {
      if (hit.urgency === undefined) continue;
      const index = sources.findIndex((view) => view.source === hit.source && view.id === hit.advisoryId);
      if (index >= 0 && sources[index]!.urgency === undefined) sources[index] = { ...sources[index]!, urgency: hit.urgency };
    }
    finding.sources = sources;
    const cve = ids.find((id) => id.startsWith('CVE-'));
    if (cve !== undefined) {
      if (!kev.has(cve)) kev.set(cve, store.kev(cve));
      if (!epss.has(cve)) epss.set(cve, store.epss(cve));
      const kevEntry = await kev.get(cve);
      const epssEntry = await epss.get(cve);
      if (kevEntry !== undefined) finding.kev = kevEntry;
      if (epssEntry !== undefined) finding.epss = epssEntry;
    }
  }
}

/** What the SBOM's distribution means for matching, as warnings the user sees. */
function distributionWarnings(sbom: Sbom, namespace: string | undefined, osPackages: number): string[] {
  const warnings: string[] = [];
  const distro = sbom.distro;
  const name = distro?.prettyName ?? [distro?.id, distro?.versionId ?? distro?.codename].filter(Boolean).join(' ');
  if (distro?.endOfLife?.ended) {
    warnings.push(`${name} reached the end of its security support${distro.endOfLife.date ? ` on ${distro.endOfLife.date}` : ''}: it gets no more fixes, and advisories for it may be incomplete`);
  }
  if (osPackages > 0 && namespace === undefined) {
    warnings.push(
      distro === undefined
        ? `the image's distribution is unknown (no /etc/os-release): ${osPackages} OS packages were not matched; language packages were`
        : `no vulnerability data for distribution ${name}: ${osPackages} OS packages were not matched; language packages were`,
    );
  }
  return warnings;
}

/** Matches every package of `sbom` against the database. Findings are unrated (severity/ rates them). */
export async function matchSbom(sbom: Sbom, store: AdvisoryStore): Promise<MatchResult> {
  const lookup = new Lookup(store);
  const namespace = distroNamespace(sbom.distro);
  const versionWarnings = new Set<string>();
  const hits: Hit[] = [];
  let osPackages = 0;
  for (const pkg of sbom.packages) {
    if (OS_PACKAGE_TYPES.has(pkg.type)) {
      osPackages += 1;
      if (namespace !== undefined) hits.push(...(await distributionHits(pkg, namespace, lookup, versionWarnings)));
    } else if (pkg.ownedBy === undefined) {
      hits.push(...(await ecosystemHits(pkg, lookup, versionWarnings)));
    }
  }
  const { findings, hitsOf } = mergeHits(hits);
  await annotate(findings, hitsOf, store);
  return { findings, warnings: [...distributionWarnings(sbom, namespace, osPackages), ...versionWarnings] };
}
