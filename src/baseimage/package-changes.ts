// Which package of one image is which package of another: identity, versions paired across the two
// images, and the direction of a version change by the ecosystem's own ordering (versions/).
import { OS_PACKAGE_TYPES, type Package, type PackageType } from '../core/package.ts';
import { scheme } from '../versions/registry.ts';
import { compareText } from '../report/order.ts';

export { compareText };

/** How one package entry differs: `upgraded` / `downgraded` when IMAGE's version is higher / lower than OTHER's by the ecosystem's ordering, `changed` when the versions cannot be ordered. */
export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed' | 'unchanged';

export const PACKAGE_CHANGE_KINDS: readonly PackageChangeKind[] = ['added', 'removed', 'upgraded', 'downgraded', 'changed', 'unchanged'];

/** The version scheme each package type's versions follow (versions/registry.ts). */
const VERSION_SCHEME: Readonly<Record<PackageType, string>> = {
  deb: 'deb', apk: 'apk', rpm: 'rpm', npm: 'npm', pypi: 'pep440', maven: 'maven', golang: 'go', cargo: 'semver', gem: 'gem', composer: 'composer', nuget: 'nuget',
};

/** The ecosystem's order of two versions, or undefined when its scheme cannot read one of them (`(devel)`). */
export function orderVersions(type: PackageType, a: string, b: string): -1 | 0 | 1 | undefined {
  const versions = scheme(VERSION_SCHEME[type]);
  if (versions === undefined || !versions.valid(a) || !versions.valid(b)) return undefined;
  return versions.compare(a, b);
}

export function ascending(type: PackageType): (a: string, b: string) => number {
  return (a, b) => orderVersions(type, a, b) || compareText(a, b);
}

/** A package's identity across images: type and name, and the architecture for OS packages (`libc6:amd64`). */
export function packageKey(pkg: Pick<Package, 'type' | 'name' | 'arch'>): string {
  return OS_PACKAGE_TYPES.has(pkg.type) ? `${pkg.type}\u0000${pkg.name}\u0000${pkg.arch ?? ''}` : `${pkg.type}\u0000${pkg.name}`;
}

export interface PackageEntries {
  type: PackageType;
  name: string;
  arch?: string;
  /** version → the image's packages at that version (one per location). */
  versions: Map<string, Package[]>;
}

export function entriesOf(packages: readonly Package[]): Map<string, PackageEntries> {
  const entries = new Map<string, PackageEntries>();
  for (const pkg of packages) {
    const key = packageKey(pkg);
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { type: pkg.type, name: pkg.name, ...(OS_PACKAGE_TYPES.has(pkg.type) && pkg.arch ? { arch: pkg.arch } : {}), versions: new Map() };
      entries.set(key, entry);
    }
    const atVersion = entry.versions.get(pkg.version);
    if (atVersion) atVersion.push(pkg);
    else entry.versions.set(pkg.version, [pkg]);
  }
  return entries;
}

/**
 * Pairs the versions of one package identity. Versions both sides have are unchanged; the rest are
 * paired lowest with lowest (by the ecosystem's order), and what is left over is added or removed.
 */
export function pairVersions(entry: { type: PackageType }, imageVersions: readonly string[], otherVersions: readonly string[]): { version?: string; otherVersion?: string }[] {
  const order = ascending(entry.type);
  const common = imageVersions.filter((version) => otherVersions.includes(version));
  const onlyImage = imageVersions.filter((version) => !otherVersions.includes(version)).sort(order);
  const onlyOther = otherVersions.filter((version) => !imageVersions.includes(version)).sort(order);
  const pairs: { version?: string; otherVersion?: string }[] = common.map((version) => ({ version, otherVersion: version }));
  for (let i = 0; i < Math.max(onlyImage.length, onlyOther.length); i += 1) {
    pairs.push({ ...(onlyImage[i] !== undefined ? { version: onlyImage[i] } : {}), ...(onlyOther[i] !== undefined ? { otherVersion: onlyOther[i] } : {}) });
  }
  return pairs;
}

export function changeKind(type: PackageType, version: string | undefined, otherVersion: string | undefined): PackageChangeKind {
  if (version === undefined) return 'removed';
  if (otherVersion === undefined) return 'added';
  if (version === otherVersion) return 'unchanged';
  const order = orderVersions(type, version, otherVersion);
  return order === 1 ? 'upgraded' : order === -1 ? 'downgraded' : 'changed';
}
