// One image's base image and its recommendations, as `recommendations` and `quickview` show them:
// detect the base (detect.ts), find it in the catalog, apply the rule (recommend.ts), and say in words
// why anything is missing and how to fill the catalog.
import type { SbomSource } from '../core/sbom.ts';
import type { Attestation } from '../image/model.ts';
import { detectBase } from './detect.ts';
import type { BaseImageCatalog, DetectionOutcome, Recommendation } from './model.ts';
import { currentFigures, displayName, locateBase, recommend, type CatalogedBase, type CurrentBase } from './recommend.ts';
import { tagAnatomy } from './tag-anatomy.ts';

/** How to put images in the catalog, for every message that says something is missing from it. */
export const FILL_CATALOG_HINT = 'Fill the catalog with `spyglass base-images index REGISTRY/REPOSITORY` (every tag, or `--tags REGEX`) or `spyglass base-images add IMAGE`.';

export interface ImageRecommendations {
  outcome: DetectionOutcome;
  /** Where the base is in the catalog, when it is there. */
  place?: CatalogedBase;
  /** The base's figures the changes are computed against. */
  current: CurrentBase;
  recommendations: Recommendation[];
  /** Why there is no refreshed / updated base image, in words. */
  emptyRefresh: string;
  emptyUpdate: string;
  /** Why there are no recommendations at all, or no changes, and what to do about it. */
  notes: string[];
}

export async function recommendForImage(
  image: { source: SbomSource; attestations?: readonly Attestation[] },
  catalog: BaseImageCatalog,
  options: { tag?: string; current?: CurrentBase } = {},
): Promise<ImageRecommendations> {
  const outcome = await detectBase({ source: image.source, ...(image.attestations ? { attestations: image.attestations } : {}) }, catalog);
  const none = { outcome, current: options.current ?? {}, recommendations: [], emptyRefresh: '', emptyUpdate: '' };
  if (outcome.base === undefined) return { ...none, notes: [`Base image unknown: ${outcome.reason}. ${FILL_CATALOG_HINT}`] };
  const base = outcome.base;
  const platform = image.source.platform ?? base.entry?.platform;
  if (platform === undefined) return { ...none, notes: ['The image names no platform, so catalogued images cannot be compared with it.'] };
  const place = locateBase(base, catalog, platform);
  if (place === undefined) {
    return { ...none, notes: [`${base.name} is not in the base image catalog (for ${platform}), so there is nothing to compare it with. `
      + `Index its repository: \`spyglass base-images index ${base.ref.repository}\`.`] };
  }
  const current = currentFigures(place.record, options.current);
  const recommendations = recommend(base, catalog, { platform, current, ...(options.tag !== undefined ? { tag: options.tag } : {}) });
  const notes: string[] = [];
  if (place.record === undefined && place.digest !== undefined && current.counts === undefined) {
    // Not `base-images add` for it: recording the old digest under its tag would make it the tag's newest record.
    notes.push(`The base's digest ${place.digest} is not in the catalog (the catalog never saw ${place.tag} at that digest), `
      + `so the base's vulnerabilities and the changes against them are unknown; \`spyglass cves ${place.repository}@${place.digest}\` scans it.`);
  }
  const anatomy = tagAnatomy(place.tag);
  return {
    outcome, place, current, recommendations, notes,
    emptyRefresh: place.digest === undefined
      ? 'The base image\'s digest is unknown, so whether its tag has moved cannot be told.'
      : `✓ The base image is the newest digest of ${displayName(place.repository, place.tag)} in the catalog.`,
    emptyUpdate: anatomy.version === undefined
      ? `${place.tag} names no release (a floating or unversioned tag), so no tag is newer by the rule; \`--tag TAG\` compares one.`
      : `✓ No newer stable tag of the ${anatomy.variant === '' ? 'default' : anatomy.variant} variant in the catalog.`,
  };
}
