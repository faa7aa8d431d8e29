// The `analyse` job: one pushed digest of a repository → one analysed image row per platform. The
// manifest (or index) is read from the registry with the integration's credentials; an index becomes
// its platform images (attestations and `unknown/unknown` entries left out), each de-duplicated by
// its own digest. Before any layer is pulled: the size from the manifest's layer sizes is checked
// against the limit, and an SBOM stored for the same manifest digest, or for another image with the
// same config digest (same organization), is reused and only re-matched. Otherwise the image is
// catalogued (src/catalog/) and matched (results.ts) against the vulnerability database in the data
// directory. Registry trouble is an ordinary error (the queue retries with backoff); what retrying
// cannot mend (no database, an image over the limit, a manifest the registry does not have) is a
// PermanentJobError.
import { randomUUID } from 'node:crypto';
import { errorText, isSpyglassError } from '../../core/errors.ts';
import { formatPlatform, type Platform } from '../../core/platform.ts';
import type { Sbom } from '../../core/sbom.ts';
import type { Digest } from '../../core/digest.ts';
import { databaseGeneration } from '../../advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../../advisories/store/sqlite.ts';
import { catalogImage } from '../../catalog/engine.ts';
import { BlobCache } from '../../image/cache/blob-cache.ts';
import { parseManifestDocument, type IndexDocument, type ManifestDocument } from '../../image/manifest.ts';
import type { Descriptor } from '../../image/model.ts';
import { RegistryBlobStore } from '../../image/registry/source.ts';
import { platformEntries, resolveImage } from '../../image/resolve.ts';
import type { ServerContext } from '../context.ts';
import { optionalText, toNumber, type Sql } from '../db/sql.ts';
import { PermanentJobError, type Job } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { analyseSbom, diffFindings, saveResult, type AnalysisResult } from '../results.ts';
import { evaluateImagePolicies } from '../policies.ts';
import { recordEvaluation } from '../history.ts';
import { imageFacts } from '../../policy/facts.ts';
import type { AnalysePayload } from '../webhooks/record-push.ts';
import { baseImageFacts } from './base-image.ts';
import { integrationCredentials, loadRepository, repositoryClient, type RepositoryTarget } from './registry-access.ts';

function readPayload(job: Job): AnalysePayload {
  const payload = job.payload as Partial<AnalysePayload> | null;
  if (payload === null || typeof payload !== 'object' || typeof payload.repositoryId !== 'string' || typeof payload.digest !== 'string') {
    throw new PermanentJobError(`analyse job ${job.id}: the payload needs repositoryId and digest`);
  }
  return payload as AnalysePayload;
}

function notFound(error: unknown): boolean {
  return isSpyglassError(error) && /unknown \(not found in the registry\)/.test(error.message);
}

/** One platform image to analyse. */
interface Target {
  descriptor: Descriptor;
  platform?: Platform;
  indexDigest?: Digest;
}

interface StoredSbom {
  sbom: Sbom;
  baseImage: string | null;
  imageFacts: string | null;
}

async function isAnalysed(sql: Sql, repositoryId: string, digest: string): Promise<boolean> {
  const row = await sql.get('SELECT analysed_at FROM images WHERE repository_id = ? AND digest = ?', [repositoryId, digest]);
  return row !== undefined && row.analysed_at !== null && row.analysed_at !== undefined;
}

/** An SBOM the organization already has for this manifest digest, or else for this config digest. */
async function reusableSbom(sql: Sql, orgId: string, digest: string, configDigest: string): Promise<StoredSbom | undefined> {
  const row = await sql.get(
    `SELECT sbom, base_image, image_facts FROM images WHERE org_id = ? AND sbom IS NOT NULL AND (digest = ? OR config_digest = ?)
     ORDER BY CASE WHEN digest = ? THEN 0 ELSE 1 END, analysed_at DESC LIMIT 1`,
    [orgId, digest, configDigest, digest],
  );
  if (row === undefined) return undefined;
  return { sbom: JSON.parse(String(row.sbom)) as Sbom, baseImage: optionalText(row.base_image) ?? null, imageFacts: optionalText(row.image_facts) ?? null };
}

