// Rust binaries built with cargo-auditable carry their dependency tree in a section (`.dep-v0` in
// ELF and PE, `__dep_v0` in Mach-O): zlib-compressed JSON, format in
// https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md.
// Like trivy, only runtime crates are reported (build-time crates are not in the program); the root
// crate, the program itself, is marked root and holds the others.
import { inflateSync } from 'node:zlib';
import type { CatalogFile, CatalogResult, Cataloger, FoundPackage } from '../cataloger.ts';
import { MAX_EXECUTABLE_BYTES, readExecutable, sectionBytes, wantsExecutable } from '../binary/executable.ts';

/** cargo-auditable's own reader refuses more than 8 MiB of JSON; so do we. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

interface AuditableCrate {
  name?: unknown;
  version?: unknown;
  source?: unknown;
  kind?: unknown;
  root?: unknown;
}

export function parseRustBinary(content: Buffer): CatalogResult {
  const executable = readExecutable(content);
  if (!executable) return { packages: [] };
  const compressed = sectionBytes(content, executable, executable.format === 'macho' ? '__dep_v0' : '.dep-v0');
  if (!compressed) return { packages: [] };
  let json: Buffer;
  try {
    json = inflateSync(compressed, { maxOutputLength: MAX_JSON_BYTES });
  } catch (error) {
    throw new Error(error instanceof RangeError ? `cargo-auditable data over ${MAX_JSON_BYTES} bytes` : 'cargo-auditable data is not zlib');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw new Error('cargo-auditable data is not JSON');
  }
  const crates = (parsed as { packages?: unknown }).packages;
  if (!Array.isArray(crates)) throw new Error('cargo-auditable data has no package list');
  const runtime = (crates as AuditableCrate[]).filter((crate) => typeof crate.name === 'string' && typeof crate.version === 'string' && (crate.kind === undefined || crate.kind === 'runtime'));
  const rootAt = runtime.findIndex((crate) => crate.root === true);
  // The root first, so that the others can name it as their parent.
  const ordered = rootAt > 0 ? [runtime[rootAt]!, ...runtime.filter((_, index) => index !== rootAt)] : runtime;
  const packages = ordered.map((crate): FoundPackage => {
    const found: FoundPackage = { type: 'cargo', name: crate.name as string, version: crate.version as string };
    if (typeof crate.source === 'string') found.metadata = { source: crate.source };
    if (crate.root === true) found.root = true;
    else if (rootAt >= 0) found.parentIndex = 0;
    return found;
  });
  return { packages };
}

export const rustBinaryCataloger: Cataloger = {
  id: 'rust-binary',
  version: 1,
  wants: wantsExecutable,
  maxFileBytes: MAX_EXECUTABLE_BYTES,
  parse: (file: CatalogFile) => parseRustBinary(file.content),
};
