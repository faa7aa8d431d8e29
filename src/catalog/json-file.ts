// JSON metadata files (package.json, installed.json, deps.json) as the language catalogers read them:
// UTF-8 with an optional byte order mark, and one short reason when the bytes are not JSON.

/** Parses a JSON metadata file; throws `invalid JSON: …` (the file becomes an unknown). */
export function parseJsonFile(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
