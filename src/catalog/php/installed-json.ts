// Installed Composer packages: `vendor/composer/installed.json`, which Composer rewrites on every
// install (https://getcomposer.org/doc/07-runtime.md#installed-versions). Composer 1 writes a JSON
// array of packages; Composer 2 writes `{packages: [...], dev: bool, "dev-package-names": [...]}`.
// Versions are kept as Composer records them (`v1.8.1`): advisories name the same tags.
import { isRecord, parseJsonFile } from '../json-file.ts';
import type { Cataloger, CatalogFile, CatalogResult, FoundPackage } from '../cataloger.ts';
import { normaliseLicenses } from '../license.ts';

function declaredLicenses(license: unknown): string[] {
  if (typeof license === 'string') return [license];
  if (Array.isArray(license)) return license.filter((item): item is string => typeof item === 'string');
  return [];
}

export function parseInstalledJson(file: CatalogFile): CatalogResult {
  const installed = parseJsonFile(file.content);
  const entries = Array.isArray(installed) ? installed : isRecord(installed) ? installed.packages : undefined;
  if (!Array.isArray(entries)) throw new Error('installed.json is neither a package array nor {packages: [...]}');
  const devNames = new Set(isRecord(installed) && Array.isArray(installed['dev-package-names']) ? installed['dev-package-names'] : []);
  const packages: FoundPackage[] = [];
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string') continue;
    if (entry.name === '' || entry.version === '') continue;
    const found: FoundPackage = { type: 'composer', name: entry.name, version: entry.version, licenses: normaliseLicenses(declaredLicenses(entry.license)) };
    if (devNames.has(entry.name)) found.metadata = { dev: 'true' };
    packages.push(found);
  }
  return { packages };
}

export const composerInstalledCataloger: Cataloger = {
  id: 'php-composer-installed',
  version: 1,
  wants: (path) => path.endsWith('/composer/installed.json'),
  maxFileBytes: 32 * 1024 * 1024,
  parse: parseInstalledJson,
};
