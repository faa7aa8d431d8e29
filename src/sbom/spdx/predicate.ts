// The SPDX document inside an in-toto statement (BuildKit's SBOM attestations). Apart from format.ts so
// that reading an image's attestation does not load every SBOM codec and the JSON Schema validator.
import { SpyglassError } from '../../core/errors.ts';
import type { SpdxDocument } from './document.ts';

const SPDX_PREDICATE = 'https://spdx.dev/Document';

export function spdxPredicate(statement: Record<string, unknown>, documentName: string): SpdxDocument {
  const predicate = statement.predicate;
  if (statement.predicateType !== SPDX_PREDICATE || typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) {
    throw new SpyglassError(`${documentName}: in-toto statement of type ${JSON.stringify(statement.predicateType)} is not an SPDX SBOM`);
  }
  return predicate as unknown as SpdxDocument;
}
