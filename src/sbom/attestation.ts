// BuildKit's SBOM attestation (docs.docker.com/build/metadata/attestations/sbom/): an in-toto
// statement whose predicate is an SPDX document, attached to the platform image by an attestation
// manifest. Reading it replaces indexing the layers (`--sbom-source`).
import type { Sbom } from '../core/sbom.ts';
import type { Attestation, Descriptor, Image } from '../image/model.ts';
import { SpyglassError, errorText } from '../core/errors.ts';
import { decodeSpdx } from './spdx/decode.ts';
import { spdxPredicate } from './spdx/predicate.ts';
import { imageSource } from '../image/source-summary.ts';

export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';

/** The image's SPDX SBOM attestation layer, if it has one. */
export function findSbomAttestation(image: Image): { attestation: Attestation; layer: Descriptor } | undefined {
  for (const attestation of image.attestations) {
    const index = attestation.predicateTypes.indexOf(SPDX_PREDICATE_TYPE);
    const layer = index >= 0 ? attestation.layers[index] : undefined;
    if (layer) return { attestation, layer };
  }
  return undefined;
}

/** The packages the image's SBOM attestation lists, with the image as source; undefined without one. */
export async function sbomFromAttestation(image: Image): Promise<Sbom | undefined> {
  const found = findSbomAttestation(image);
  if (!found) return undefined;
  const name = `${image.input} (SBOM attestation ${found.attestation.manifestDigest})`;
  let statement: unknown;
  try {
    statement = JSON.parse((await found.attestation.read(found.layer)).toString('utf8'));
  } catch (error) {
    if (error instanceof SpyglassError) throw error;
    throw new SpyglassError(`${name}: not valid JSON (${errorText(error)})`);
  }
  if (typeof statement !== 'object' || statement === null) throw new SpyglassError(`${name}: not an in-toto statement`);
  const sbom = decodeSpdx(spdxPredicate(statement as Record<string, unknown>, name), name);
  return { ...sbom, source: imageSource(image) };
}
