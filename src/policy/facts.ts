// The facts policies read that the scan does not give: the image's default user and attestations (read
// while the image is open), and its base image (detection, then the base image catalog).
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Attestation, Image } from '../image/model.ts';
import type { BaseImageCatalog } from '../baseimage/model.ts';
import { detectBase } from '../baseimage/detect.ts';
import { attributeToBase } from '../baseimage/attribute.ts';
import { recommendForImage } from '../baseimage/image-recommendations.ts';
import { isProvenancePredicateType, readProvenanceStatement } from '../baseimage/provenance.ts';
import { findSbomAttestation } from '../sbom/attestation.ts';
import type { BaseFacts, PolicyInput } from './model.ts';

/**
 * The image's config user and its attestations: whether an SBOM attestation is attached, and each
 * provenance statement's mode (`max` when it carries the build definition, BuildKit's `mode=max`).
 */
export async function imageFacts(image: Image): Promise<Pick<PolicyInput, 'config' | 'attestations'>> {
  const provenance: NonNullable<PolicyInput['attestations']>['provenance'] = [];
  for (const attestation of image.attestations) {
    for (const [position, layer] of attestation.layers.entries()) {
      const predicateType = attestation.predicateTypes[position] ?? '';
      if (!isProvenancePredicateType(predicateType)) continue;
      const reading = readProvenanceStatement(await attestation.read(layer));
      const mode = 'statement' in reading && reading.statement.finalStage !== undefined ? 'max' : 'min';
      provenance.push({ predicateType, mode, manifestDigest: attestation.manifestDigest });
    }
  }
  return {
    config: image.config.user !== undefined ? { user: image.config.user } : {},
    attestations: { sbom: findSbomAttestation(image) !== undefined, provenance },
  };
}

/** The base image facts: detected (provenance, annotations, layers), placed in the catalog, its refreshed digest if any. */
export async function baseFacts(report: VulnerabilityReport, attestations: readonly Attestation[], catalog: BaseImageCatalog | undefined): Promise<BaseFacts> {
  const image = { source: report.target, attestations };
  if (catalog === undefined) {
    const outcome = await detectBase(image);
    if (outcome.base === undefined) return { known: false, reason: outcome.reason };
    const base = outcome.base;
    return {
      known: true, name: base.name, repository: base.ref.repository, ...(base.ref.tag !== undefined ? { tag: base.ref.tag } : {}),
      ...(base.ref.digest !== undefined ? { digest: base.ref.digest } : {}), method: base.method,
      catalogNote: `no base image catalog in the data directory, so whether ${base.name} has a newer digest is unknown (\`spyglass base-images index\`)`,
    };
  }
  const result = await recommendForImage(image, catalog);
  const base = result.outcome.base;
  if (base === undefined) return { known: false, reason: result.outcome.reason };
  const refreshed = result.recommendations.find((recommendation) => recommendation.kind === 'refreshed');
  const refreshedRecord = refreshed?.ref.digest !== undefined ? catalog.byDigest(refreshed.ref.digest)[0] : undefined;
  const place = result.place;
  return {
    known: true, name: base.name, repository: base.ref.repository, ...(base.ref.tag !== undefined ? { tag: base.ref.tag } : {}),
    ...(base.ref.digest ?? place?.digest ? { digest: base.ref.digest ?? place?.digest } : {}), method: base.method,
    ...(base.baseLayers !== undefined ? { packageIds: [...attributeToBase({ source: report.target, packages: report.packages }, base)] } : {}),
    ...(place !== undefined ? {
      catalog: {
        repository: place.repository, tag: place.tag, ...(place.digest !== undefined ? { digest: place.digest } : {}),
        ...(refreshed?.ref.digest !== undefined ? {
          refreshed: {
            name: refreshed.name, digest: refreshed.ref.digest, indexedAt: refreshedRecord?.indexedAt ?? refreshed.created ?? new Date(0).toISOString(),
            ...(refreshed.created !== undefined ? { created: refreshed.created } : {}),
          },
        } : {}),
      },
    } : { catalogNote: result.notes[0] ?? `${base.name} is not in the base image catalog` }),
  };
}
