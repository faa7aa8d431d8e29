// GET /orgs/{org}/images and /orgs/{org}/images/{digest}: stored analysis results, read only. The list
// (the dashboard's Images page: filters, sorting, paging, the previous push) reads only small columns of
// every image and completes the page's rows; the detail reads the image's SBOM and report.
import type { FastifyInstance } from 'fastify';
import { SEVERITY_LEVELS, type Finding, type SeverityLevel, type VulnerabilityReport } from '../../../core/finding.ts';
import type { Package } from '../../../core/package.ts';
import type { Sbom } from '../../../core/sbom.ts';
import { levelOf } from '../../../report/order.ts';
import { emptyCounts, totalOf, type SeverityCounts } from '../../../report/counts.ts';
import type { ServerContext } from '../../context.ts';
import { toNumber, optionalText, type Row, type Sql } from '../../db/sql.ts';
import { findRepository } from '../../repositories.ts';
import { authorise } from '../auth.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { queryString } from '../body.ts';
import { policyDelta } from '../../../policy/delta.ts';
import { policyCounts, storedPolicyResults } from '../../policies.ts';

function parseJson<T>(text: unknown): T | undefined {
  return typeof text === 'string' && text !== '' ? (JSON.parse(text) as T) : undefined;
}

/** A column another part may fill with JSON or with plain text (a base image reference). */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function time(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(toNumber(value)).toISOString();
}

/** The layer that added a package: the first layer listing it at this version, else where it was found. */
export function layerOf(pkg: Package): string | null {
  return pkg.introducedLayerDiffId ?? pkg.locations[0]?.layerDiffId ?? null;
}

/** A vulnerability's description in one line: the first source's summary that has one (its first line). */
export function descriptionOf(sources: readonly { summary?: string }[]): string | null {
  for (const source of sources) {
    const line = source.summary?.split('\n').map((part) => part.trim()).find((part) => part !== '');
    if (line !== undefined) return line;
  }
  return null;
}

/** A repository's tags by the digest they point at. */
async function tagsOf(sql: Sql, repositoryId: string): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>();
  const rows = await sql.all('SELECT tag, digest FROM tags WHERE repository_id = ? ORDER BY tag', [repositoryId]);
  for (const row of rows) {
    const digest = String(row.digest);
    tags.set(digest, [...(tags.get(digest) ?? []), String(row.tag)]);
  }
  return tags;
}

/** An image's tags: those pointing at its own digest or at the index it was pushed in. */
function tagsFor(row: Row, tags: Map<string, string[]>): string[] {
  const own = tags.get(String(row.digest)) ?? [];
  const index = optionalText(row.index_digest);
  const viaIndex = index !== undefined ? tags.get(index) ?? [] : [];
  return [...new Set([...own, ...viaIndex])].sort();
}

function summaryOf(row: Row, tags: string[], counts: SeverityCounts | null = countsOf(row.counts)) {
  return {
    repository: `${String(row.registry)}/${String(row.repository_name)}`,
    repositoryId: String(row.repository_id),
    tags,
    digest: String(row.digest),
    indexDigest: optionalText(row.index_digest) ?? null,
    platform: optionalText(row.platform) ?? null,
    size: row.size === null || row.size === undefined ? null : toNumber(row.size),
    pushedAt: time(row.pushed_at),
    analysedAt: time(row.analysed_at),
    vulnerabilities: counts,
    policy: policyCounts(row.policy),
  };
}

/** An image's base as the list shows it: the detected base's name (`debian:12`), or null. */
export function baseImageName(text: unknown): string | null {
  const stored = optionalText(text);
  if (stored === undefined || stored === '') return null;
  const value = jsonOrText(stored);
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') return (value as { name: string }).name;
  return null;
}

const SORTS = ['repository', 'pushed', 'analysed', 'critical', 'high', 'medium', 'low', 'unspecified', 'total'] as const;
type Sort = (typeof SORTS)[number];
const LIST_PARAMETERS = ['repository', 'latest', 'q', 'severity', 'sort', 'order', 'limit', 'offset'];
export const MAX_PAGE = 500;

export interface ListQuery {
  repository?: string;
  latest: boolean;
  q?: string;
  severity?: SeverityLevel;
  sort: Sort;
  order: 'asc' | 'desc';
  limit: number | null;
  offset: number;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw badRequest(`?${name}=${value}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

export function wholeNumber(name: string, value: string, min: number, max: number): number {
  const number = /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw badRequest(`?${name}=${value}: expected a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  }
  return number;
}

