// One way in and out for every SBOM format: encode an Sbom as text, decode text whose format is told by
// its content (SPDX has `spdxVersion`, CycloneDX `bomFormat`, Spyglass JSON `schemaVersion` and `tool`;
// an in-toto statement carrying an SPDX predicate, as BuildKit attests, is read as its predicate).
import type { Sbom, SbomSource } from '../core/sbom.ts';
import { SpyglassError, errorText } from '../core/errors.ts';
import { encodeCycloneDx } from './cyclonedx/encode.ts';
import { decodeCycloneDx } from './cyclonedx/decode.ts';
import type { CdxBom } from './cyclonedx/document.ts';
import { encodeSpdx } from './spdx/encode.ts';
import { decodeSpdx } from './spdx/decode.ts';
import type { SpdxDocument } from './spdx/document.ts';
import { decodeSpyglassJson, encodeSpyglassJson } from './spyglass-json.ts';
import { spdxPredicate } from './spdx/predicate.ts';

export { spdxPredicate };

export type SbomFormat = 'json' | 'spdx' | 'cyclonedx';

export function encode(sbom: Sbom, format: SbomFormat): string {
  switch (format) {
    case 'json': return encodeSpyglassJson(sbom);
    case 'spdx': return `${JSON.stringify(encodeSpdx(sbom), null, 2)}\n`;
    case 'cyclonedx': return `${JSON.stringify(encodeCycloneDx(sbom), null, 2)}\n`;
  }
}


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function detectFormat(document: unknown): SbomFormat | 'in-toto' | undefined {
  if (!isObject(document)) return undefined;
  if (typeof document.spdxVersion === 'string' && document.spdxVersion.startsWith('SPDX-2.')) return 'spdx';
  if (document.bomFormat === 'CycloneDX') return 'cyclonedx';
  if ('schemaVersion' in document && isObject(document.tool) && document.tool.name === 'spyglass') return 'json';
  if (typeof document._type === 'string' && document._type.startsWith('https://in-toto.io/Statement/')) return 'in-toto';
  return undefined;
}

/**
 * Decodes SPDX 2.x, CycloneDX 1.x or Spyglass JSON text; `documentName` names the input in errors.
 * `source` replaces what the document says about the image (an attestation describes its image).
 */
export function decode(text: string, documentName: string, source?: SbomSource): Sbom {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SpyglassError(`${documentName}: not valid JSON (${errorText(error)})`);
  }
  const format = detectFormat(document);
  const decoded = (() => {
    switch (format) {
      case 'spdx': return decodeSpdx(document as SpdxDocument, documentName);
      case 'in-toto': return decodeSpdx(spdxPredicate(document as Record<string, unknown>, documentName), documentName);
      case 'cyclonedx': return decodeCycloneDx(document as CdxBom, documentName);
      case 'json': return decodeSpyglassJson(document, documentName);
      default: throw new SpyglassError(`${documentName}: not an SBOM Spyglass reads (expected SPDX 2.x JSON, CycloneDX JSON or Spyglass JSON)`);
    }
  })();
  return source ? { ...decoded, source } : decoded;
}
