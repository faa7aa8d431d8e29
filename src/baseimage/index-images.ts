// Filling the base image catalog: one reference → a record per platform image (with its SBOM and, when
// there is a vulnerability database, its counts), a repository's tags from its registry, and counts
// recomputed from the stored SBOMs when the database was rebuilt.
import type { AdvisoryStore } from '../advisories/store/store.ts';
import { catalogImage } from '../catalog/engine.ts';
import type { Digest } from '../core/digest.ts';
import { SpyglassError } from '../core/errors.ts';
import type { PackageType } from '../core/package.ts';
import { formatPlatform, platformMatches, type Platform } from '../core/platform.ts';
import { formatImageRef, parseImageRef, type ImageRef } from '../core/reference.ts';
import type { Sbom } from '../core/sbom.ts';
import { parseManifestDocument } from '../image/manifest.ts';
import type { Image, ProgressSink } from '../image/model.ts';
import { openImage, parseImageInput } from '../image/open.ts';
import { RegistryClient } from '../image/registry/client.ts';
import { findCredentials } from '../image/registry/credentials.ts';
import { platformEntries } from '../image/resolve.ts';
import { scanSbom } from '../match/scan.ts';
import { countFindings } from '../report/counts.ts';
import type { BaseImageCatalog, CatalogImage, SeverityCounts } from './model.ts';

/** Where a catalogued image is recorded: `registry/repository` as the catalog keys it, and a tag. */
export interface CatalogName {
  repository: string;
  tag: string;
}

export interface CatalogRefOptions {
  /** The platforms to record; default every platform the tag offers. */
  platforms?: Platform[];
  cacheDir: string;
  insecureRegistries: string[];
  /** The vulnerability database: when given, each record gets its counts. */
  store?: AdvisoryStore;
  /** Which image of a multi-image OCI layout or archive (`--ref`). */
  ref?: string;
  /** `REPO:TAG` to record the image as (`--as`); required for an OCI layout or an archive. */
  name?: string;
  progress?: ProgressSink;
  /** Docker config file with registry credentials (default as `docker` finds it). */
  dockerConfigPath?: string;
  now?: Date;
}

export interface CatalogedImage {
  entry: CatalogImage;
  sbom: Sbom;
}

/** Whether `text` (`[host/]repo[:tag][@digest]`) writes a tag; parseImageRef supplies `latest` when it does not. */
function writesTag(text: string): boolean {
  const name = text.slice(text.lastIndexOf('/') + 1);
  const at = name.indexOf('@');
  return (at >= 0 ? name.slice(0, at) : name).includes(':');
}

