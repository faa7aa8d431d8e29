// Validators for the official SARIF 2.1.0 and GitLab container-scanning (15.2.1) schemas in
// ../shared/data/specs/, with format checking (ajv-formats); SPDX and CycloneDX come from test/sbom/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SPECS } from '../sbom/schemas.ts';

export { SPECS, cycloneDxValidator, errorsText, spdxValidator } from '../sbom/schemas.ts';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/**
 * SARIF 2.1.0 (OASIS errata01 schema). It is written in JSON Schema draft-04, which Ajv 8 reads only
 * through an extra package; the schema uses nothing whose meaning changed after draft-04 (no boolean
 * exclusiveMinimum/Maximum), so it is compiled as draft-07 with its draft-04 `id` renamed `$id`.
 */
export function sarifValidator(): ValidateFunction {
  const { $schema: _draft04, id, ...schema } = readJson(join(SPECS, 'sarif/sarif-schema-2.1.0.json'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile({ ...schema, $id: id as string });
}

/** GitLab's container-scanning report format 15.2.1 (draft-07). */
export function gitlabValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(readJson(join(SPECS, 'gitlab/container-scanning-report-format.json')));
}
