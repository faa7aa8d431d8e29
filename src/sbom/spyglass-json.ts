// Spyglass's own SBOM format: the Sbom model as JSON, versioned by `schemaVersion` and described by
// docs/sbom.schema.json (JSON Schema 2020-12), which also checks what `sbom://` reads.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Sbom } from '../core/sbom.ts';
import { SpyglassError } from '../core/errors.ts';

export const SBOM_SCHEMA_URL = new URL('../../docs/sbom.schema.json', import.meta.url);

let validator: ValidateFunction<Sbom> | undefined;

function validate(): ValidateFunction<Sbom> {
  // Formats (date-time) are documentation here: a foreign timestamp style is no reason to refuse an SBOM.
  validator ??= new Ajv2020({ allErrors: false, validateFormats: false }).compile<Sbom>(JSON.parse(readFileSync(SBOM_SCHEMA_URL, 'utf8')) as object);
  return validator;
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'does not match docs/sbom.schema.json';
  return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;
}

export function encodeSpyglassJson(sbom: Sbom): string {
  return `${JSON.stringify(sbom, null, 2)}\n`;
}

/** `document` is parsed JSON whose `schemaVersion` and `tool` say Spyglass wrote it. */
export function decodeSpyglassJson(document: unknown, documentName: string): Sbom {
  const check = validate();
  if (!check(document)) throw new SpyglassError(`${documentName}: not a valid Spyglass SBOM: ${describe(check.errors?.[0])}`);
  return document;
}
