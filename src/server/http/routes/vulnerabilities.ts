// GET /orgs/{org}/vulnerabilities/{id}: one vulnerability across the organization — the images whose stored
// findings name it (by id or alias, from image_vulnerabilities), their packages and fixed versions — and
// what the server's vulnerability database says of it: every source's rating, CVSS, EPSS, KEV, the
// description and references (read as `spyglass db search` reads them: the store's advisories, kev, epss).
// GET /orgs/{org}/repositories/{id}/history: the counts after every evaluation of a repository's images.
import type { FastifyInstance } from 'fastify';
import type { Advisory, EpssEntry, KevEntry } from '../../../advisories/model.ts';
import { SqliteAdvisoryStore } from '../../../advisories/store/sqlite.ts';
import { SEVERITY_LEVELS, type Finding, type Rating, type SeverityLevel, type SourceView, type VulnerabilityReport } from '../../../core/finding.ts';
import type { Package } from '../../../core/package.ts';
import type { Sbom } from '../../../core/sbom.ts';
import { levelOf } from '../../../report/order.ts';
import { everyRating, fallbackCvss, levelOfScore } from '../../../severity/rate.ts';
import type { ServerContext } from '../../context.ts';
import { optionalText, toNumber, type Row } from '../../db/sql.ts';
import { repositoryHistory } from '../../history.ts';
import { findRepository } from '../../repositories.ts';
import { authorise } from '../auth.ts';
import { badRequest, notFound } from '../errors.ts';
import { queryString } from '../body.ts';
import { descriptionOf, layerOf, MAX_PAGE, wholeNumber } from './images.ts';

/** CVE-…, GHSA-…, DSA-…-1, GO-…, PYSEC-…, RUSTSEC-…, ALSA-2022:1065 … */
const VULNERABILITY_ID = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]{1,120}$/;

/** The id as feeds write it: the prefix in capitals (`cve-2023-44487` → `CVE-2023-44487`, GHSA's suffix kept). */
function normaliseId(id: string): string {
  return id.replace(/^[A-Za-z]+-/, (prefix) => prefix.toUpperCase());
}

interface DatabaseView {
  advisories: Advisory[];
  kev?: KevEntry;
  epss?: EpssEntry;
}

/** What the vulnerability database knows of `id`; nothing when the server has no database yet. */
async function fromDatabase(dataDir: string, id: string, cves: (advisories: Advisory[]) => string[]): Promise<DatabaseView> {
  let store: SqliteAdvisoryStore;
  try {
    store = SqliteAdvisoryStore.open(dataDir);
  } catch {
    return { advisories: [] };
  }
  try {
    const advisories = await store.advisories(id);
    let kev: KevEntry | undefined;
    let epss: EpssEntry | undefined;
    for (const cve of cves(advisories)) {
      kev ??= await store.kev(cve);
      epss ??= await store.epss(cve);
    }
    return { advisories, ...(kev !== undefined ? { kev } : {}), ...(epss !== undefined ? { epss } : {}) };
  } finally {
    await store.close();
  }
}

/** Descriptions: NVD's first, then CISA's vulnrichment copy of the CVE record, then the other sources as stored. */
const DESCRIPTION_ORDER = ['nvd', 'vulnrichment'];
function descriptionRank(source: string): number {
  const rank = DESCRIPTION_ORDER.indexOf(source);
  return rank === -1 ? DESCRIPTION_ORDER.length : rank;
}

function worst(levels: readonly SeverityLevel[]): SeverityLevel | undefined {
  return levels.length === 0 ? undefined : SEVERITY_LEVELS[Math.min(...levels.map((level) => SEVERITY_LEVELS.indexOf(level)))];
}

/** Images whose SBOM and report are read at once (each can be megabytes). */
const DOCUMENTS_AT_ONCE = 20;
const DEFAULT_IMAGES = 50;

