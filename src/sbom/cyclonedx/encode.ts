// Sbom → CycloneDX 1.6 JSON. The image is metadata.component (type container); the distribution is an
// operating-system component; every package is a library component whose bom-ref is its package id,
// with the fields CycloneDX has no place for as `spyglass:` properties. `dependencies` says what
// the image holds directly, what holds what (Go binaries, nested jars) and what owns what.
import { randomUUID } from 'node:crypto';
import type { Package } from '../../core/package.ts';
import type { Sbom } from '../../core/sbom.ts';
import { imageName } from '../image-source.ts';
import { isSingleSpdxId, isSpdxExpression } from '../license-expression.ts';
import { packageProperties } from '../package-properties.ts';
import { IMAGE_REF, type CdxBom, type CdxComponent, type CdxLicenseChoice } from './document.ts';
import { isCdxLicenseId } from './license-ids.ts';

const DISTRO_REF = 'operating-system';

/** A list of licences, or one SPDX expression alone: CycloneDX 1.6 allows no mix (licenseChoice). */
function cdxLicenses(licenses: string[]): CdxLicenseChoice | undefined {
  if (licenses.length === 0) return undefined;
  const [only] = licenses;
  if (licenses.length === 1 && only && !isSingleSpdxId(only) && isSpdxExpression(only)) return [{ expression: only }];
  return licenses.map((license) => ({ license: isCdxLicenseId(license) ? { id: license } : { name: license } }));
}

function component(pkg: Package): CdxComponent {
  const licenses = cdxLicenses(pkg.licenses);
  const properties = packageProperties(pkg).map(([name, value]) => ({ name, value }));
  if (pkg.ownedBy) properties.push({ name: 'spyglass:ownedBy', value: pkg.ownedBy });
  if (pkg.parent) properties.push({ name: 'spyglass:parent', value: pkg.parent });
  return {
    type: 'library',
    'bom-ref': pkg.id,
    name: pkg.name,
    ...(pkg.version ? { version: pkg.version } : {}),
    purl: pkg.purl,
    ...(licenses ? { licenses } : {}),
    properties,
  };
}

export function encodeCycloneDx(sbom: Sbom): CdxBom {
  const source = sbom.source;
  const components: CdxComponent[] = [];
  if (sbom.distro) {
    components.push({
      type: 'operating-system',
      'bom-ref': DISTRO_REF,
      name: sbom.distro.id,
      ...(sbom.distro.versionId ? { version: sbom.distro.versionId } : {}),
      properties: [{ name: 'spyglass:distro', value: JSON.stringify(sbom.distro) }],
    });
  }
  components.push(...sbom.packages.map(component));

  const children = new Map<string, string[]>();
  const held = new Set<string>();
  for (const relationship of sbom.relationships) {
    const list = children.get(relationship.from) ?? [];
    if (!list.includes(relationship.to)) list.push(relationship.to);
    children.set(relationship.from, list);
    if (relationship.kind !== 'depends-on') held.add(relationship.to);
  }
  const topLevel = sbom.packages.filter((pkg) => !held.has(pkg.id)).map((pkg) => pkg.id);
  const dependencies = [
    { ref: IMAGE_REF, dependsOn: [...(sbom.distro ? [DISTRO_REF] : []), ...topLevel] },
    ...sbom.packages.map((pkg) => ({ ref: pkg.id, dependsOn: children.get(pkg.id) ?? [] })),
  ];

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: sbom.createdAt,
      tools: { components: [{ type: 'application', name: sbom.tool.name, version: sbom.tool.version }] },
      component: {
        type: 'container',
        'bom-ref': IMAGE_REF,
        name: imageName(source),
        ...(source.configDigest ? { version: source.configDigest, hashes: [{ alg: 'SHA-256', content: source.configDigest.slice('sha256:'.length) }] } : {}),
        properties: [{ name: 'spyglass:source', value: JSON.stringify(source) }],
      },
      properties: sbom.catalogers.map((cataloger) => ({ name: 'spyglass:cataloger', value: cataloger })),
    },
    components,
    dependencies,
  };
}
