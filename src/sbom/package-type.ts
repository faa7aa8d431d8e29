import type { PackageType } from '../core/package.ts';

export const PACKAGE_TYPES: readonly PackageType[] = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget'];

export function isPackageType(value: string): value is PackageType {
  return (PACKAGE_TYPES as readonly string[]).includes(value);
}

/** The purl type of `pkg:TYPE/…`, lower-cased as the purl spec says types are. */
export function purlType(purl: string | undefined): string | undefined {
  const match = /^pkg:\/*([A-Za-z.+-][A-Za-z0-9.+-]*)\//.exec(purl ?? '');
  return match?.[1]?.toLowerCase();
}
