// Runs one vector file (../shared/data/specs/versions/, format in its README) through a scheme in both
// directions and lists every row that disagrees, so a failure names all of them at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VersionScheme } from '../../src/versions/scheme.ts';
import { SHARED } from '../helpers/fixtures.ts';

export const VECTORS = join(SHARED, 'data/specs/versions');

export function vectorMismatches(scheme: VersionScheme, file: string): { rows: number; wrong: string[] } {
  const wrong: string[] = [];
  let rows = 0;
  for (const line of readFileSync(join(VECTORS, file), 'utf8').split('\n')) {
    if (line === '') continue;
    rows++;
    const [a, b, expected] = line.split('\t') as [string, string, string];
    const reverse = expected === '0' ? '0' : String(-Number(expected));
    let forward: string;
    let backward: string;
    try {
      forward = String(scheme.compare(a, b));
      backward = String(scheme.compare(b, a));
    } catch (error) {
      wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${String(error)}`);
      continue;
    }
    if (forward !== expected || backward !== reverse) {
      wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: want ${expected}, got ${forward} (reverse ${backward})`);
    }
  }
  return { rows, wrong };
}
