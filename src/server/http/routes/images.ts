// GET /orgs/{org}/images and /orgs/{org}/images/{digest}: stored analysis results, read only.
import type { FastifyInstance } from 'fastify';
import type { Finding, VulnerabilityReport } from '../../../core/finding.ts';
import type { Sbom } from '../../../core/sbom.ts';
import { levelOf } from '../../../report/order.ts';
import { emptyCounts, type SeverityCounts } from '../../../report/counts.ts';
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

function summaryOf(row: Row, tags: string[]) {
  const counts = parseJson<SeverityCounts>(row.counts);
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
    vulnerabilities: counts === undefined ? null : { ...emptyCounts(), ...counts },
    policy: policyCounts(row.policy),
  };
}

const SELECT_IMAGES = `SELECT i.*, r.registry, r.name AS repository_name FROM images i JOIN repositories r ON r.id = i.repository_id AND r.org_id = i.org_id`;

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/images', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const repositoryFilter = queryString(request.query, 'repository');
    let rows: Row[];
    if (repositoryFilter !== undefined) {
      const repository = await findRepository(ctx.sql, org.id, repositoryFilter);
      if (repository === undefined) throw badRequest(`?repository=${repositoryFilter}: no such repository in ${org.name}`);
      rows = await ctx.sql.all(`${SELECT_IMAGES} WHERE i.org_id = ? AND i.repository_id = ? ORDER BY i.pushed_at DESC, i.digest`, [org.id, repository.id]);
    } else {
      rows = await ctx.sql.all(`${SELECT_IMAGES} WHERE i.org_id = ? ORDER BY r.registry, r.name, i.pushed_at DESC, i.digest`, [org.id]);
    }
    const tagsByRepository = new Map<string, Map<string, string[]>>();
    const images = [];
    for (const row of rows) {
      const repositoryId = String(row.repository_id);
      if (!tagsByRepository.has(repositoryId)) tagsByRepository.set(repositoryId, await tagsOf(ctx.sql, repositoryId));
      images.push(summaryOf(row, tagsFor(row, tagsByRepository.get(repositoryId)!)));
    }
    return { images };
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
      return {
        id: finding.id,
        aliases: finding.aliases,
        package: pkg?.name ?? finding.packageId,
        version: pkg?.version ?? null,
        type: pkg?.type ?? null,
        severity: levelOf(finding),
        fixedVersion: finding.fixedVersions[0] ?? null,
        status: finding.status,
        ...(finding.suppressed !== undefined ? { suppressed: finding.suppressed.status } : {}),
      };
    });
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
      layers: (sbom?.source.layers ?? []).map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size, ...(layer.createdBy !== undefined ? { createdBy: layer.createdBy } : {}) })),
      baseImage,
      recommendations: parseJson<unknown>(row.recommendations) ?? null,
      packages: (sbom?.packages ?? []).map((p) => ({ name: p.name, version: p.version, type: p.type, purl: p.purl })),
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
