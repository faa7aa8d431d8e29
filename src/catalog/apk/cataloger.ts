// The apk cataloger: Alpine (and Wolfi, Chainguard) installed packages.
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { parseApkInstalled } from './installed.ts';

function parse(file: CatalogFile): CatalogResult {
  const { packages, warnings } = parseApkInstalled(file.content.toString('utf8'));
  return warnings.length > 0 ? { packages, warnings } : { packages };
}

export const apkCataloger: Cataloger = {
  id: 'apk',
  version: 1,
  wants: (path) => path === '/lib/apk/db/installed',
  parse,
};
