// Environments (docs/server.md, "Environments"), as Docker Scout has them: `spyglass environment ENV IMAGE`
// records an image the server has analysed in an environment of the organization (production,
// staging…; made when first recorded in); an environment runs the latest image recorded per
// repository, and every recording is kept, so each image has a trend against the image of the same
// repository recorded before it in the same environment: the vulnerability counts' change and the
// policy delta (src/policy/delta.ts).
import { randomUUID } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import { isDigest } from '../core/digest.ts';
import { parseImageRef } from '../core/reference.ts';
import { emptyCounts, totalOf, type SeverityCounts } from '../report/counts.ts';
import { policyDelta, type PolicyDelta } from '../policy/delta.ts';
import { jsonColumn, optionalText, toNumber, type Row, type Sql } from './db/sql.ts';
import { policyCounts, storedPolicyResults } from './policies.ts';
import { findRepository } from './repositories.ts';

/** An environment name: what Docker Scout's environment names look like (`production`, `staging-eu`). */
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Not found (the route answers 404) and refused (400), each one line naming the input. */
export class EnvironmentNotFound extends Error {}

export function checkEnvironmentName(name: string): string {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new SpyglassError(`environment name ${JSON.stringify(name)}: expected 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return name;
}

const time = (value: unknown): string => new Date(toNumber(value)).toISOString();

/** The tags of a repository pointing at the image's digest or at the index it came in. */
async function tagsOf(sql: Sql, repositoryId: string, digest: string, indexDigest: string | undefined): Promise<string[]> {
  const rows = await sql.all('SELECT tag FROM tags WHERE repository_id = ? AND (digest = ? OR digest = ?) ORDER BY tag', [repositoryId, digest, indexDigest ?? digest]);
  return rows.map((row) => String(row.tag));
}

/**
 * The analysed image `text` names in the organization: a digest (`sha256:…`, an image's or a
 * single-platform index's), `registry/repo:tag` or `registry/repo@digest` (a `registry://` prefix is
 * allowed). Unknown → EnvironmentNotFound; ambiguous or a multi-platform index → SpyglassError.
 */
export async function resolveAnalysedImage(sql: Sql, orgId: string, orgName: string, text: string): Promise<Row> {
  const input = text.trim().replace(/^registry:\/\//, '');
  let rows: Row[];
  let digest: string;
  if (isDigest(input)) {
    digest = input;
    rows = await sql.all('SELECT * FROM images WHERE org_id = ? AND digest = ? ORDER BY repository_id', [orgId, digest]);
    if (rows.length === 0) rows = await sql.all('SELECT * FROM images WHERE org_id = ? AND index_digest = ? ORDER BY repository_id, platform', [orgId, digest]);
    const repositories = new Set(rows.map((row) => String(row.repository_id)));
    if (repositories.size > 1) {
      const names = await Promise.all([...repositories].map(async (id) => (await findRepository(sql, orgId, id))?.reference ?? id));
      throw new SpyglassError(`image ${digest} is in several repositories of ${orgName} (${names.sort().join(', ')}): give registry/repository@${digest}`);
    }
  } else {
    const ref = parseImageRef(input);
    const reference = `${ref.registry}/${ref.repository}`;
    const repository = await findRepository(sql, orgId, reference);
    if (repository === undefined) throw new EnvironmentNotFound(`image ${text}: repository ${reference} not found in ${orgName}`);
    if (ref.digest !== undefined) {
      digest = ref.digest;
    } else {
      const tag = await sql.get('SELECT digest FROM tags WHERE repository_id = ? AND tag = ?', [repository.id, ref.tag ?? 'latest']);
      if (tag === undefined) throw new EnvironmentNotFound(`image ${text}: ${reference} has no tag ${ref.tag ?? 'latest'} in ${orgName}`);
      digest = String(tag.digest);
    }
    rows = await sql.all('SELECT * FROM images WHERE repository_id = ? AND (digest = ? OR index_digest = ?) ORDER BY platform, digest', [repository.id, digest, digest]);
    // An image's own digest is exact; an index is its images.
    const exact = rows.filter((row) => String(row.digest) === digest);
    if (exact.length > 0) rows = exact;
  }
  if (rows.length === 0) throw new EnvironmentNotFound(`image ${text} not found in ${orgName} (only images the server has analysed can be recorded)`);
  if (rows.length > 1) {
    const each = rows.map((row) => `${String(row.platform ?? '?')} ${String(row.digest)}`).join(', ');
    throw new SpyglassError(`image ${text} is a multi-platform index: record one of its images: ${each}`);
  }
  const row = rows[0]!;
  if (row.analysed_at === null || row.analysed_at === undefined || optionalText(row.sbom) === undefined) {
    throw new EnvironmentNotFound(`image ${text} (${String(row.digest)}) has not been analysed yet: record it once the server has analysed it`);
  }
  return row;
}

export interface EnvironmentImage {
  repository: string;
  repositoryId: string;
  digest: string;
  indexDigest: string | null;
  platform: string | null;
  tags: string[];
  recordedAt: string;
  recordedBy: string | null;
  vulnerabilities: SeverityCounts | null;
  policy: { met: number; total: number; unknown: number } | null;
}

export interface EnvironmentTrend {
  /** The image's counts minus the previous image's, per severity and in total (negative: fewer). */
  vulnerabilities: (SeverityCounts & { total: number }) | null;
  /** Per policy both have results for: better, worse, unchanged or unknown (src/policy/delta.ts). */
  policies: PolicyDelta[] | null;
}

export interface EnvironmentImageDetail extends EnvironmentImage {
  previous: EnvironmentImage | null;
  trend: EnvironmentTrend | null;
}

const SELECT_RECORDS = `SELECT e.name AS environment, ei.id AS record_id, ei.repository_id, ei.recorded_at, ei.recorded_by,
  i.digest, i.index_digest, i.platform, i.counts, i.policy, r.registry, r.name AS repository_name
  FROM environment_images ei JOIN environments e ON e.id = ei.environment_id
  JOIN images i ON i.id = ei.image_id JOIN repositories r ON r.id = ei.repository_id`;

async function imageOf(sql: Sql, row: Row): Promise<EnvironmentImage> {
  const counts = jsonColumn<SeverityCounts>(row.counts);
  const indexDigest = optionalText(row.index_digest);
  return {
    repository: `${String(row.registry)}/${String(row.repository_name)}`,
    repositoryId: String(row.repository_id),
    digest: String(row.digest),
    indexDigest: indexDigest ?? null,
    platform: optionalText(row.platform) ?? null,
    tags: await tagsOf(sql, String(row.repository_id), String(row.digest), indexDigest),
    recordedAt: time(row.recorded_at),
    recordedBy: optionalText(row.recorded_by) ?? null,
    vulnerabilities: counts === undefined ? null : { ...emptyCounts(), ...counts },
    policy: policyCounts(row.policy),
  };
}

function trendOf(current: Row, previous: Row): EnvironmentTrend {
  const mine = jsonColumn<SeverityCounts>(current.counts);
  const theirs = jsonColumn<SeverityCounts>(previous.counts);
  let vulnerabilities: EnvironmentTrend['vulnerabilities'] = null;
  if (mine !== undefined && theirs !== undefined) {
    const a = { ...emptyCounts(), ...mine };
    const b = { ...emptyCounts(), ...theirs };
    vulnerabilities = {
      critical: a.critical - b.critical, high: a.high - b.high, medium: a.medium - b.medium, low: a.low - b.low,
      unspecified: a.unspecified - b.unspecified, total: totalOf(a) - totalOf(b),
    };
  }
  const results = storedPolicyResults(current.policy);
  const previousResults = storedPolicyResults(previous.policy);
  const policies = results === undefined || previousResults === undefined || previousResults.length === 0 ? null
    : policyDelta(results.filter((result) => previousResults.some((old) => old.name === result.name)), previousResults);
  return { vulnerabilities, policies };
}

/** Every environment of the organization (by name) with the image it runs per repository. */
export async function listEnvironments(sql: Sql, orgId: string): Promise<{ name: string; createdAt: string; images: EnvironmentImage[] }[]> {
  const environments = await sql.all('SELECT id, name, created_at FROM environments WHERE org_id = ? ORDER BY name', [orgId]);
  const rows = await sql.all(
    `${SELECT_RECORDS} WHERE e.org_id = ? AND ei.recorded_at = (SELECT MAX(x.recorded_at) FROM environment_images x WHERE x.environment_id = ei.environment_id AND x.repository_id = ei.repository_id)
     ORDER BY e.name, r.registry, r.name`,
    [orgId],
  );
  const byName = new Map<string, EnvironmentImage[]>();
  for (const row of rows) {
    const name = String(row.environment);
    byName.set(name, [...(byName.get(name) ?? []), await imageOf(sql, row)]);
  }
  return environments.map((environment) => ({ name: String(environment.name), createdAt: time(environment.created_at), images: byName.get(String(environment.name)) ?? [] }));
}

async function environmentId(sql: Sql, orgId: string, orgName: string, name: string): Promise<string> {
  checkEnvironmentName(name);
  const row = await sql.get('SELECT id FROM environments WHERE org_id = ? AND name = ?', [orgId, name]);
  if (row === undefined) throw new EnvironmentNotFound(`environment ${name} not found in ${orgName}`);
  return String(row.id);
}

/** One environment: per repository the image it runs, the image recorded before it and the trend. */
export async function environmentDetail(sql: Sql, orgId: string, orgName: string, name: string): Promise<{ name: string; images: EnvironmentImageDetail[] }> {
  const id = await environmentId(sql, orgId, orgName, name);
  const rows = await sql.all(`${SELECT_RECORDS} WHERE ei.environment_id = ? ORDER BY r.registry, r.name, ei.recorded_at DESC`, [id]);
  const byRepository = new Map<string, Row[]>();
  for (const row of rows) {
    const list = byRepository.get(String(row.repository_id)) ?? [];
    if (list.length < 2) list.push(row);
    byRepository.set(String(row.repository_id), list);
  }
  const images: EnvironmentImageDetail[] = [];
  for (const [current, previous] of byRepository.values()) {
    images.push({
      ...(await imageOf(sql, current!)),
      previous: previous === undefined ? null : await imageOf(sql, previous),
      trend: previous === undefined ? null : trendOf(current!, previous),
    });
  }
  return { name, images };
}

/**
 * Records an analysed image in an environment (made if new). Recording the image the environment
 * already runs for that repository changes nothing (`changed: false`).
 */
export async function recordImage(
  sql: Sql, orgId: string, orgName: string, name: string, imageText: string, recordedBy: string | null,
): Promise<{ environment: string; changed: boolean; image: EnvironmentImageDetail }> {
  checkEnvironmentName(name);
  const image = await resolveAnalysedImage(sql, orgId, orgName, imageText);
  const imageId = String(image.id);
  const repositoryId = String(image.repository_id);
  const changed = await sql.transaction(async (tx) => {
    await tx.run('INSERT INTO environments (id, org_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, name) DO NOTHING', [randomUUID(), orgId, name, Date.now()]);
    const environment = String((await tx.get('SELECT id FROM environments WHERE org_id = ? AND name = ?', [orgId, name]))!.id);
    const last = await tx.get('SELECT image_id, recorded_at FROM environment_images WHERE environment_id = ? AND repository_id = ? ORDER BY recorded_at DESC LIMIT 1', [environment, repositoryId]);
    if (last !== undefined && String(last.image_id) === imageId) return false;
    // Strictly later than the last record of the repository, so that "latest" is one row.
    const at = Math.max(Date.now(), last === undefined ? 0 : toNumber(last.recorded_at) + 1);
    await tx.run('INSERT INTO environment_images (id, environment_id, repository_id, image_id, digest, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      randomUUID(), environment, repositoryId, imageId, String(image.digest), at, recordedBy,
    ]);
    return true;
  });
  const detail = await environmentDetail(sql, orgId, orgName, name);
  return { environment: name, changed, image: detail.images.find((entry) => entry.repositoryId === repositoryId)! };
}

/** The stored SBOM and report of the image an environment runs for `repository` (registry/name or an image reference). */
export async function environmentSbom(sql: Sql, orgId: string, orgName: string, name: string, repositoryText: string): Promise<Record<string, unknown>> {
  const id = await environmentId(sql, orgId, orgName, name);
  let repository = await findRepository(sql, orgId, repositoryText);
  if (repository === undefined) {
    let reference: string | undefined;
    try {
      const ref = parseImageRef(repositoryText.replace(/^registry:\/\//, ''));
      reference = `${ref.registry}/${ref.repository}`;
    } catch {
      reference = undefined;
    }
    if (reference !== undefined) repository = await findRepository(sql, orgId, reference);
  }
  if (repository === undefined) throw new EnvironmentNotFound(`repository ${repositoryText} not found in ${orgName}`);
  const row = await sql.get(
    `SELECT ei.recorded_at, ei.recorded_by, i.digest, i.index_digest, i.platform, i.sbom, i.report FROM environment_images ei JOIN images i ON i.id = ei.image_id
     WHERE ei.environment_id = ? AND ei.repository_id = ? ORDER BY ei.recorded_at DESC LIMIT 1`,
    [id, repository.id],
  );
  if (row === undefined) throw new EnvironmentNotFound(`environment ${name} has no image of ${repository.reference}`);
  const indexDigest = optionalText(row.index_digest);
  return {
    environment: name,
    repository: repository.reference,
    digest: String(row.digest),
    indexDigest: indexDigest ?? null,
    platform: optionalText(row.platform) ?? null,
    tags: await tagsOf(sql, repository.id, String(row.digest), indexDigest),
    recordedAt: time(row.recorded_at),
    recordedBy: optionalText(row.recorded_by) ?? null,
    sbom: jsonColumn<unknown>(row.sbom) ?? null,
    report: jsonColumn<unknown>(row.report) ?? null,
  };
}
