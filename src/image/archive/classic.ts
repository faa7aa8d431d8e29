// The Image of one classic `docker save` entry: config and layer files straight from the tar, no
// registry manifest (so no manifestDigest). Layer files may be uncompressed (docker, podman, skopeo),
// gzip (go-containerregistry / kaniko `<digest>.tar.gz`) and symlinks to another image's layer.tar.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { sha256Digest, type Digest } from '../../core/digest.ts';
import { formatPlatform, platformMatches } from '../../core/platform.ts';
import { MAX_CONFIG_BYTES } from '../blob-store.ts';
import { configPlatform, layerHistory, parseImageConfig } from '../manifest.ts';
import { MediaType } from '../media-types.ts';
import type { Image, ImageSourceKind, Layer, OpenImageOptions } from '../model.ts';
import { detectCompression } from '../compression.ts';
import type { TarIndex } from '../tar/tar-index.ts';
import { DigestVerifier } from '../verify.ts';
import type { DockerSaveEntry } from './docker-manifest.ts';

const UNCOMPRESSED_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

/** The sha256 hex a file is named by: `<hex>.json`, `sha256:<hex>`, `<hex>.tar.gz`, `blobs/sha256/<hex>`. */
export function hexFromName(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^(?:sha256:)?([a-f0-9]{64})(?:\.json|\.tar|\.tar\.gz|\.tgz|\.tar\.zst)?$/.exec(base)?.[1];
}

function verified(index: TarIndex, name: string, digest: Digest, size: number, what: string): Readable {
  const verifier = new DigestVerifier(digest, size, what);
  const source = index.openStream(name);
  source.on('error', (error) => verifier.destroy(new SpyglassError(`${index.label}: cannot read ${name} (${errorText(error)})`)));
  return source.pipe(verifier);
}

async function hashMember(index: TarIndex, name: string): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of index.openStream(name)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * The layer's blob digest without reading the layer where possible. An uncompressed layer file IS the
 * layer tar, so its digest is the diff_id the config gives for that position; a compressed file named
 * by a hex digest (how go-containerregistry writes them) is taken at its name. Both are checked when
 * the layer is opened. Anything else is hashed once.
 */
async function layerDigest(index: TarIndex, name: string, diffId: Digest, compressed: boolean): Promise<Digest> {
  if (!compressed) return diffId;
  const hex = hexFromName(index.file(name).name) ?? hexFromName(name);
  return hex ? `sha256:${hex}` : hashMember(index, name);
}

export async function classicImage(
  index: TarIndex,
  entry: DockerSaveEntry,
  options: OpenImageOptions & { input: string },
  source: ImageSourceKind,
  close: () => Promise<void>,
): Promise<Image> {
  const label = options.input;
  const rawConfig = await index.readFile(entry.config, MAX_CONFIG_BYTES);
  // The image's identity is the digest of the config bytes. A `<hex>.json` name that disagrees is not
  // an error: `docker load` does not check it either, and go-containerregistry's own testdata
  // (source_image_with_empty_layer_history.tar) carries a config edited after it was named.
  const configDigest = sha256Digest(rawConfig);
  const config = parseImageConfig(rawConfig, `${label} config ${entry.config}`);
  if (config.diffIds.length !== entry.layers.length) {
    throw new SpyglassError(`${label}: manifest.json lists ${entry.layers.length} layers but the config has ${config.diffIds.length} diff_ids`);
  }
  const platform = configPlatform(config);
  if (options.platform && !platformMatches(options.platform, platform)) {
    throw new SpyglassError(`${label}: platform ${formatPlatform(options.platform)} requested, but the image is ${formatPlatform(platform)}`);
  }
  const history = layerHistory(config);
  const layers: Layer[] = [];
  for (const [i, name] of entry.layers.entries()) {
    const member = index.file(name);
    const compression = detectCompression(await index.head(name, 8));
    const diffId = config.diffIds[i]!;
    const digest = await layerDigest(index, name, diffId, compression !== 'none');
    const mediaType = compression === 'gzip' ? MediaType.dockerLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : UNCOMPRESSED_LAYER;
    layers.push({
      index: i,
      digest,
      diffId,
      size: member.size,
      mediaType,
      history: history[i],
      open: async () => verified(index, name, digest, member.size, `${label} layer ${name}`),
    });
  }
  return {
    source,
    input: options.input,
    names: entry.repoTags,
    configDigest,
    rawConfig,
    config,
    platform,
    platforms: [platform],
    layers,
    annotations: {},
    indexAnnotations: {},
    attestations: [],
    close,
  };
}
