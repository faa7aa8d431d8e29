// Sbom → SPDX 2.3 JSON. The document DESCRIBES the image (a CONTAINER package), which CONTAINS every
// package; a package that holds another (a Go binary's modules) CONTAINS it, and an OS package that
// owns a language package's files is related to it by OTHER with the comment `owns`.
import { createHash, randomUUID } from 'node:crypto';
import type { Package } from '../../core/package.ts';
import type { Sbom } from '../../core/sbom.ts';
import { imageName } from '../image-source.ts';
import { isSpdxExpression, joinWithAnd, licenseRefFor } from '../license-expression.ts';
import { packageProperties, type Property } from '../package-properties.ts';
import { DISTRO_SPDXID, IMAGE_SPDXID, type SpdxAnnotation, type SpdxDocument, type SpdxPackage, type SpdxRelationship } from './document.ts';

const NOASSERTION = 'NOASSERTION';

/** SPDX 2.3 §3.2: `created` is UTC without fractional seconds. */
function spdxDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The SPDXID of a package's SPDX package (stable: derived from the package id). */
export function spdxId(pkg: Package): string {
  const hash = createHash('sha256').update(pkg.id).digest('hex').slice(0, 16);
  const name = pkg.name.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 64);
  return `SPDXRef-Package-${pkg.type}-${name}-${hash}`;
}

export function encodeSpdx(sbom: Sbom): SpdxDocument {
  const created = spdxDate(sbom.createdAt);
  const annotator = `Tool: ${sbom.tool.name}-${sbom.tool.version}`;
  const annotations = (properties: Property[]): SpdxAnnotation[] =>
    properties.map(([name, value]) => ({ annotationDate: created, annotationType: 'OTHER', annotator, comment: `${name}=${value}` }));
  const extracted = new Map<string, string>();
  const declared = (licenses: string[]): string => {
    if (licenses.length === 0) return NOASSERTION;
    return joinWithAnd(licenses.map((license) => {
      if (isSpdxExpression(license)) return license;
      let ref = licenseRefFor(license);
      for (let n = 2; extracted.has(ref) && extracted.get(ref) !== license; n++) ref = `${licenseRefFor(license)}-${n}`;
      extracted.set(ref, license);
      return ref;
    }));
  };

  const source = sbom.source;
  const image: SpdxPackage = {
    SPDXID: IMAGE_SPDXID,
    name: imageName(source),
    versionInfo: source.configDigest ?? source.manifestDigest,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER',
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(source.configDigest ? { checksums: [{ algorithm: 'SHA256', checksumValue: source.configDigest.slice('sha256:'.length) }] } : {}),
    annotations: annotations([['spyglass:source', JSON.stringify(source)]]),
  };
  const packages: SpdxPackage[] = [image];
  const relationships: SpdxRelationship[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE_SPDXID }];
  if (sbom.distro) {
    packages.push({
      SPDXID: DISTRO_SPDXID,
      name: sbom.distro.id,
      versionInfo: sbom.distro.versionId,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      annotations: annotations([['spyglass:distro', JSON.stringify(sbom.distro)]]),
    });
    relationships.push({ spdxElementId: IMAGE_SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: DISTRO_SPDXID });
  }

  const ids = new Map<string, string>();
  for (const pkg of sbom.packages) {
    const id = spdxId(pkg);
    ids.set(pkg.id, id);
    packages.push({
      SPDXID: id,
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared(pkg.licenses),
      copyrightText: NOASSERTION,
      ...(pkg.locations.length > 0 ? { sourceInfo: `found in ${pkg.locations.map((location) => location.path).join(', ')}` } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
      annotations: annotations(packageProperties(pkg)),
    });
    relationships.push({ spdxElementId: IMAGE_SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  for (const relationship of sbom.relationships) {
    const from = ids.get(relationship.from);
    const to = ids.get(relationship.to);
    if (!from || !to) continue;
    if (relationship.kind === 'contains') relationships.push({ spdxElementId: from, relationshipType: 'CONTAINS', relatedSpdxElement: to });
    else if (relationship.kind === 'depends-on') relationships.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
    else relationships.push({ spdxElementId: from, relationshipType: 'OTHER', relatedSpdxElement: to, comment: 'owns' });
  }

  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: imageName(source),
    documentNamespace: `https://spyglass.dev/spdxdocs/${encodeURIComponent(imageName(source))}-${randomUUID()}`,
    creationInfo: { created, creators: [annotator] },
    packages,
    relationships,
    ...(extracted.size > 0 ? { hasExtractedLicensingInfos: [...extracted].map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text })) } : {}),
  };
}