/** A stored SBOM re-pointed at the image it is reused for (same config, so the same layers' contents). */
function reusedFor(stored: Sbom, manifest: ManifestDocument, target: Target, names: string[], input: string): Sbom {
  const oldLayers = stored.source.layers;
  const layers = oldLayers.length === manifest.layers.length
    ? manifest.layers.map((layer, i) => ({ ...oldLayers[i]!, digest: layer.digest, size: layer.size }))
    : oldLayers;
  const { indexDigest: _oldIndex, ...source } = stored.source;
  return {
    ...stored,
    source: { ...source, input, names, manifestDigest: target.descriptor.digest, ...(target.indexDigest !== undefined ? { indexDigest: target.indexDigest } : {}), layers },
  };
}

function imageSize(manifest: ManifestDocument): number {
  return manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;
}

/** Writes the image row, its result and an `analysis` evaluation, in one transaction. */
async function writeImage(
  ctx: ServerContext, repository: RepositoryTarget, target: Target, fields: { configDigest: string; platform: string | null; size: number; pushedAt: number; baseImage: string | null; recommendations: string | null; imageFacts: string | null },
  sbom: Sbom, result: AnalysisResult, generation: number | null,
): Promise<void> {
  await ctx.sql.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO images (id, org_id, repository_id, digest, index_digest, config_digest, platform, size, pushed_at, base_image, recommendations, image_facts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repository_id, digest) DO UPDATE SET index_digest = COALESCE(excluded.index_digest, images.index_digest),
         config_digest = excluded.config_digest, platform = excluded.platform, size = excluded.size, base_image = excluded.base_image,
         recommendations = excluded.recommendations, image_facts = excluded.image_facts`,
      [randomUUID(), repository.orgId, repository.id, target.descriptor.digest, target.indexDigest ?? null, fields.configDigest, fields.platform,
        fields.size, fields.pushedAt, fields.baseImage, fields.recommendations, fields.imageFacts],
    );
    const row = (await tx.get('SELECT id, report FROM images WHERE repository_id = ? AND digest = ?', [repository.id, target.descriptor.digest]))!;
    const imageId = String(row.id);
    const before = optionalText(row.report) !== undefined ? (JSON.parse(String(row.report)) as { findings?: AnalysisResult['report']['findings'] }).findings ?? [] : [];
    const names = new Map(sbom.packages.map((pkg) => [pkg.id, pkg.name]));
    const diff = diffFindings(before, result.report.findings, (id) => names.get(id) ?? id);
    await saveResult(tx, imageId, sbom, result, generation);
    await recordEvaluation(tx, { imageId, reason: 'analysis', generation, diff, counts: result.counts });
    await evaluateImagePolicies(tx, imageId, result.report, 'analysis');
  });
}

async function pushTime(sql: Sql, repositoryId: string, payload: AnalysePayload): Promise<number> {
  if (payload.pushedAt !== undefined && Number.isFinite(payload.pushedAt)) return payload.pushedAt;
  if (payload.tag !== undefined) {
    const row = await sql.get('SELECT pushed_at FROM tags WHERE repository_id = ? AND tag = ?', [repositoryId, payload.tag]);
    if (row !== undefined) return toNumber(row.pushed_at);
  }
  return Date.now();
}

export function analyseHandler(ctx: ServerContext): JobHandler {
  return async (job, signal) => {
    const payload = readPayload(job);
    const repository = await loadRepository(ctx.sql, payload.repositoryId);
    // Removed or deactivated since the push: nothing to do.
    if (repository === undefined || !repository.enabled) return;
    if (await isAnalysed(ctx.sql, repository.id, payload.digest)) return;

    const reference = `${repository.registry}/${repository.name}`;
    const names = [payload.tag !== undefined ? `${reference}:${payload.tag}` : reference];
    const credentials = await integrationCredentials(ctx, repository.integrationId).catch((error: unknown) => {
      throw new PermanentJobError(errorText(error));
    });
    const client = repositoryClient(ctx, repository.registry, repository.name, credentials);
    const store = new RegistryBlobStore(client, new BlobCache(ctx.options.cacheDir));
    let rootBytes: Buffer;
    try {
      rootBytes = await store.manifestByDigest(payload.digest as Digest);
    } catch (error) {
      if (notFound(error)) throw new PermanentJobError(`${reference}@${payload.digest}: the registry does not have this manifest (deleted since the push?)`);
      throw error;
    }
    let root: IndexDocument | ManifestDocument;
    try {
      root = parseManifestDocument(rootBytes, `${reference}@${payload.digest}`);
    } catch (error) {
      throw new PermanentJobError(errorText(error));
    }
    const rootDescriptor: Descriptor = { mediaType: root.mediaType, digest: payload.digest as Digest, size: rootBytes.length };
    const targets: Target[] = root.kind === 'index'
      ? platformEntries(root).filter((entry) => entry.platform !== undefined).map((entry) => ({ descriptor: entry, platform: entry.platform!, indexDigest: rootDescriptor.digest }))
      : [{ descriptor: rootDescriptor }];
    if (targets.length === 0) throw new PermanentJobError(`${reference}@${payload.digest}: the index lists no platform images`);

    const pushedAt = await pushTime(ctx.sql, repository.id, payload);
    const tooLarge: string[] = [];
    let advisories: SqliteAdvisoryStore | undefined;
    try {
      for (const target of targets) {
        if (signal.aborted) throw new Error('the worker is stopping');
        const digest = target.descriptor.digest;
        const label = `${reference}@${digest}`;
        if (await isAnalysed(ctx.sql, repository.id, digest)) {
          if (target.indexDigest !== undefined) {
            await ctx.sql.run('UPDATE images SET index_digest = ? WHERE repository_id = ? AND digest = ? AND index_digest IS NULL', [target.indexDigest, repository.id, digest]);
          }
          continue;
        }
        const bytes = root.kind === 'manifest' ? rootBytes : await store.manifestByDigest(digest, target.descriptor.size);
        const doc = parseManifestDocument(bytes, label, target.descriptor.mediaType);
        if (doc.kind !== 'manifest') throw new PermanentJobError(`${label}: an index inside an index is not analysed`);
        const size = imageSize(doc);
        if (size > ctx.options.maxImageBytes) {
          tooLarge.push(`${target.platform !== undefined ? formatPlatform(target.platform) : label} is ${formatBytes(size)}`);
          continue;
        }
        if (advisories === undefined) {
          try {
            advisories = SqliteAdvisoryStore.open(ctx.options.dataDir);
          } catch (error) {
            throw new PermanentJobError(errorText(error));
          }
        }
        const generation = databaseGeneration(ctx.options.dataDir)?.generation ?? null;
        const input = `registry://${label}`;
        let sbom: Sbom;
        let facts: { baseImage: string | null; recommendations: string | null };
        // The config user and attestations policies read (non-root-user, supply-chain); null: unknown.
        let policyFacts: string | null = null;
        let platform: string | null;
        const stored = await reusableSbom(ctx.sql, repository.orgId, digest, doc.config.digest);
        if (stored !== undefined) {
          sbom = reusedFor(stored.sbom, doc, target, names, input);
          // The stored base came from this image's attestations, which are not pulled again; recommendations follow today's catalog.
          facts = { ...(await baseImageFacts(ctx.options.dataDir, sbom, [], advisories)), ...(stored.baseImage !== null ? { baseImage: stored.baseImage } : {}) };
          policyFacts = stored.imageFacts;
          platform = sbom.source.platform ?? (target.platform !== undefined ? formatPlatform(target.platform) : null);
        } else {
          // From the index when there is one, so that the platform's attestations come along (base image).
          let image = root.kind === 'index'
            ? await resolveImage(store, { descriptor: rootDescriptor, bytes: rootBytes, names }, { source: 'registry', input, platform: target.platform! })
            : await resolveImage(store, { descriptor: rootDescriptor, bytes: rootBytes, names }, { source: 'registry', input });
          if (image.manifestDigest !== digest) {
            // Two entries of the index share a platform (e.g. Windows os.version): this one, without attestations.
            await image.close();
            image = await resolveImage(store, { descriptor: target.descriptor, bytes, names }, { source: 'registry', input });
          }
          try {
            sbom = await catalogImage(image, { cacheDir: ctx.options.cacheDir });
            facts = await baseImageFacts(ctx.options.dataDir, sbom, image.attestations, advisories);
            policyFacts = JSON.stringify(await imageFacts(image));
            platform = formatPlatform(image.platform);
          } finally {
            await image.close();
          }
        }
        const result = await analyseSbom(sbom, advisories);
        await writeImage(ctx, repository, target, { configDigest: doc.config.digest, platform, size, pushedAt, ...facts, imageFacts: policyFacts }, sbom, result, generation);
      }
    } finally {
      await advisories?.close();
    }
    if (tooLarge.length > 0) {
      throw new PermanentJobError(`${reference}@${payload.digest}: over the image size limit of ${formatBytes(ctx.options.maxImageBytes)} (${tooLarge.join('; ')}); not analysed`);
    }
  };
}