/** The catalog's key for a repository: `docker.io/library/debian`, `127.0.0.1:5000/library/debian`. */
export function repositoryKey(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** `REPO[:TAG]` as the catalog keys it (`debian:12` → docker.io/library/debian, 12); no tag means the whole repository. */
export function parseRepositoryTag(text: string): { repository: string; tag?: string } {
  if (text.includes('@')) throw new SpyglassError(`${text}: expected REPOSITORY[:TAG], without a digest`);
  const ref = parseImageRef(text);
  return { repository: repositoryKey(ref), ...(writesTag(text) ? { tag: ref.tag! } : {}) };
}

/** `--as REPO:TAG`: the tag is required. */
export function parseCatalogName(text: string, what: string): CatalogName {
  const { repository, tag } = parseRepositoryTag(text);
  if (tag === undefined) throw new SpyglassError(`${what} ${text}: expected REPOSITORY:TAG (the catalog records images by tag)`);
  return { repository, tag };
}

/** Package count per type, as `base-images list` shows it. */
export function packageSummary(sbom: Sbom): Partial<Record<PackageType, number>> {
  const summary: Partial<Record<PackageType, number>> = {};
  for (const pkg of sbom.packages) summary[pkg.type] = (summary[pkg.type] ?? 0) + 1;
  return summary;
}

/** The catalog record of one platform image and its SBOM. */
export function catalogEntry(image: Image, sbom: Sbom, name: CatalogName, recorded: { tagDigest?: Digest; indexedAt: string }): CatalogImage {
  if (image.manifestDigest === undefined) {
    throw new SpyglassError(`${image.input}: a classic \`docker save\` archive has no manifest digest, which the catalog records images by; catalog it from its registry, an OCI layout (oci-dir://) or an OCI archive (oci-archive://)`);
  }
  const distro = sbom.distro;
  return {
    repository: name.repository,
    tag: name.tag,
    platform: formatPlatform(image.platform),
    digest: image.manifestDigest,
    ...(recorded.tagDigest !== undefined ? { tagDigest: recorded.tagDigest } : {}),
    configDigest: image.configDigest,
    diffIds: [...image.config.diffIds],
    ...(image.config.created !== undefined ? { created: image.config.created } : {}),
    size: image.layers.reduce((sum, layer) => sum + layer.size, 0),
    ...(distro !== undefined ? {
      os: {
        id: distro.id,
        ...(distro.versionId !== undefined ? { versionId: distro.versionId } : {}),
        ...(distro.codename !== undefined ? { codename: distro.codename } : {}),
        ...(distro.prettyName !== undefined ? { prettyName: distro.prettyName } : {}),
      },
    } : {}),
    packageSummary: packageSummary(sbom),
    indexedAt: recorded.indexedAt,
  };
}

/** The SBOM matched against the database: counts per severity and the database build they hold for. */
export async function countVulnerabilities(sbom: Sbom, store: AdvisoryStore): Promise<{ counts: SeverityCounts; builtAt: string }> {
  const report = await scanSbom(sbom, store);
  return { counts: countFindings(report.findings), builtAt: report.database.builtAt };
}

/** The platforms to record out of those offered: all of them, or the asked ones (each must be offered). */
function choosePlatforms(offered: Platform[], wanted: Platform[] | undefined, label: string): Platform[] {
  const unique = [...new Map(offered.map((platform) => [formatPlatform(platform), platform])).values()];
  if (wanted === undefined) return unique;
  return wanted.map((platform) => {
    const match = unique.find((candidate) => platformMatches(platform, candidate));
    if (!match) throw new SpyglassError(`${label}: platform ${formatPlatform(platform)} is not in the image index (it has ${unique.map(formatPlatform).join(', ')})`);
    return match;
  });
}

/** What a registry tag points at: its digest and, for an index, the platforms it offers. */
async function registryRoot(ref: ImageRef, options: CatalogRefOptions): Promise<{ client: RegistryClient; digest: Digest; platforms?: Platform[] }> {
  const credentials = await findCredentials(ref.registry, { configPath: options.dockerConfigPath });
  const client = new RegistryClient(ref, { insecureRegistries: options.insecureRegistries, credentials });
  const fetched = await client.getManifest(ref.digest ?? ref.tag ?? 'latest');
  const document = parseManifestDocument(fetched.bytes, client.label, fetched.mediaType);
  if (document.kind === 'manifest') return { client, digest: fetched.digest };
  const platforms = platformEntries(document).flatMap((entry) => (entry.platform ? [entry.platform] : []));
  return { client, digest: fetched.digest, ...(platforms.length > 0 ? { platforms } : {}) };
}

/**
 * Catalogs `input` (a registry reference, `registry://REF`, or `oci-dir://` / `oci-archive://` /
 * `archive://` named with `options.name`): every platform image of a multi-platform tag, or the asked
 * ones. Each platform of a registry tag is opened by the digest the tag had when it was resolved, so a
 * tag that moves meanwhile cannot mix two builds.
 */
export async function catalogImageRef(input: string, options: CatalogRefOptions): Promise<CatalogedImage[]> {
  const { kind, target } = parseImageInput(input);
  const indexedAt = (options.now ?? new Date()).toISOString();
  let name: CatalogName;
  let pinned: string;
  let tagDigest: Digest | undefined;
  let offered: Platform[] | undefined;
  let label = input;
  if (kind === 'registry' || kind === 'image') {
    const ref = parseImageRef(target);
    if (options.name !== undefined) name = parseCatalogName(options.name, '--as');
    else if (ref.tag !== undefined) name = { repository: repositoryKey(ref), tag: ref.tag };
    else throw new SpyglassError(`${input}: the catalog records images by tag; write REPOSITORY:TAG@DIGEST or name it with --as REPOSITORY:TAG`);
    const root = await registryRoot(ref, options);
    tagDigest = root.digest;
    offered = root.platforms;
    label = root.client.label;
    pinned = `registry://${formatImageRef({ ...ref, digest: root.digest })}`;
  } else if (kind === 'oci-dir' || kind === 'oci-archive' || kind === 'archive') {
    if (options.name === undefined) throw new SpyglassError(`${input}: name the image with --as REPOSITORY:TAG (the catalog records images by repository and tag)`);
    name = parseCatalogName(options.name, '--as');
    pinned = input;
  } else {
    throw new SpyglassError(`${input}: base images are catalogued from a registry, an OCI layout or an image archive (registry://, oci-dir://, oci-archive://, archive://)`);
  }
  const open = (platform: Platform | undefined) => openImage(pinned, {
    ...(platform !== undefined ? { platform } : {}),
    ...(options.ref !== undefined ? { ref: options.ref } : {}),
    cacheDir: options.cacheDir,
    insecureRegistries: options.insecureRegistries,
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.dockerConfigPath !== undefined ? { dockerConfigPath: options.dockerConfigPath } : {}),
  });
  const record = async (image: Image): Promise<CatalogedImage> => {
    const sbom = await catalogImage(image, { cacheDir: options.cacheDir });
    const entry = catalogEntry(image, sbom, name, { tagDigest: tagDigest ?? image.indexDigest ?? image.manifestDigest, indexedAt });
    if (options.store !== undefined) {
      const { counts, builtAt } = await countVulnerabilities(sbom, options.store);
      entry.counts = counts;
      entry.countsBuiltAt = builtAt;
    }
    return { entry, sbom };
  };

  // A local layout tells its platforms only once opened; a registry tag told them when it was resolved.
  let first: Image | undefined = kind === 'registry' || kind === 'image' ? undefined : await open(options.platforms?.[0]);
  try {
    if (first !== undefined && first.indexDigest !== undefined) offered = first.platforms;
    if (offered === undefined) {
      const image = first ?? await open(undefined);
      first = image;
      if (options.platforms !== undefined && !options.platforms.some((platform) => platformMatches(platform, image.platform))) {
        throw new SpyglassError(`${label}: the image is ${formatPlatform(image.platform)} only, not ${options.platforms.map(formatPlatform).join(', ')}`);
      }
      return [await record(image)];
    }
    const results: CatalogedImage[] = [];
    for (const platform of choosePlatforms(offered, options.platforms, label)) {
      const reuse = first !== undefined && platformMatches(platform, first.platform) && platformMatches(first.platform, platform);
      const image = reuse ? first! : await open(platform);
      try {
        results.push(await record(image));
      } finally {
        if (!reuse) await image.close();
      }
    }
    return results;
  } finally {
    await first?.close();
  }
}