function pageQuery(query: unknown): { limit: number; offset: number } {
  for (const key of Object.keys((query ?? {}) as Record<string, unknown>)) {
    if (key !== 'limit' && key !== 'offset') throw badRequest(`?${key}: unknown parameter (expected limit, offset)`);
  }
  const limit = queryString(query, 'limit');
  const offset = queryString(query, 'offset');
  return {
    limit: limit === undefined ? DEFAULT_IMAGES : wholeNumber('limit', limit, 1, MAX_PAGE),
    offset: offset === undefined ? 0 : wholeNumber('offset', offset, 0, Number.MAX_SAFE_INTEGER),
  };
}

function packageView(finding: Finding, pkg: Package | undefined) {
  return {
    id: finding.packageId,
    name: pkg?.name ?? finding.packageId,
    version: pkg?.version ?? null,
    type: pkg?.type ?? null,
    layer: pkg === undefined ? null : layerOf(pkg),
    severity: levelOf(finding),
    fixedVersion: finding.fixedVersions[0] ?? null,
  };
}

export function registerVulnerabilityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/vulnerabilities/:id', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const raw = (request.params as { id: string }).id;
    if (!VULNERABILITY_ID.test(raw)) throw badRequest(`vulnerability id ${JSON.stringify(raw)}: expected an advisory id such as CVE-2023-44487 or GHSA-xxxx-xxxx-xxxx`);
    const id = normaliseId(raw);

    const { limit, offset } = pageQuery(request.query);
    // The organization's images whose findings name it (image_vulnerabilities holds every finding's id and
    // aliases): light columns for all of them, the SBOM and report only for the page's, a few at a time.
    const rows = await ctx.sql.all(
      `SELECT i.id, i.repository_id, i.digest, i.index_digest, i.platform, i.pushed_at, r.registry, r.name AS repository_name
       FROM image_vulnerabilities v JOIN images i ON i.id = v.image_id JOIN repositories r ON r.id = i.repository_id AND r.org_id = i.org_id
       WHERE i.org_id = ? AND v.vulnerability = ? ORDER BY r.registry, r.name, i.pushed_at DESC, i.digest`,
      [org.id, id],
    );
    const page = rows.slice(offset, offset + limit);
    const repositoryIds = [...new Set(page.map((row) => String(row.repository_id)))];
    const tagRows = repositoryIds.length === 0 ? [] : await ctx.sql.all(
      `SELECT repository_id, tag, digest FROM tags WHERE repository_id IN (${repositoryIds.map(() => '?').join(', ')}) ORDER BY tag`,
      repositoryIds,
    );
    const found = new Map<string, { findings: Finding[]; packages: ReturnType<typeof packageView>[] }>();
    for (let start = 0; start < page.length; start += DOCUMENTS_AT_ONCE) {
      const ids = page.slice(start, start + DOCUMENTS_AT_ONCE).map((row) => String(row.id));
      for (const row of await ctx.sql.all(`SELECT id, sbom, report FROM images WHERE id IN (${ids.map(() => '?').join(', ')})`, ids)) {
        const report = optionalText(row.report) === undefined ? undefined : (JSON.parse(String(row.report)) as Pick<VulnerabilityReport, 'findings'>);
        const matching = (report?.findings ?? []).filter((finding) => !finding.suppressed && (finding.id === id || finding.aliases.includes(id)));
        if (matching.length === 0) continue;
        const sbom = optionalText(row.sbom) === undefined ? undefined : (JSON.parse(String(row.sbom)) as Sbom);
        const packages = new Map((sbom?.packages ?? []).map((pkg) => [pkg.id, pkg]));
        found.set(String(row.id), { findings: matching, packages: matching.map((finding) => packageView(finding, packages.get(finding.packageId))) });
      }
    }
    const findings = page.flatMap((row) => found.get(String(row.id))?.findings ?? []);
    const images = page.filter((row) => found.has(String(row.id))).map((row) => {
      const own = [String(row.digest), optionalText(row.index_digest)].filter((digest) => digest !== undefined);
      return {
        repository: `${String(row.registry)}/${String(row.repository_name)}`,
        repositoryId: String(row.repository_id),
        digest: String(row.digest),
        tags: [...new Set(tagRows.filter((tag: Row) => tag.repository_id === row.repository_id && own.includes(String(tag.digest))).map((tag: Row) => String(tag.tag)))].sort(),
        platform: optionalText(row.platform) ?? null,
        pushedAt: new Date(toNumber(row.pushed_at)).toISOString(),
        packages: found.get(String(row.id))!.packages,
      };
    });

    const shownId = findings[0]?.id ?? id;
    const database = await fromDatabase(ctx.options.dataDir, id, (advisories) => [
      ...new Set([shownId, id, ...findings.flatMap((finding) => finding.aliases), ...advisories.flatMap((advisory) => [advisory.id, ...advisory.aliases])].filter((name) => name.startsWith('CVE-'))),
    ]);
    if (rows.length === 0 && database.advisories.length === 0 && database.kev === undefined && database.epss === undefined) {
      throw notFound(`vulnerability ${id} (in no image of ${org.name} and not in the vulnerability database)`);
    }
    const views: SourceView[] = database.advisories.map((advisory) => ({
      source: advisory.source, id: advisory.id, aliases: advisory.aliases, severity: advisory.severity, references: advisory.references,
      ...(advisory.summary !== undefined ? { summary: advisory.summary } : {}),
    }));
    // Every source's rating: the database's records, and the findings' own (a distribution's urgency is per package).
    const ratings = new Map<string, Rating['all'][number]>();
    for (const rating of [...findings.flatMap((finding) => finding.rating?.all ?? []), ...everyRating(views)]) ratings.set(JSON.stringify(rating), rating);
    const fallback = fallbackCvss(views);
    const severity = worst(findings.map(levelOf)) ?? (fallback !== undefined ? levelOfScore(fallback.score) : worst([...ratings.values()].map((rating) => rating.level))) ?? 'unspecified';
    const kev = database.kev ?? findings.find((finding) => finding.kev !== undefined)?.kev;
    const epss = database.epss ?? findings.find((finding) => finding.epss !== undefined)?.epss;
    const aliases = new Set([...findings.flatMap((finding) => [finding.id, ...finding.aliases]), ...database.advisories.flatMap((advisory) => [advisory.id, ...advisory.aliases])]);
    aliases.delete(shownId);
    const described = [...views].sort((a, b) => descriptionRank(a.source) - descriptionRank(b.source));
    return {
      id: shownId,
      aliases: [...aliases].sort(),
      description: descriptionOf(described) ?? descriptionOf(findings.flatMap((finding) => finding.sources)),
      severity,
      sources: [...ratings.values()].map((rating) => ({
        source: rating.source,
        by: rating.by,
        severity: rating.level,
        rating: rating.rating ?? null,
        cvss: rating.cvss === undefined ? null : { score: rating.cvss.score, vector: rating.cvss.vector, version: rating.cvss.version },
      })),
      epss: epss === undefined ? null : { score: epss.score, percentile: epss.percentile, date: epss.date },
      kev: kev !== undefined,
      kevDetails: kev === undefined ? null : { dateAdded: kev.dateAdded, dueDate: kev.dueDate ?? null, knownRansomwareCampaignUse: kev.knownRansomwareCampaignUse ?? null },
      references: [...new Set(database.advisories.flatMap((advisory) => advisory.references))],
      images,
      imagesTotal: rows.length,
      offset,
      limit,
    };
  });

  app.get('/api/v1/orgs/:org/repositories/:id/history', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const { id } = request.params as { id: string };
    const repository = await findRepository(ctx.sql, org.id, id);
    if (repository === undefined) throw notFound(`repository ${id}`);
    return { repository: repository.reference, repositoryId: repository.id, points: await repositoryHistory(ctx.sql, repository.id) };
  });
}
