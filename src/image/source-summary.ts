import { formatPlatform } from '../core/platform.ts';
import type { SbomSource } from '../core/sbom.ts';
import type { Image } from './model.ts';

/** What an SBOM records of the image it describes: enough to re-match it without pulling it again. */
export function imageSource(image: Image): SbomSource {
  return {
    input: image.input,
    names: image.names,
    configDigest: image.configDigest,
    manifestDigest: image.manifestDigest,
    indexDigest: image.indexDigest,
    platform: formatPlatform(image.platform),
    layers: image.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size, createdBy: layer.history?.createdBy })),
    annotations: image.annotations,
  };
}