export interface ListTagsOptions {
  insecureRegistries: string[];
  /** Only the tags this matches (searched anywhere in the tag, as `--tags` documents). */
  pattern?: RegExp;
  pageSize?: number;
  dockerConfigPath?: string;
}

/** The tags of `repository` (`[registry/]repo`, no tag) from its registry, optionally filtered. */
export async function listTags(repository: string, options: ListTagsOptions): Promise<string[]> {
  if (repository.includes('@') || writesTag(repository)) throw new SpyglassError(`${repository}: expected a repository (REGISTRY/REPOSITORY), without a tag or digest`);
  const ref = parseImageRef(repository);
  const credentials = await findCredentials(ref.registry, { configPath: options.dockerConfigPath });
  const client = new RegistryClient({ registry: ref.registry, repository: ref.repository }, { insecureRegistries: options.insecureRegistries, credentials });
  const tags = await client.tags(options.pageSize);
  return options.pattern === undefined ? tags : tags.filter((tag) => options.pattern!.test(tag));
}

/**
 * Recomputes, from the stored SBOMs, the counts of every record (current and past) whose counts were
 * computed against another database build than `store`'s; returns how many digests were re-matched.
 */
export async function recount(catalog: BaseImageCatalog, store: AdvisoryStore): Promise<number> {
  const { builtAt } = await store.status();
  const stale = new Set<Digest>();
  for (const current of catalog.list()) {
    for (const image of catalog.history(current.repository, current.tag, current.platform)) {
      if (image.countsBuiltAt !== builtAt) stale.add(image.digest);
    }
  }
  let recounted = 0;
  for (const digest of stale) {
    const sbom = catalog.sbom(digest);
    if (sbom === undefined) continue;
    const { counts } = await countVulnerabilities(sbom, store);
    catalog.setCounts(digest, counts, builtAt);
    recounted += 1;
  }
  return recounted;
}