/** The list's query parameters, each checked; an unknown one is refused (a misspelt filter must not show everything). */
export function listQuery(query: unknown): ListQuery {
  for (const key of Object.keys((query ?? {}) as Record<string, unknown>)) {
    if (!LIST_PARAMETERS.includes(key)) throw badRequest(`?${key}: unknown parameter (expected ${LIST_PARAMETERS.join(', ')})`);
  }
  const text = (name: string) => queryString(query, name);
  const latest = text('latest');
  const severity = text('severity');
  const sort = text('sort');
  const order = text('order');
  const limit = text('limit');
  const offset = text('offset');
  const q = text('q');
  const repository = text('repository');
  const chosenSort = sort === undefined ? 'repository' : oneOf('sort', sort, SORTS);
  return {
    ...(repository !== undefined ? { repository } : {}),
    latest: latest === undefined ? false : oneOf('latest', latest, ['true', 'false']) === 'true',
    ...(q !== undefined && q.trim() !== '' ? { q: q.trim().toLowerCase() } : {}),
    ...(severity !== undefined ? { severity: oneOf('severity', severity, SEVERITY_LEVELS) } : {}),
    sort: chosenSort,
    order: order === undefined ? (chosenSort === 'repository' ? 'asc' : 'desc') : oneOf('order', order, ['asc', 'desc']),
    limit: limit === undefined ? null : wholeNumber('limit', limit, 1, MAX_PAGE),
    offset: offset === undefined ? 0 : wholeNumber('offset', offset, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** What the list reads of every image: no SBOM, report, policy or base (those only for the page's rows). */
interface LightImage {
  id: string;
  repositoryId: string;
  reference: string;
  registry: string;
  name: string;
  digest: string;
  platform: string;
  pushedAt: number;
  analysedAt: number | null;
  counts: SeverityCounts | null;
  total: number | null;
  previous: LightImage | null;
}

function countsOf(text: unknown): SeverityCounts | null {
  const counts = parseJson<Partial<SeverityCounts>>(text);
  return counts === undefined ? null : { ...emptyCounts(), ...counts };
}

/** Newest first; for one push of an index, by platform; then by digest. */
function newestFirst(a: LightImage, b: LightImage): number {
  return b.pushedAt - a.pushedAt || (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sort key of `sort`; null (not analysed) always sorts last. */
function sortKey(image: LightImage, sort: Sort): number | null {
  switch (sort) {
    case 'pushed': return image.pushedAt;
    case 'analysed': return image.analysedAt;
    case 'total': return image.total;
    case 'repository': return 0;
    default: return image.counts === null ? null : image.counts[sort];
  }
}

function comparator(sort: Sort, order: 'asc' | 'desc'): (a: LightImage, b: LightImage) => number {
  const direction = order === 'asc' ? 1 : -1;
  return (a, b) => {
    if (sort === 'repository') return direction * compareText(a.reference, b.reference) || newestFirst(a, b);
    const x = sortKey(a, sort);
    const y = sortKey(b, sort);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return direction * (x - y);
    }
    return compareText(a.reference, b.reference) || newestFirst(a, b);
  };
}

async function inChunks<T>(ids: readonly string[], read: (chunk: string[], placeholders: string) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += MAX_PAGE) {
    const chunk = ids.slice(start, start + MAX_PAGE);
    rows.push(...(await read(chunk, chunk.map(() => '?').join(', '))));
  }
  return rows;
}

/**
 * The images list: one light query over the organization's images (ids, digests, times and the counts
 * JSON), then filters, `previous`, sorting and the page in memory; the page's rows alone are completed
 * (size, index, base, policy, tags) by id.
 */
export async function listImages(sql: Sql, orgId: string, repositoryId: string | undefined, query: ListQuery) {
  const rows = await sql.all(
    `SELECT i.id, i.repository_id, i.digest, i.platform, i.pushed_at, i.analysed_at, i.counts, r.registry, r.name AS repository_name
     FROM images i JOIN repositories r ON r.id = i.repository_id AND r.org_id = i.org_id WHERE i.org_id = ?${repositoryId !== undefined ? ' AND i.repository_id = ?' : ''}`,
    repositoryId !== undefined ? [orgId, repositoryId] : [orgId],
  );
  const all: LightImage[] = rows.map((row) => {
    const counts = countsOf(row.counts);
    return {
      id: String(row.id), repositoryId: String(row.repository_id), reference: `${String(row.registry)}/${String(row.repository_name)}`,
      registry: String(row.registry), name: String(row.repository_name),
      digest: String(row.digest), platform: optionalText(row.platform) ?? '', pushedAt: toNumber(row.pushed_at),
      analysedAt: row.analysed_at === null || row.analysed_at === undefined ? null : toNumber(row.analysed_at),
      counts, total: counts === null ? null : totalOf(counts), previous: null,
    };
  });
  // `previous`: the image of the same repository and platform pushed just before.
  const byRepository = new Map<string, LightImage[]>();
  for (const image of all) {
    const group = `${image.repositoryId}\u0000${image.platform}`;
    byRepository.set(group, [...(byRepository.get(group) ?? []), image]);
  }
  for (const group of byRepository.values()) {
    group.sort((a, b) => -newestFirst(a, b));
    for (let i = 1; i < group.length; i++) group[i]!.previous = group[i - 1]!;
  }
  let images = all;
  if (query.latest) {
    const newest = new Map<string, LightImage>();
    for (const image of all) {
      const current = newest.get(image.repositoryId);
      if (current === undefined || newestFirst(image, current) < 0) newest.set(image.repositoryId, image);
    }
    images = [...newest.values()];
  }
  const q = query.q;
  if (q !== undefined) images = images.filter((image) => image.reference.toLowerCase().includes(q));
  const severity = query.severity;
  if (severity !== undefined) images = images.filter((image) => image.counts !== null && image.counts[severity] > 0);
  images.sort(comparator(query.sort, query.order));
  const page = images.slice(query.offset, query.limit === null ? undefined : query.offset + query.limit);

  // The page's rows and the images before them (their policy counts: the trend).
  const pageIds = [...new Set(page.flatMap((image) => (image.previous === null ? [image.id] : [image.id, image.previous.id])))];
  const details = new Map((await inChunks(pageIds, (chunk, marks) =>
    sql.all(`SELECT id, index_digest, platform, size, base_image, policy FROM images WHERE id IN (${marks})`, chunk))).map((row) => [String(row.id), row]));
  const tags = new Map<string, Map<string, string[]>>();
  for (const row of await inChunks([...new Set(page.map((image) => image.repositoryId))], (chunk, marks) =>
    sql.all(`SELECT repository_id, tag, digest FROM tags WHERE repository_id IN (${marks}) ORDER BY tag`, chunk))) {
    const repository = String(row.repository_id);
    const byDigest = tags.get(repository) ?? new Map<string, string[]>();
    tags.set(repository, byDigest);
    byDigest.set(String(row.digest), [...(byDigest.get(String(row.digest)) ?? []), String(row.tag)]);
  }
  return {
    images: page.map((image) => {
      const row: Row = {
        ...details.get(image.id), repository_id: image.repositoryId, digest: image.digest, pushed_at: image.pushedAt, analysed_at: image.analysedAt,
        registry: image.registry, repository_name: image.name,
      };
      return {
        ...summaryOf(row, tagsFor(row, tags.get(image.repositoryId) ?? new Map<string, string[]>()), image.counts),
        baseImage: baseImageName(row.base_image),
        previous: image.previous === null ? null : {
          digest: image.previous.digest, vulnerabilities: image.previous.counts, policy: policyCounts(details.get(image.previous.id)?.policy),
        },
      };
    }),
    total: images.length,
    offset: query.offset,
    limit: query.limit,
  };
}

const SELECT_IMAGES = `SELECT i.*, r.registry, r.name AS repository_name FROM images i JOIN repositories r ON r.id = i.repository_id AND r.org_id = i.org_id`;

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/images', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const query = listQuery(request.query);
    let repositoryId: string | undefined;
    if (query.repository !== undefined) {
      const repository = await findRepository(ctx.sql, org.id, query.repository);
      if (repository === undefined) throw badRequest(`?repository=${query.repository}: no such repository in ${org.name}`);
      repositoryId = repository.id;
    }
    return listImages(ctx.sql, org.id, repositoryId, query);
  });

  app.get('/api/v1/orgs/:org/images/:digest', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const { digest } = request.params as { digest: string };
    if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) throw badRequest(`digest ${JSON.stringify(digest)}: expected algorithm:hex, e.g. sha256:…`);
    const repositoryFilter = queryString(request.query, 'repository');
    const params: string[] = [org.id, digest];
    let where = 'i.org_id = ? AND i.digest = ?';
    if (repositoryFilter !== undefined) {
      const repository = await findRepository(ctx.sql, org.id, repositoryFilter);
      if (repository === undefined) throw badRequest(`?repository=${repositoryFilter}: no such repository in ${org.name}`);
      where += ' AND i.repository_id = ?';
      params.push(repository.id);
    }
    const row = await ctx.sql.get(`${SELECT_IMAGES} WHERE ${where} ORDER BY i.pushed_at DESC LIMIT 1`, params);
    if (row === undefined) {
      const platforms = await ctx.sql.all('SELECT digest, platform FROM images WHERE org_id = ? AND index_digest = ? ORDER BY platform, digest', [org.id, digest]);
      if (platforms.length > 0) {
        const each = platforms.map((image) => `${String(image.platform ?? '?')} ${String(image.digest)}`).join(', ');
        throw new HttpError(404, `image ${digest} is a multi-platform index; ask for one of its images: ${each}`);
      }
      throw notFound(`image ${digest}`);
    }
    const tags = tagsFor(row, await tagsOf(ctx.sql, String(row.repository_id)));
    const sbom = parseJson<Sbom>(row.sbom);
    const report = parseJson<Omit<VulnerabilityReport, 'packages'>>(row.report);
    const packageById = new Map((sbom?.packages ?? []).map((p) => [p.id, p]));
    const findings = (report?.findings ?? []).map((finding: Finding) => {
      const pkg = packageById.get(finding.packageId);
      const cvss = finding.rating?.cvss;
      return {
        id: finding.id,
        aliases: finding.aliases,
        package: pkg?.name ?? finding.packageId,
        packageId: finding.packageId,
        version: pkg?.version ?? null,
        type: pkg?.type ?? null,
        severity: levelOf(finding),
        fixedVersion: finding.fixedVersions[0] ?? null,
        status: finding.status,
        cvss: cvss === undefined ? null : { score: cvss.score, vector: cvss.vector, source: cvss.by },
        epss: finding.epss === undefined ? null : { score: finding.epss.score, percentile: finding.epss.percentile },
        kev: finding.kev !== undefined,
        layer: pkg === undefined ? null : layerOf(pkg),
        description: descriptionOf(finding.sources),
        ...(finding.suppressed !== undefined ? { suppressed: finding.suppressed.status } : {}),
      };
    });
    const addedBy = new Map<string, number>();
    for (const pkg of sbom?.packages ?? []) {
      const layer = layerOf(pkg);
      if (layer !== null) addedBy.set(layer, (addedBy.get(layer) ?? 0) + 1);
    }
    const evaluations = await ctx.sql.all('SELECT * FROM evaluations WHERE image_id = ? ORDER BY at DESC, id', [String(row.id)]);
    const policies = storedPolicyResults(row.policy);
    // The trend: against the image of the same repository pushed before this one (with policy results).
    const previous = await ctx.sql.get(
      'SELECT digest, policy FROM images WHERE repository_id = ? AND id <> ? AND policy IS NOT NULL AND (pushed_at < ? OR (pushed_at = ? AND digest < ?)) ORDER BY pushed_at DESC, digest DESC LIMIT 1',
      [String(row.repository_id), String(row.id), toNumber(row.pushed_at), toNumber(row.pushed_at), String(row.digest)],
    );
    const previousResults = previous === undefined ? undefined : storedPolicyResults(previous.policy);
    const policyTrend = policies === undefined || previousResults === undefined || previousResults.length === 0 ? null : {
      against: String(previous!.digest),
      policies: policyDelta(policies.filter((result) => previousResults.some((old) => old.name === result.name)), previousResults),
    };
    const storedBase = optionalText(row.base_image);
    const baseImage = storedBase !== undefined ? jsonOrText(storedBase) : report?.baseImage ?? null;
    return {
      ...summaryOf(row, tags),
      configDigest: optionalText(row.config_digest) ?? null,
      distro: sbom?.distro ?? null,
      layers: (sbom?.source.layers ?? []).map((layer) => ({
        digest: layer.digest, diffId: layer.diffId, size: layer.size, ...(layer.createdBy !== undefined ? { createdBy: layer.createdBy } : {}), packages: addedBy.get(layer.diffId) ?? 0,
      })),
      baseImage,
      recommendations: parseJson<unknown>(row.recommendations) ?? null,
      packages: (sbom?.packages ?? []).map((p) => ({ id: p.id, name: p.name, version: p.version, type: p.type, purl: p.purl, layer: layerOf(p) })),
      findings,
      policies: policies ?? null,
      policyTrend,
      evaluations: evaluations.map((evaluation) => ({
        at: time(evaluation.at),
        reason: String(evaluation.reason),
        generation: evaluation.generation === null || evaluation.generation === undefined ? null : toNumber(evaluation.generation),
        added: parseJson<unknown[]>(evaluation.added) ?? [],
        removed: parseJson<unknown[]>(evaluation.removed) ?? [],
        changed: parseJson<unknown[]>(evaluation.changed) ?? [],
      })),
    };
  });
}
