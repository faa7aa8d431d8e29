// An analysed image's base image and the recommendations `spyglass recommendations` would give, from the
// base image catalog in the data directory (`spyglass base-images index|add` fills it). Without a
// catalog the base is still detected from provenance attestations and base-image annotations.
import type { Sbom } from '../../core/sbom.ts';
import type { Attestation } from '../../image/model.ts';
import { SqliteBaseImageCatalog } from '../../baseimage/catalog.ts';
import { detectBase } from '../../baseimage/detect.ts';
import { recommendForImage } from '../../baseimage/image-recommendations.ts';
import type { DetectionOutcome } from '../../baseimage/model.ts';

export interface BaseImageFacts {
  /** JSON of the detected base (method, name, ref, evidence, base layers), or null. */
  baseImage: string | null;
  /** JSON `{recommendations, notes}`, or null without a catalog. */
  recommendations: string | null;
}

function baseJson(outcome: DetectionOutcome | undefined): string | null {
  const base = outcome?.base;
  return base === undefined ? null : JSON.stringify({ method: base.method, name: base.name, ref: base.ref, evidence: base.evidence, baseLayers: base.baseLayers });
}

export async function baseImageFacts(dataDir: string, sbom: Sbom, attestations: readonly Attestation[] = []): Promise<BaseImageFacts> {
  let catalog: SqliteBaseImageCatalog | undefined;
  try {
    catalog = SqliteBaseImageCatalog.openReadOnly(dataDir);
  } catch {
    catalog = undefined; // an unreadable catalog must not fail the analysis; the base is still detected below
  }
  if (catalog === undefined) {
    const outcome = await detectBase({ source: sbom.source, attestations }).catch(() => undefined);
    return { baseImage: baseJson(outcome), recommendations: null };
  }
  try {
    const found = await recommendForImage({ source: sbom.source, attestations }, catalog);
    return { baseImage: baseJson(found.outcome), recommendations: JSON.stringify({ recommendations: found.recommendations, notes: found.notes }) };
  } finally {
    catalog.close();
  }
}
