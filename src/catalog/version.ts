import { readFileSync } from 'node:fs';

/** Spyglass's version, as SBOMs record it. */
export const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
