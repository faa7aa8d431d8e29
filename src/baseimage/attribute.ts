// Which packages, and so which vulnerabilities, came with the base image and which the image's own
// layers added: a package belongs to the base when the layer that introduced it is one of the image's
// bottom `baseLayers` layers. The introducing layer is the first whose metadata lists the package at
// this version (Package.introducedLayerDiffId), not the last layer that rewrote the metadata file: an
// `apt-get install` layer rewrites /var/lib/dpkg/status, yet the base's packages listed there are still
// the base's. Without it, the layer of the package's first location is used.
import type { Finding } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import type { Sbom } from '../core/sbom.ts';
import { SpyglassError } from '../core/errors.ts';
import type { BaseDetection } from './model.ts';

/** The layer that brought the package in: where its metadata first listed it, else its first location's layer. */
export function introducingLayer(pkg: Package): string | undefined {
  return pkg.introducedLayerDiffId ?? pkg.locations[0]?.layerDiffId;
}

/**
 * The ids of the packages that came from the base image. A package whose introducing layer is not in
 * the image's layer list (an SBOM that records no layers) is counted as the image's own, so
 * `--ignore-base` never hides what cannot be placed.
 */
export function attributeToBase(sbom: Pick<Sbom, 'source' | 'packages'>, detection: BaseDetection): Set<string> {
  const baseLayers = detection.baseLayers;
  if (baseLayers === undefined) {
    throw new SpyglassError(`base image ${detection.name} (from ${detection.method}): how many of the image's layers are its is unknown; add it to the catalog with \`spyglass base-images add\``);
  }
  // A diff_id can appear twice in a chain (two identical layers); its first position is where it was introduced.
  const position = new Map<string, number>();
  sbom.source.layers.forEach((layer, index) => {
    if (!position.has(layer.diffId)) position.set(layer.diffId, index);
  });
  const fromBase = new Set<string>();
  for (const pkg of sbom.packages) {
    const layer = introducingLayer(pkg);
    const index = layer === undefined ? undefined : position.get(layer);
    if (index !== undefined && index < baseLayers) fromBase.add(pkg.id);
  }
  return fromBase;
}

export type BaseFilter = 'ignore-base' | 'only-base';

/** `cves --ignore-base` keeps the findings of the image's own packages, `--only-base` those of the base's. */
export function filterByBase(findings: readonly Finding[], fromBase: ReadonlySet<string>, filter: BaseFilter): Finding[] {
  const wantBase = filter === 'only-base';
  return findings.filter((finding) => fromBase.has(finding.packageId) === wantBase);
}
