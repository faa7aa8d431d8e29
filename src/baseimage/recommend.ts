// Refreshed and updated base images from the catalog, by the rule docs/base-images.md ("Recommendations")
// writes down: a refresh is the same tag at a newer digest; an update is another tag of the same
// repository, same variant, newest stable release first, then fewer critical+high vulnerabilities; the
// best tag of every other variant is listed as an alternative. Pure: reads the catalog, never the network.
import { SpyglassError } from '../core/errors.ts';
import type { Digest } from '../core/digest.ts';
import { SEVERITY_LEVELS } from '../core/finding.ts';
import { familiarImageRef, parseImageRef } from '../core/reference.ts';
import type { BaseDetection, BaseImageCatalog, CatalogImage, Recommendation, SeverityCounts } from './model.ts';
import { compareKeys, tagAnatomy, versionKey, type TagAnatomy } from './tag-anatomy.ts';

/** What is known of the image's current base; given fields win over the catalog's record. */
export interface CurrentBase {
  counts?: SeverityCounts;
  size?: number;
  created?: string;
  packages?: number;
}

export interface RecommendOptions {
  current?: CurrentBase;
  /** `os/arch[/variant]` of the image: only records of this platform are compared. */
  platform: string;
  /** `--tag`: the updated tag to show, whatever the rule would pick. */
  tag?: string;
}

/** Where the base sits in the catalog: the repository and tag it is recorded under, and its record when its digest was indexed. */
export interface CatalogedBase {
  repository: string;
  tag: string;
  digest?: Digest;
  record?: CatalogImage;
  /** How the catalog entry was found: by the base's repository and tag, or by its digest. */
  by: 'name' | 'digest';
}

export function recommend(base: BaseDetection, catalog: BaseImageCatalog, options: RecommendOptions): Recommendation[] {
  const place = locateBase(base, catalog, options.platform);
  if (place === undefined) return [];
  const current = currentFigures(place.record, options.current);
  const recommendations: Recommendation[] = [];
  const refreshed = refreshedRecord(place, catalog, options.platform, current);
  if (refreshed) {
    recommendations.push(recommendation('refreshed', refreshed, current,
      `same tag ${place.tag}, newer digest${place.digest ? ` than the base's ${shortHex(place.digest)}` : ''}`));
  }
  const others = catalog.list({ repository: place.repository, platform: options.platform })
    .filter((record) => record.tag !== place.tag);
  if (options.tag !== undefined) {
    recommendations.push(recommendation('updated', forcedTag(place, catalog, options.platform, options.tag, others), current, `chosen with --tag ${options.tag}`));
  }
  const ruled = updatedByRule(place, others.filter((record) => record.tag !== options.tag));
  if (options.tag === undefined && ruled.updated) recommendations.push(recommendation('updated', ruled.updated.record, current, ruled.updated.reason));
  for (const alternative of ruled.alternatives) recommendations.push(recommendation('alternative', alternative.record, current, alternative.reason));
  return recommendations;
}

/**
 * The base's repository and tag in the catalog: by its name when the catalog has that repository and tag
 * (for this platform), else by its digest (a base recorded under another name, such as a mirror, or an
 * image annotated with Docker Hub's name whose base was indexed from a local registry).
 */
export function locateBase(base: BaseDetection, catalog: BaseImageCatalog, platform: string): CatalogedBase | undefined {
  const digest = base.ref.digest ?? base.entry?.digest;
  const isBase = (record: CatalogImage) => digest !== undefined && (record.digest === digest || record.tagDigest === digest);
  const repository = normalizedRepository(base.ref.repository);
  const tag = base.ref.tag ?? base.entry?.tag;
  if (tag !== undefined) {
    const history = catalog.history(repository, tag, platform);
    if (history.length > 0) return { repository, tag, ...(digest ? { digest } : {}), ...optional('record', history.find(isBase)), by: 'name' };
  }
  if (digest === undefined) return undefined;
  // A manifest digest names one platform's image; an index digest (tagDigest) needs the platform to pick one.
  const candidates = [...catalog.byDigest(digest), ...(base.entry && isBase(base.entry) ? [base.entry] : [])];
  if (candidates.length === 0) candidates.push(...catalog.list({ platform }).filter((record) => record.tagDigest === digest));
  const path = repositoryPath(repository);
  const chosen = candidates.sort((a, b) =>
    Number(b.tag === tag) - Number(a.tag === tag)
    || Number(repositoryPath(b.repository) === path) - Number(repositoryPath(a.repository) === path)
    || compareText(a.repository, b.repository) || compareText(a.tag, b.tag))[0];
  return chosen === undefined ? undefined : { repository: chosen.repository, tag: chosen.tag, digest, record: chosen, by: 'digest' };
}

/** The base's figures: its catalog record's, with the caller's where given. */
export function currentFigures(record: CatalogImage | undefined, given: CurrentBase | undefined): CurrentBase {
  const fromRecord: CurrentBase = record === undefined ? {} : {
    ...optional('counts', record.counts), size: record.size, ...optional('created', record.created), packages: packageCount(record),
  };
  const defined = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)) as CurrentBase;
  return { ...fromRecord, ...defined };
}

