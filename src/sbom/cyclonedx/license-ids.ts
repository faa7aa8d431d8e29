// CycloneDX accepts `license.id` only from its own copy of the SPDX licence list; anything else must be
// a named licence. spdx.schema.json beside this file is that list, copied unchanged from
// https://github.com/CycloneDX/specification/blob/1.6.2/schema/spdx.schema.json (Apache-2.0).
import schema from './spdx.schema.json' with { type: 'json' };

const ids = new Set<string>(schema.enum);

export function isCdxLicenseId(text: string): boolean {
  return ids.has(text);
}
