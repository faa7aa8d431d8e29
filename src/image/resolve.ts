import { SpyglassError } from '../core/errors.ts';
import { DEFAULT_PLATFORM, formatPlatform, platformMatches, type Platform } from '../core/platform.ts';
import type { Digest } from '../core/digest.ts';
import { MAX_CONFIG_BYTES, type BlobStore, type RootManifest } from './blob-store.ts';
import {
  attestedDigest, configPlatform, isAttestationDescriptor, layerHistory, parseImageConfig,
  parseManifestDocument, type IndexDocument, type ManifestDocument,
} from './manifest.ts';
import type { Attestation, Descriptor, Image, ImageSourceKind, Layer } from './model.ts';

export interface ResolveOptions {
  source: ImageSourceKind;
  input: string;
  platform?: Platform;
}

/** Index entries that are images one could run (not attestations, not `unknown/unknown` placeholders). */
export function platformEntries(index: IndexDocument): Descriptor[] {
  return index.manifests.filter(
    (entry) => !isAttestationDescriptor(entry) && !(entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown'),
  );
}

/**
 * Picks the platform image out of an index the way `docker scout` does: the requested platform,
 * else the only image there is, else linux/amd64.
 */
export function selectPlatform(index: IndexDocument, wanted: Platform | undefined, label: string): Descriptor {
  const entries = platformEntries(index);
  if (entries.length === 0) throw new SpyglassError(`${label}: the image index lists no images`);
  const offered = () => entries.map((entry) => (entry.platform ? formatPlatform(entry.platform) : 'unknown')).join(', ');
  if (wanted) {
    const match = entries.find((entry) => entry.platform && platformMatches(wanted, entry.platform));
    if (!match) throw new SpyglassError(`${label}: platform ${formatPlatform(wanted)} is not in the image index (it has ${offered()})`);
    return match;
  }
  if (entries.length === 1) return entries[0]!;
  const match = entries.find((entry) => entry.platform && platformMatches(DEFAULT_PLATFORM, entry.platform));
  if (!match) {
    throw new SpyglassError(`${label}: the image index has no ${formatPlatform(DEFAULT_PLATFORM)} image; choose one with --platform (it has ${offered()})`);
  }
  return match;
}

async function readAttestations(store: BlobStore, index: IndexDocument, describes: Digest): Promise<Attestation[]> {
  const attestations: Attestation[] = [];
  for (const entry of index.manifests) {
    if (!isAttestationDescriptor(entry) || attestedDigest(entry) !== describes) continue;
    const bytes = await store.readManifest(entry);
    const doc = parseManifestDocument(bytes, `${store.label} attestation ${entry.digest}`, entry.mediaType);
    if (doc.kind !== 'manifest') continue;
    attestations.push({
      manifestDigest: entry.digest,
      describes,
      layers: doc.layers,
      predicateTypes: doc.layers.map((layer) => layer.annotations?.['in-toto.io/predicate-type'] ?? ''),
      read: (layer) => store.readBlob(layer, MAX_CONFIG_BYTES),
    });
  }
  return attestations;
}

/** Builds the Image of one manifest, reading its config through the store. */
export async function imageFromManifest(
  store: BlobStore,
  manifest: ManifestDocument,
  descriptor: Descriptor,
  options: ResolveOptions & { names: string[]; platforms: Platform[]; indexDigest?: Digest; indexAnnotations?: Record<string, string>; attestations?: Attestation[] },
): Promise<Image> {
  const label = store.label;
  const rawConfig = await store.readBlob(manifest.config, MAX_CONFIG_BYTES);
  const config = parseImageConfig(rawConfig, `${label} config ${manifest.config.digest}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new SpyglassError(`${label}: the manifest lists ${manifest.layers.length} layers but the config has ${config.diffIds.length} diff_ids`);
  }
  const history = layerHistory(config);
  const layers: Layer[] = manifest.layers.map((layerDescriptor, index) => ({
    index,
    digest: layerDescriptor.digest,
    diffId: config.diffIds[index]!,
    size: layerDescriptor.size,
    mediaType: layerDescriptor.mediaType,
    history: history[index],
    open: () => store.openBlob(layerDescriptor),
  }));
  const platform = configPlatform(config);
  return {
    source: options.source,
    input: options.input,
    names: options.names,
    indexDigest: options.indexDigest,
    manifestDigest: descriptor.digest,
    manifestMediaType: manifest.mediaType,
    configDigest: manifest.config.digest,
    rawConfig,
    config,
    platform,
    platforms: options.platforms.length > 0 ? options.platforms : [platform],
    layers,
    annotations: manifest.annotations,
    indexAnnotations: options.indexAnnotations ?? {},
    attestations: options.attestations ?? [],
    close: () => store.close(),
  };
}

/**
 * Walks a root manifest or index down to one platform image. Nested indexes (an index entry that is
 * itself an index) are followed; attestation manifests are attached to the image they describe.
 */
export async function resolveImage(store: BlobStore, root: RootManifest, options: ResolveOptions): Promise<Image> {
  let descriptor = root.descriptor;
  let doc = parseManifestDocument(root.bytes, store.label, descriptor.mediaType);
  let indexDigest: Digest | undefined;
  let indexAnnotations: Record<string, string> = {};
  let platforms: Platform[] = [];
  let attestations: Attestation[] = [];
  for (let depth = 0; doc.kind === 'index'; depth++) {
    if (depth > 8) throw new SpyglassError(`${store.label}: image indexes nested more than 8 deep`);
    const index: IndexDocument = doc;
    indexDigest ??= descriptor.digest;
    const chosen = selectPlatform(index, options.platform, store.label);
    indexAnnotations = { ...indexAnnotations, ...index.annotations, ...chosen.annotations };
    if (platforms.length === 0) {
      platforms = platformEntries(index).flatMap((entry) => (entry.platform ? [entry.platform] : []));
    }
    attestations = await readAttestations(store, index, chosen.digest);
    descriptor = chosen;
    doc = parseManifestDocument(await store.readManifest(chosen), `${store.label}@${chosen.digest}`, chosen.mediaType);
  }
  const image = await imageFromManifest(store, doc, descriptor, {
    ...options, names: root.names, platforms, indexDigest, indexAnnotations, attestations,
  });
  if (options.platform && !indexDigest && !platformMatches(options.platform, image.platform)) {
    throw new SpyglassError(`${store.label}: platform ${formatPlatform(options.platform)} requested, but the image is ${formatPlatform(image.platform)}`);
  }
  return image;
}