/** The newest record of the base's tag, when it is not the base's own digest and not older than the base. */
function refreshedRecord(place: CatalogedBase, catalog: BaseImageCatalog, platform: string, current: CurrentBase): CatalogImage | undefined {
  if (place.digest === undefined) return undefined;
  const newest = catalog.history(place.repository, place.tag, platform)[0];
  if (newest === undefined || newest.digest === place.digest || newest.tagDigest === place.digest) return undefined;
  if (newest.created !== undefined && current.created !== undefined && time(newest.created) <= time(current.created)) return undefined;
  return newest;
}

function forcedTag(place: CatalogedBase, catalog: BaseImageCatalog, platform: string, tag: string, others: readonly CatalogImage[]): CatalogImage {
  const record = catalog.history(place.repository, tag, platform)[0];
  if (record !== undefined) return record;
  const known = others.map((other) => other.tag).sort(compareText);
  throw new SpyglassError(`--tag ${tag}: the catalog has no tag ${tag} of ${place.repository} for ${platform}`
    + (known.length > 0 ? ` (catalogued tags: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ''));
}

interface Candidate {
  record: CatalogImage;
  anatomy: TagAnatomy;
  /** The release at the current tag's precision. */
  key: number[];
}

/**
 * The rule's updated tag and the alternatives: among stable tags naming a release, the same variant's best
 * tag newer than the current one, and the best tag of every other variant at least as new.
 */
export function updatedByRule(place: Pick<CatalogedBase, 'tag' | 'digest'>, others: readonly CatalogImage[]): {
  updated?: { record: CatalogImage; reason: string };
  alternatives: { record: CatalogImage; reason: string }[];
} {
  const current = tagAnatomy(place.tag);
  if (current.version === undefined) return { alternatives: [] };
  const precision = current.version.length;
  const currentKey = versionKey(current.version, precision);
  const candidates: Candidate[] = [];
  for (const record of others) {
    const anatomy = tagAnatomy(record.tag);
    if (!anatomy.stable || anatomy.version === undefined || (place.digest !== undefined && record.digest === place.digest)) continue;
    candidates.push({ record, anatomy, key: versionKey(anatomy.version, precision) });
  }
  const order = ruleOrder(current);
  const sameVariant = candidates.filter((candidate) => candidate.anatomy.variant === current.variant && compareKeys(candidate.key, currentKey) > 0).sort(order);
  const best = sameVariant[0];
  const bestOfVariant = new Map<string, Candidate>();
  for (const candidate of candidates.filter((c) => c.anatomy.variant !== current.variant && compareKeys(c.key, currentKey) >= 0).sort(order)) {
    if (!bestOfVariant.has(candidate.anatomy.variant)) bestOfVariant.set(candidate.anatomy.variant, candidate);
  }
  const release = (anatomy: TagAnatomy) => anatomy.form === 'codename' ? `${anatomy.tag.split('-')[0]} (${anatomy.version!.join('.')})` : anatomy.version!.join('.');
  return {
    ...(best ? { updated: { record: best.record, reason: `same variant (${variantName(current.variant)}), newest stable release: ${release(best.anatomy)} after ${release(current)}` } } : {}),
    alternatives: [...bestOfVariant.values()].sort(order).map((candidate) => ({
      record: candidate.record,
      reason: `other variant (${variantName(candidate.anatomy.variant)}), newest stable release: ${release(candidate.anatomy)}`,
    })),
  };
}

/**
 * Newest release first (at the current tag's precision), then fewer critical+high vulnerabilities
 * (unknown counts last), then the tag written like the current one (codename or number, as many
 * version components, a date stamp or not), then the newer image, then the tag's name.
 */
function ruleOrder(current: TagAnatomy): (a: Candidate, b: Candidate) => number {
  const unlikeness = (anatomy: TagAnatomy) => (anatomy.form !== current.form ? 4 : 0)
    + (anatomy.version?.length !== current.version?.length ? 2 : 0)
    + ((anatomy.stamp === undefined) !== (current.stamp === undefined) ? 1 : 0);
  return (a, b) => compareKeys(b.key, a.key)
    || compareNumbers(severe(a.record), severe(b.record))
    || unlikeness(a.anatomy) - unlikeness(b.anatomy)
    || compareNumbers(time(b.record.created), time(a.record.created))
    || compareText(a.record.tag, b.record.tag);
}

function recommendation(kind: Recommendation['kind'], record: CatalogImage, current: CurrentBase, reason: string): Recommendation {
  const packages = packageCount(record);
  return {
    kind,
    ref: { repository: record.repository, tag: record.tag, digest: record.digest },
    name: displayName(record.repository, record.tag),
    ...optional('counts', record.counts),
    ...(record.counts && current.counts ? { delta: countsDelta(record.counts, current.counts) } : {}),
    size: record.size,
    ...(current.size !== undefined ? { sizeDelta: record.size - current.size } : {}),
    ...optional('created', record.created),
    packages,
    reason,
  };
}

/** Per severity: `to` minus `from` (negative = fewer). */
export function countsDelta(to: SeverityCounts, from: SeverityCounts): SeverityCounts {
  return Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, to[level] - from[level]])) as SeverityCounts;
}

export function packageCount(record: Pick<CatalogImage, 'packageSummary'>): number {
  return Object.values(record.packageSummary).reduce((sum, count) => sum + (count ?? 0), 0);
}

/** Docker Hub's short form (`debian:bookworm-slim`), the full repository elsewhere. */
export function displayName(repository: string, tag: string): string {
  try {
    return familiarImageRef(parseImageRef(`${repository}:${tag}`));
  } catch {
    return `${repository}:${tag}`;
  }
}

/** `debian`, `library/debian`, `docker.io/library/debian` → `docker.io/library/debian`, as the catalog keys repositories. */
export function normalizedRepository(repository: string): string {
  try {
    const ref = parseImageRef(repository);
    return `${ref.registry}/${ref.repository}`;
  } catch {
    return repository;
  }
}

/** The repository without its registry: `library/debian`. */
function repositoryPath(repository: string): string {
  const slash = repository.indexOf('/');
  const first = repository.slice(0, slash);
  return slash > 0 && (first.includes('.') || first.includes(':') || first === 'localhost') ? repository.slice(slash + 1) : repository;
}

function variantName(variant: string): string {
  return variant === '' ? 'default' : variant;
}

function severe(record: CatalogImage): number {
  return record.counts ? record.counts.critical + record.counts.high : Number.POSITIVE_INFINITY;
}

function time(iso: string | undefined): number {
  const value = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}

function compareNumbers(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function shortHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
