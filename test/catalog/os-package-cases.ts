// Package-database fixture cases (../shared/data/fixtures/<kind>/<case>/) fed straight to a
// cataloger: every file under the case that the cataloger wants, at its image path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Cataloger, CatalogResult, FoundPackage } from '../../src/catalog/cataloger.ts';
import { SHARED } from '../helpers/fixtures.ts';

export const FIXTURE_CASES = join(SHARED, 'data/fixtures');

export interface Expected {
  reference_error: string[] | null;
  count: number;
  packages: Record<string, string | null>[];
}

/** A reference tool's raw output: library entries are packages, `operating-system` ones are not. */
export interface TrivyReference {
  packages: { type: string; name: string; version: string; src_name: string | null; purl: string | null; licenses?: (string | null)[] | null }[];
}

export function caseNames(kind: string): string[] {
  return readdirSync(join(FIXTURE_CASES, kind)).filter((name) => statSync(join(FIXTURE_CASES, kind, name)).isDirectory()).sort();
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}

export interface CaseRun {
  packages: FoundPackage[];
  results: { path: string; result: CatalogResult }[];
  errors: { path: string; message: string }[];
}

/**
 * Runs `cataloger` on every file of a case it wants. `mapPath` turns a path relative to the case
 * directory into the image path (dpkg cases keep `status` at the case root).
 */
export async function runCase(cataloger: Cataloger, caseDir: string, mapPath: (relativePath: string) => string): Promise<CaseRun> {
  const run: CaseRun = { packages: [], results: [], errors: [] };
  for (const file of walk(caseDir)) {
    const path = mapPath(relative(caseDir, file));
    const stat = statSync(file);
    if (!cataloger.wants(path, { size: stat.size, mode: stat.mode })) continue;
    try {
      const result = await cataloger.parse({ path, content: readFileSync(file), mode: stat.mode, layerDiffId: 'sha256:0' });
      run.results.push({ path, result });
      run.packages.push(...result.packages);
    } catch (error) {
      run.errors.push({ path, message: (error as Error).message });
    }
  }
  return run;
}

export const byName = <T extends { name: string; version: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
