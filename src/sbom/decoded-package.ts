// One package read from an SPDX or CycloneDX document, whoever wrote it: the type comes from
// Spyglass's own property or else the purl, and purl qualifiers fill in what a foreign tool's
// document leaves out (arch, Debian's `upstream` source package).
import { PackageURL } from 'packageurl-js';
import type { Package, UnknownFile } from '../core/package.ts';
import { applyDetails, type PackageDetails } from './package-properties.ts';
import { isPackageType, purlType } from './package-type.ts';

export interface DocumentPackage {
  /** The package's id in its document (SPDXID, bom-ref), for messages. */
  ref: string;
  name: string;
  version: string;
  purl?: string;
  licenses: string[];
  details: PackageDetails;
}

function purlQualifiers(purl: string): Record<string, string> {
  try {
    return { ...(PackageURL.fromString(purl).qualifiers ?? {}) };
  } catch {
    return {};
  }
}

/** The Package, or an unknown saying why the document's package is not one Spyglass can use. */
export function decodedPackage(found: DocumentPackage, makeId: (type: string, name: string, version: string, where: string) => string, what: string): Package | UnknownFile {
  const type = found.details.type ?? purlType(found.purl);
  if (!found.purl || !type || !isPackageType(type)) {
    return { path: found.ref, cataloger: what, reason: found.purl ? `package type of ${found.purl} is not supported` : `package ${found.name} has no package URL` };
  }
  const locations = found.details.locations;
  const pkg: Package = {
    id: makeId(type, found.name, found.version, locations[0]?.path ?? found.ref),
    type,
    name: found.name,
    version: found.version,
    purl: found.purl,
    licenses: found.licenses,
    locations,
  };
  const qualifiers = purlQualifiers(found.purl);
  if (qualifiers.arch) pkg.arch = qualifiers.arch;
  if (type === 'deb' && qualifiers.upstream) {
    const [sourceName, sourceVersion] = qualifiers.upstream.split('@', 2) as [string, string | undefined];
    pkg.sourceName = sourceName;
    if (sourceVersion) pkg.sourceVersion = sourceVersion;
  }
  applyDetails(pkg, found.details);
  return pkg;
}

export function isPackage(value: Package | UnknownFile): value is Package {
  return 'purl' in value;
}
