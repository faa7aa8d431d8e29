import { SpyglassError, errorText } from '../core/errors.ts';
import { isDigest, type Digest } from '../core/digest.ts';
import type { Platform } from '../core/platform.ts';
import type { Descriptor, HistoryEntry, ImageConfig } from './model.ts';
import { INDEX_TYPES, MANIFEST_TYPES, MediaType, SCHEMA1_TYPES } from './media-types.ts';

export interface IndexDocument {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  annotations: Record<string, string>;
}

export interface ManifestDocument {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
  subject?: Descriptor;
}

type Json = Record<string, unknown>;

function parseJson(bytes: Buffer, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SpyglassError(`${what}: not valid JSON (${errorText(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpyglassError(`${what}: expected a JSON object`);
  }
  return value as Json;
}

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return map;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') map[key] = entry;
  return map;
}

function parsePlatformField(value: unknown): Platform | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Json;
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return undefined;
  const platform: Platform = { os: p.os, architecture: p.architecture };
  if (typeof p.variant === 'string' && p.variant) platform.variant = p.variant;
  if (typeof p['os.version'] === 'string') platform.osVersion = p['os.version'];
  return platform;
}

export function parseDescriptor(value: unknown, what: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw new SpyglassError(`${what}: descriptor is not an object`);
  const d = value as Json;
  if (!isDigest(d.digest)) throw new SpyglassError(`${what}: descriptor has an invalid digest ${JSON.stringify(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new SpyglassError(`${what}: descriptor ${d.digest} has an invalid size`);
  }
  const descriptor: Descriptor = {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: d.size,
  };
  if (d.annotations) descriptor.annotations = stringMap(d.annotations);
  const platform = parsePlatformField(d.platform);
  if (platform) descriptor.platform = platform;
  if (typeof d.artifactType === 'string') descriptor.artifactType = d.artifactType;
  if (Array.isArray(d.urls)) descriptor.urls = d.urls.filter((url): url is string => typeof url === 'string');
  return descriptor;
}

function schema1Error(what: string): SpyglassError {
  return new SpyglassError(
    `${what}: Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image with a current Docker, BuildKit or skopeo`,
  );
}

/**
 * Parses a manifest or an index. The media type comes from the document, else from the transport
 * (`Content-Type`, descriptor), else from the shape, as containerd does for OCI documents without one.
 */
export function parseManifestDocument(bytes: Buffer, what: string, mediaTypeHint?: string): IndexDocument | ManifestDocument {
  const doc = parseJson(bytes, what);
  const mediaType = typeof doc.mediaType === 'string' && doc.mediaType ? doc.mediaType : mediaTypeHint ?? '';
  if (doc.schemaVersion === 1 || SCHEMA1_TYPES.includes(mediaType) && doc.schemaVersion !== 2) throw schema1Error(what);
  if (doc.schemaVersion !== 2) throw new SpyglassError(`${what}: unsupported manifest schemaVersion ${JSON.stringify(doc.schemaVersion)}`);
  const annotations = stringMap(doc.annotations);
  const isIndex = INDEX_TYPES.includes(mediaType) || (!MANIFEST_TYPES.includes(mediaType) && Array.isArray(doc.manifests));
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw new SpyglassError(`${what}: index has no "manifests" list`);
    const manifests = doc.manifests.map((entry, i) => parseDescriptor(entry, `${what} manifests[${i}]`));
    return { kind: 'index', mediaType: mediaType || MediaType.ociIndex, manifests, annotations };
  }
  if (!MANIFEST_TYPES.includes(mediaType) && !(doc.config && Array.isArray(doc.layers))) {
    throw new SpyglassError(`${what}: unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
  if (!Array.isArray(doc.layers)) throw new SpyglassError(`${what}: manifest has no "layers" list`);
  const manifest: ManifestDocument = {
    kind: 'manifest',
    mediaType: mediaType || MediaType.ociManifest,
    config: parseDescriptor(doc.config, `${what} config`),
    layers: doc.layers.map((entry, i) => parseDescriptor(entry, `${what} layers[${i}]`)),
    annotations,
  };
  if (doc.subject) manifest.subject = parseDescriptor(doc.subject, `${what} subject`);
  return manifest;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

/** Parses an image config blob (https://github.com/opencontainers/image-spec/blob/main/config.md). */
export function parseImageConfig(bytes: Buffer, what: string): ImageConfig {
  const doc = parseJson(bytes, what);
  const run = (typeof doc.config === 'object' && doc.config !== null ? doc.config : {}) as Json;
  const rootfs = (typeof doc.rootfs === 'object' && doc.rootfs !== null ? doc.rootfs : {}) as Json;
  if (!Array.isArray(rootfs.diff_ids)) throw new SpyglassError(`${what}: config has no rootfs.diff_ids`);
  const diffIds = rootfs.diff_ids.map((id, i) => {
    if (!isDigest(id)) throw new SpyglassError(`${what}: rootfs.diff_ids[${i}] is not a digest`);
    return id;
  });
  const history: HistoryEntry[] = Array.isArray(doc.history)
    ? doc.history.map((raw) => {
        const h = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
        const entry: HistoryEntry = { emptyLayer: h.empty_layer === true };
        if (typeof h.created === 'string') entry.created = h.created;
        if (typeof h.created_by === 'string') entry.createdBy = h.created_by;
        if (typeof h.author === 'string') entry.author = h.author;
        if (typeof h.comment === 'string') entry.comment = h.comment;
        return entry;
      })
    : [];
  const config: ImageConfig = {
    os: typeof doc.os === 'string' ? doc.os : '',
    architecture: typeof doc.architecture === 'string' ? doc.architecture : '',
    env: stringList(run.Env) ?? [],
    labels: stringMap(run.Labels),
    exposedPorts: Object.keys(typeof run.ExposedPorts === 'object' && run.ExposedPorts !== null ? run.ExposedPorts : {}),
    volumes: Object.keys(typeof run.Volumes === 'object' && run.Volumes !== null ? run.Volumes : {}),
    diffIds,
    history,
  };
  if (typeof doc.variant === 'string' && doc.variant) config.variant = doc.variant;
  if (typeof doc['os.version'] === 'string') config.osVersion = doc['os.version'];
  if (typeof doc.created === 'string') config.created = doc.created;
  if (typeof doc.author === 'string') config.author = doc.author;
  if (typeof run.User === 'string' && run.User) config.user = run.User;
  const entrypoint = stringList(run.Entrypoint);
  if (entrypoint) config.entrypoint = entrypoint;
  const cmd = stringList(run.Cmd);
  if (cmd) config.cmd = cmd;
  if (typeof run.WorkingDir === 'string' && run.WorkingDir) config.workingDir = run.WorkingDir;
  if (typeof run.StopSignal === 'string') config.stopSignal = run.StopSignal;
  return config;
}

/**
 * The history entry that made each layer: non-empty entries in order, one per diff_id. When the
 * counts disagree (hand-made or squashed images) nothing is attributed rather than a wrong line.
 */
export function layerHistory(config: ImageConfig): (HistoryEntry | undefined)[] {
  const made = config.history.filter((entry) => !entry.emptyLayer);
  if (made.length !== config.diffIds.length) return config.diffIds.map(() => undefined);
  return made;
}

export function configPlatform(config: ImageConfig): Platform {
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) platform.variant = config.variant;
  if (config.osVersion) platform.osVersion = config.osVersion;
  return platform;
}

/** BuildKit marks attestation manifests in an index with this annotation. */
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

export function isAttestationDescriptor(descriptor: Descriptor): boolean {
  return descriptor.annotations?.[REFERENCE_TYPE] === 'attestation-manifest';
}

export function attestedDigest(descriptor: Descriptor): Digest | undefined {
  const value = descriptor.annotations?.[REFERENCE_DIGEST];
  return isDigest(value) ? value : undefined;
}
