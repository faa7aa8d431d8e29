// SPDX 2.2/2.3 JSON → Sbom, for documents written by Spyglass (their `spyglass:` annotations give
// back every field) and by other tools (BuildKit's syft scanner, Trivy): each package with a purl of
// a type Spyglass knows becomes a Package; the rest are listed as unknowns.
import type { Distro, Package, UnknownFile } from '../../core/package.ts';
import type { Relationship, Sbom, SbomSource } from '../../core/sbom.ts';
import { SpyglassError } from '../../core/errors.ts';
import { TOOL_VERSION } from '../../catalog/version.ts';
import { decodedPackage, isPackage } from '../decoded-package.ts';
import { splitTopLevelAnd } from '../license-expression.ts';
import { packageIdMaker, readPackageProperties, type Property } from '../package-properties.ts';
import type { SpdxAnnotation, SpdxDocument, SpdxPackage } from './document.ts';

const NO_VALUE = new Set(['NOASSERTION', 'NONE', '']);

function properties(annotations: SpdxAnnotation[] | undefined): Property[] {
  const found: Property[] = [];
  for (const annotation of annotations ?? []) {
    const comment = typeof annotation?.comment === 'string' ? annotation.comment : '';
    const equals = comment.indexOf('=');
    if (comment.startsWith('spyglass:') && equals > 0) found.push([comment.slice(0, equals), comment.slice(equals + 1)]);
  }
  return found;
}

function jsonProperty<T>(annotations: SpdxAnnotation[] | undefined, name: string): T | undefined {
  const value = properties(annotations).find(([key]) => key === name)?.[1];
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

function purlOf(pkg: SpdxPackage): string | undefined {
  return pkg.externalRefs?.find((ref) => ref?.referenceType === 'purl' && typeof ref.referenceLocator === 'string')?.referenceLocator;
}

/** `documentName` names the input in errors. */
export function decodeSpdx(document: SpdxDocument, documentName: string): Sbom {
  if (!Array.isArray(document.packages ?? [])) throw new SpyglassError(`${documentName}: SPDX document has no packages array`);
  const licenseNames = new Map<string, string>();
  for (const info of document.hasExtractedLicensingInfos ?? []) {
    const name = info?.name && !NO_VALUE.has(info.name) ? info.name : undefined;
    if (typeof info?.licenseId === 'string') licenseNames.set(info.licenseId, name ?? info.licenseId);
  }
  const licenses = (expression: string | undefined): string[] =>
    expression === undefined || NO_VALUE.has(expression) ? [] : splitTopLevelAnd(expression).map((part) => licenseNames.get(part) ?? part);

  const makeId = packageIdMaker();
  const packages: Package[] = [];
  const unknowns: UnknownFile[] = [];
  const bySpdxId = new Map<string, Package>();
  let source: SbomSource | undefined;
  let distro: Distro | undefined;
  for (const spdxPackage of document.packages ?? []) {
    if (typeof spdxPackage?.SPDXID !== 'string' || typeof spdxPackage.name !== 'string') {
      throw new SpyglassError(`${documentName}: SPDX package without SPDXID or name`);
    }
    if (spdxPackage.primaryPackagePurpose === 'CONTAINER') {
      source ??= jsonProperty<SbomSource>(spdxPackage.annotations, 'spyglass:source');
      continue;
    }
    // The JSON schema spells it OPERATING_SYSTEM; tag-value documents (and some converters) OPERATING-SYSTEM.
    if (spdxPackage.primaryPackagePurpose === 'OPERATING_SYSTEM' || spdxPackage.primaryPackagePurpose === 'OPERATING-SYSTEM') {
      distro ??= jsonProperty<Distro>(spdxPackage.annotations, 'spyglass:distro') ?? { id: spdxPackage.name, ...(spdxPackage.versionInfo ? { versionId: spdxPackage.versionInfo } : {}) };
      continue;
    }
    const decoded = decodedPackage({
      ref: spdxPackage.SPDXID,
      name: spdxPackage.name,
      version: spdxPackage.versionInfo ?? '',
      purl: purlOf(spdxPackage),
      licenses: licenses(spdxPackage.licenseDeclared ?? spdxPackage.licenseConcluded),
      details: readPackageProperties(properties(spdxPackage.annotations)),
    }, makeId, 'spdx');
    if (isPackage(decoded)) {
      packages.push(decoded);
      bySpdxId.set(spdxPackage.SPDXID, decoded);
    } else {
      unknowns.push(decoded);
    }
  }

  const relationships: Relationship[] = [];
  for (const relationship of document.relationships ?? []) {
    const from = bySpdxId.get(relationship?.spdxElementId);
    const to = bySpdxId.get(relationship?.relatedSpdxElement);
    if (!from || !to) continue;
    if (relationship.relationshipType === 'CONTAINS') {
      to.parent ??= from.id;
      relationships.push({ from: from.id, to: to.id, kind: 'contains' });
    } else if (relationship.relationshipType === 'DEPENDS_ON') {
      relationships.push({ from: from.id, to: to.id, kind: 'depends-on' });
    } else if (relationship.relationshipType === 'OTHER' && relationship.comment === 'owns') {
      to.ownedBy = from.id;
      relationships.push({ from: from.id, to: to.id, kind: 'owns' });
    }
  }

  const creator = document.creationInfo?.creators?.find((name) => name.startsWith('Tool: '));
  return {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: TOOL_VERSION },
    createdAt: document.creationInfo?.created ?? new Date().toISOString(),
    source: source ?? { input: documentName, names: document.name ? [document.name] : [], layers: [] },
    ...(distro ? { distro } : {}),
    packages,
    relationships,
    unknowns,
    catalogers: [creator ? `spdx:${creator.slice('Tool: '.length)}` : 'spdx'],
  };
}
