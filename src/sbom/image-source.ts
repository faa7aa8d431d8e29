import { formatPlatform } from '../core/platform.ts';
import type { SbomSource } from '../core/sbom.ts';
import type { Image } from '../image/model.ts';

/** What an SBOM says about the image it describes (the same fields catalogImage records). */
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

/** The name an SBOM document gives the image: its first tag, else what the user typed. */
export function imageName(source: SbomSource): string {
  return source.names[0] ?? source.input;
}
