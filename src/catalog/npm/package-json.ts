// Installed npm packages: each package's own package.json in a node_modules tree (npm, yarn, pnpm's
// `.pnpm/<name>@<version>/node_modules/<name>/`, global `lib/node_modules`), Debian's packaged
// modules, and the application's own package.json. Lockfiles are deliberately not read: what is
// installed is what is on disk (a lockfile lists optional and deleted packages too).
import { isRecord, parseJsonFile } from '../json-file.ts';
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { normaliseLicenses } from '../license.ts';

export type PackageJsonRole = 'installed' | 'root';

/** Caches of package tarballs and registries, not installed trees (yarn's cache holds `node_modules/<name>/package.json`). */
const CACHE_MARKERS = ['/.cache/', '/.npm/', '/.yarn/', '/.pnpm-store/'];

/** System folders whose package.json files are not an application's (Debian's node modules are handled apart). */
const SYSTEM_PREFIXES = ['/usr/share/', '/usr/lib/', '/usr/local/share/', '/usr/local/lib/', '/usr/include/', '/lib/', '/proc/', '/sys/'];

/** Where Debian installs its node modules (`/usr/share/nodejs/<name>/package.json`). */
const DEBIAN_MODULE_DIRS = ['/usr/share/nodejs/', '/usr/lib/nodejs/'];

/** `<name>` or `@scope/<name>`: the only shapes of a package folder directly under node_modules. */
function isPackageFolder(segments: string[]): boolean {
  if (segments.length === 1) return !segments[0]!.startsWith('.') && !segments[0]!.startsWith('@');
  return segments.length === 2 && segments[0]!.startsWith('@') && segments[0]!.length > 1 && !segments[1]!.startsWith('.');
}

/**
 * What a package.json is, from its path alone: a package's own manifest (directly in its folder
 * under the nearest node_modules), the application's root manifest (outside node_modules, system
 * folders and hidden folders), or nothing (a file deeper inside a package, such as test fixtures).
 */
export function packageJsonRole(path: string): PackageJsonRole | undefined {
  if (!path.endsWith('/package.json')) return undefined;
  if (CACHE_MARKERS.some((marker) => path.includes(marker))) return undefined;
  const segments = path.split('/');
  const folder = segments.slice(0, -1);
  const nodeModules = folder.lastIndexOf('node_modules');
  if (nodeModules >= 0) return isPackageFolder(folder.slice(nodeModules + 1)) ? 'installed' : undefined;
  for (const dir of DEBIAN_MODULE_DIRS) {
    if (path.startsWith(dir)) return isPackageFolder(path.slice(dir.length).split('/').slice(0, -1)) ? 'installed' : undefined;
  }
  if (SYSTEM_PREFIXES.some((prefix) => path.startsWith(prefix))) return undefined;
  if (folder.some((segment) => segment.startsWith('.'))) return undefined;
  return 'root';
}

/** `license` as a string, `{type}` object or (legacy) array of either; `licenses` as the legacy array. */
function declaredLicenses(manifest: Record<string, unknown>): string[] {
  const declared: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string') declared.push(value);
    else if (isRecord(value) && typeof value.type === 'string') declared.push(value.type);
    else if (Array.isArray(value)) for (const item of value) if (!Array.isArray(item)) add(item);
  };
  add(manifest.license);
  add(manifest.licenses);
  return declared;
}

export function parsePackageJson(file: CatalogFile): CatalogResult {
  const role = packageJsonRole(file.path);
  if (!role) return { packages: [] };
  const manifest = parseJsonFile(file.content);
  if (!isRecord(manifest)) throw new Error('package.json is not a JSON object');
  const { name, version } = manifest;
  // A manifest without a name or version is not a published package (workspace roots, private apps,
  // `{"type": "module"}` markers in build output): nothing to report, and nothing wrong.
  if (typeof name !== 'string' || typeof version !== 'string' || name.trim() === '' || version.trim() === '') return { packages: [] };
  return {
    packages: [{
      type: 'npm',
      name: name.trim(),
      version: version.trim(),
      licenses: normaliseLicenses(declaredLicenses(manifest)),
      ...(role === 'root' ? { root: true } : {}),
    }],
  };
}

export const npmPackageCataloger: Cataloger = {
  id: 'npm-package-json',
  version: 1,
  wants: (path) => path.endsWith('/package.json') && packageJsonRole(path) !== undefined,
  // The largest real manifests (old npm installs embedding the README) stay well under this.
  maxFileBytes: 8 * 1024 * 1024,
  parse: parsePackageJson,
};
