// The Package fields that SPDX and CycloneDX have no field for, as `spyglass:` name/value pairs:
// CycloneDX component properties (https://cyclonedx.org/docs/1.6/json/#components_items_properties)
// and SPDX package annotations whose comment is `name=value`. Decoding reads them back, so that an
// SBOM written by Spyglass and read again gives the same packages.
import { isDigest } from '../core/digest.ts';
import type { Package, PackageLocation } from '../core/package.ts';

export const PROPERTY_PREFIX = 'spyglass:';

export type Property = [name: string, value: string];

export function packageProperties(pkg: Package): Property[] {
  const properties: Property[] = [['spyglass:type', pkg.type]];
  // The layer first: a diff_id has no spaces, a path may.
  for (const location of pkg.locations) properties.push(['spyglass:location', `${location.layerDiffId} ${location.path}`]);
  if (pkg.arch) properties.push(['spyglass:arch', pkg.arch]);
  if (pkg.sourceName) properties.push(['spyglass:sourceName', pkg.sourceName]);
  if (pkg.sourceVersion) properties.push(['spyglass:sourceVersion', pkg.sourceVersion]);
  if (pkg.introducedLayerDiffId) properties.push(['spyglass:introducedLayerDiffId', pkg.introducedLayerDiffId]);
  if (pkg.root) properties.push(['spyglass:root', 'true']);
  for (const [key, value] of Object.entries(pkg.metadata ?? {})) properties.push([`spyglass:metadata:${key}`, value]);
  return properties;
}

/** What the `spyglass:` properties of one package say, for a decoder to fill in. */
export interface PackageDetails {
  type?: string;
  locations: PackageLocation[];
  arch?: string;
  sourceName?: string;
  sourceVersion?: string;
  introducedLayerDiffId?: PackageLocation['layerDiffId'];
  root?: boolean;
  metadata?: Record<string, string>;
}

export function readPackageProperties(properties: Iterable<Property>): PackageDetails {
  const details: PackageDetails = { locations: [] };
  for (const [name, value] of properties) {
    if (name.startsWith('spyglass:metadata:')) {
      (details.metadata ??= {})[name.slice('spyglass:metadata:'.length)] = value;
      continue;
    }
    switch (name) {
      case 'spyglass:type': details.type = value; break;
      case 'spyglass:location': {
        const space = value.indexOf(' ');
        const layerDiffId = value.slice(0, space);
        if (space > 0 && isDigest(layerDiffId)) details.locations.push({ layerDiffId, path: value.slice(space + 1) });
        break;
      }
      case 'spyglass:arch': details.arch = value; break;
      case 'spyglass:sourceName': details.sourceName = value; break;
      case 'spyglass:sourceVersion': details.sourceVersion = value; break;
      case 'spyglass:introducedLayerDiffId': if (isDigest(value)) details.introducedLayerDiffId = value; break;
      case 'spyglass:root': details.root = value === 'true'; break;
      default: break;
    }
  }
  return details;
}

/** The fields of `details` that a decoded package takes over (only those present). */
export function applyDetails(pkg: Package, details: PackageDetails): void {
  if (details.arch) pkg.arch = details.arch;
  if (details.sourceName) pkg.sourceName = details.sourceName;
  if (details.sourceVersion) pkg.sourceVersion = details.sourceVersion;
  if (details.introducedLayerDiffId) pkg.introducedLayerDiffId = details.introducedLayerDiffId;
  if (details.root) pkg.root = true;
  if (details.metadata) pkg.metadata = details.metadata;
}

/** Package ids as catalogImage makes them: type, name, version and first location, unique within the SBOM. */
export function packageIdMaker(): (type: string, name: string, version: string, where: string) => string {
  const taken = new Set<string>();
  return (type, name, version, where) => {
    let id = `${type}:${name}@${version}:${where}`;
    for (let n = 2; taken.has(id); n++) id = `${type}:${name}@${version}:${where}#${n}`;
    taken.add(id);
    return id;
  };
}
