// An analysed image's base image and the recommendations `spyglass recommendations` would give, from the
// base image catalog in the data directory (`spyglass base-images index|add` fills it). Without a
// catalog the base is still detected from provenance attestations and base-image annotations. With the
// vulnerability database the catalog's records are counted against it first, as `spyglass quickview`
// does (recount, src/baseimage/index-images.ts), so the base and the recommended bases carry counts and
// changes; the base's own figures are stored as `current` beside the recommendations.
import { existsSync } from 'node:fs';
import type { Sbom } from '../../core/sbom.ts';
import type { AdvisoryStore } from '../../advisories/store/store.ts';
import type { Attestation } from '../../image/model.ts';
import { catalogPath, SqliteBaseImageCatalog } from '../../baseimage/catalog.ts';
import { recount } from '../../baseimage/index-images.ts';
import { detectBase } from '../../baseimage/detect.ts';
import { recommendForImage } from '../../baseimage/image-recommendations.ts';
import type { DetectionOutcome } from '../../baseimage/model.ts';

export interface BaseImageFacts {
  /** JSON of the detected base (method, name, ref, evidence, base layers), or null. */
  baseImage: string | null;
  /** JSON `{recommendations, notes, current}` (current: the base's catalogued counts, packages, size, created), or null without a catalog. */
  recommendations: string | null;
}

function baseJson(outcome: DetectionOutcome | undefined): string | null {
  const base = outcome?.base;
  return base === undefined ? null : JSON.stringify({ method: base.method, name: base.name, ref: base.ref, evidence: base.evidence, baseLayers: base.baseLayers });
}

/**
 * The catalog, its records counted against `advisories` (the counts are written back, as the CLI does,
 * so only records counted against another database build are matched again). A catalog that cannot be
 * written is read as it is: its stored counts, if any.
 */
async function countedCatalog(dataDir: string, advisories: AdvisoryStore | undefined): Promise<SqliteBaseImageCatalog | undefined> {
  if (advisories !== undefined && existsSync(catalogPath(dataDir))) {
    let writable: SqliteBaseImageCatalog | undefined;
    try {
      writable = SqliteBaseImageCatalog.open(dataDir);
      await recount(writable, advisories);
      return writable;
    } catch {
      writable?.close();
    }
  }
  return SqliteBaseImageCatalog.openReadOnly(dataDir);
}

export async function baseImageFacts(dataDir: string, sbom: Sbom, attestations: readonly Attestation[] = [], advisories?: AdvisoryStore): Promise<BaseImageFacts> {
  let catalog: SqliteBaseImageCatalog | undefined;
  try {
    catalog = await countedCatalog(dataDir, advisories);
  } catch {
    catalog = undefined; // an unreadable catalog must not fail the analysis; the base is still detected below
  }
  if (catalog === undefined) {
    const outcome = await detectBase({ source: sbom.source, attestations }).catch(() => undefined);
    return { baseImage: baseJson(outcome), recommendations: null };
  }
  try {
    const found = await recommendForImage({ source: sbom.source, attestations }, catalog);
    return { baseImage: baseJson(found.outcome), recommendations: JSON.stringify({ recommendations: found.recommendations, notes: found.notes, current: found.current }) };
  } finally {
    catalog.close();
  }
}
