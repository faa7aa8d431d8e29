// Validators for the official SPDX 2.3 and CycloneDX 1.6 JSON schemas in ../shared/data/specs/ and for
// docs/sbom.schema.json, with format checking (ajv-formats).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT, SHARED } from '../helpers/fixtures.ts';

export const SPECS = join(SHARED, 'data/specs');

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** SPDX 2.3 as released (tag v2.3, draft-07). */
export function spdxValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(readJson(join(SPECS, 'spdx/spdx-schema.json')));
}

/** CycloneDX 1.6 (tag 1.6.2, draft-07), with the SPDX licence list and JSF schemas it refers to. */
export function cycloneDxValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Formats ajv-formats does not define; the schema uses them for URLs and e-mail addresses of people.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  ajv.addSchema(readJson(join(SPECS, 'cyclonedx/spdx.schema.json')));
  ajv.addSchema(readJson(join(SPECS, 'cyclonedx/jsf-0.82.schema.json')));
  return ajv.compile(readJson(join(SPECS, 'cyclonedx/bom-1.6.schema.json')));
}

/** docs/sbom.schema.json (JSON Schema 2020-12), strictly. */
export function spyglassValidator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(readJson(join(PROJECT_ROOT, 'docs/sbom.schema.json')));
}

export function errorsText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`).join('\n');
}
