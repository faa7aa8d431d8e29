import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.ts';
import type { Platform } from '../core/platform.ts';

/** An OCI content descriptor (https://github.com/opencontainers/image-spec/blob/main/descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  urls?: string[];
}

/** One `history` entry of the image config. `emptyLayer` entries made no layer (ENV, CMD, …). */
export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  author?: string;
  comment?: string;
  emptyLayer: boolean;
}

/** The parts of an image config that people and later stages read (https://github.com/opencontainers/image-spec/blob/main/config.md). */
export interface ImageConfig {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  created?: string;
  author?: string;
  env: string[];
  user?: string;
  labels: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  exposedPorts: string[];
  volumes: string[];
  stopSignal?: string;
  /** rootfs.diff_ids: the digests of the uncompressed layer tars, bottom first. */
  diffIds: Digest[];
  history: HistoryEntry[];
}

/** One filesystem layer of an image, identified by its diff_id. */
export interface Layer {
  /** Position, 0 = bottom layer. */
  index: number;
  /** Digest of the blob as stored by this source (compressed, for registries and OCI layouts). */
  digest: Digest;
  /** Digest of the uncompressed tar: the layer's identity across sources. */
  diffId: Digest;
  /** Size in bytes of the blob as stored. */
  size: number;
  mediaType: string;
  /** The non-empty history entry that made this layer, when the config's history lines up. */
  history?: HistoryEntry;
  /** The blob's bytes as stored (compressed or not), checked against `digest` when the source can. */
  open(): Promise<Readable>;
}

/**
 * A BuildKit attestation manifest (`vnd.docker.reference.type: attestation-manifest`) attached to the
 * platform image it describes; its layers are in-toto statements (SBOM, provenance).
 */
export interface Attestation {
  manifestDigest: Digest;
  /** The manifest digest of the platform image this attestation describes. */
  describes: Digest;
  layers: Descriptor[];
  /** `in-toto.io/predicate-type` of each layer, e.g. `https://slsa.dev/provenance/v0.2`. */
  predicateTypes: string[];
  /** Reads one statement layer (a small JSON document), verified against its digest. */
  read(layer: Descriptor): Promise<Buffer>;
}

export type ImageSourceKind = 'registry' | 'archive' | 'oci-dir' | 'oci-archive' | 'fs' | 'local';

/** One platform image, from whatever source; everything downstream reads only this. */
export interface Image {
  source: ImageSourceKind;
  /** What the user typed, e.g. `archive://app.tar` or `alpine`. */
  input: string;
  /** Repository and tag names this image carries in its source (`RepoTags`, ref names, the registry reference). */
  names: string[];
  /** The index or manifest list the image was chosen from, when there was one. */
  indexDigest?: Digest;
  /** Digest of the image manifest (absent for sources that have none, such as classic `docker save` tars or `fs://`). */
  manifestDigest?: Digest;
  manifestMediaType?: string;
  /** Digest of the config blob: the image's identity across sources. */
  configDigest: Digest;
  rawConfig: Buffer;
  config: ImageConfig;
  platform: Platform;
  /** Every platform image the input offered (one for a plain manifest). */
  platforms: Platform[];
  layers: Layer[];
  /** Annotations of the image manifest (`org.opencontainers.image.base.name`, …). */
  annotations: Record<string, string>;
  /** Annotations of the index the image was chosen from, and of its descriptor there. */
  indexAnnotations: Record<string, string>;
  attestations: Attestation[];
  /** Releases files, sockets and temporary copies the source holds. */
  close(): Promise<void>;
}

export interface OpenImageOptions {
  /** Platform to pick out of an index; default linux/amd64 unless the index has only one image. */
  platform?: Platform;
  /** Which image of a multi-image archive or OCI layout: a RepoTag or `org.opencontainers.image.ref.name`. */
  ref?: string;
  cacheDir: string;
  /** Registries (host[:port]) that may be reached over plain HTTP; loopback always may. */
  insecureRegistries?: string[];
  /** Registry host → mirror host: an image of the registry is pulled from the mirror, same repository path (the config file's registryMirrors). */
  registryMirrors?: Record<string, string>;
  /** Docker config file with registry credentials; default $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  dockerConfigPath?: string;
  /** Docker Engine socket; default from DOCKER_HOST or /var/run/docker.sock. */
  dockerHost?: string;
  progress?: ProgressSink;
  env?: NodeJS.ProcessEnv;
}

/** Per-blob transfer progress, shown on a TTY by the CLI. */
export interface ProgressSink {
  start(id: string, label: string, total: number | undefined): void;
  advance(id: string, bytes: number): void;
  done(id: string): void;
}
