// CycloneDX 1.x JSON → Sbom. Components (nested ones too) with a purl of a type Spyglass knows become
// packages; Spyglass's own `spyglass:` properties give back every field of BOMs it wrote.
import type { Distro, Package, UnknownFile } from '../../core/package.ts';
import type { Relationship, Sbom, SbomSource } from '../../core/sbom.ts';
import { SpyglassError } from '../../core/errors.ts';
import { TOOL_VERSION } from '../../catalog/version.ts';
import { decodedPackage, isPackage } from '../decoded-package.ts';
import { packageIdMaker, readPackageProperties, type Property } from '../package-properties.ts';
import type { CdxBom, CdxComponent, CdxLicenseChoice, CdxProperty } from './document.ts';

function property(properties: CdxProperty[] | undefined, name: string): string | undefined {
  return properties?.find((entry) => entry?.name === name)?.value;
}

function jsonProperty<T>(properties: CdxProperty[] | undefined, name: string): T | undefined {
  const value = property(properties, name);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

function licenses(choice: CdxLicenseChoice | undefined): string[] {
  const found: string[] = [];
  for (const entry of Array.isArray(choice) ? choice : []) {
    if ('expression' in entry && typeof entry.expression === 'string') found.push(entry.expression);
    else if ('license' in entry && entry.license) {
      const license = entry.license as { id?: string; name?: string };
      const text = license.id ?? license.name;
      if (typeof text === 'string') found.push(text);
    }
  }
  return found;
}

/** Components in document order, nested ones (`components` inside a component) after their holder. */
function flatten(components: CdxComponent[] | undefined, into: { component: CdxComponent; holder?: CdxComponent }[] = [], holder?: CdxComponent) {
  for (const component of Array.isArray(components) ? components : []) {
    into.push({ component, holder });
    flatten((component as { components?: CdxComponent[] }).components, into, component);
  }
  return into;
}

export function decodeCycloneDx(bom: CdxBom, documentName: string): Sbom {
  if (bom.components !== undefined && !Array.isArray(bom.components)) throw new SpyglassError(`${documentName}: CycloneDX components is not an array`);
  const makeId = packageIdMaker();
  const packages: Package[] = [];
  const unknowns: UnknownFile[] = [];
  const byRef = new Map<string, Package>();
  const held: { pkg: Package; ownedBy?: string; parent?: string; holderRef?: string }[] = [];
  let distro: Distro | undefined;
  for (const { component, holder } of flatten(bom.components)) {
    if (typeof component?.name !== 'string') throw new SpyglassError(`${documentName}: CycloneDX component without a name`);
    if (component.type === 'operating-system') {
      distro ??= jsonProperty<Distro>(component.properties, 'spyglass:distro') ?? { id: component.name, ...(component.version ? { versionId: component.version } : {}) };
      continue;
    }
    const ref = component['bom-ref'] ?? component.purl ?? component.name;
    const spyglassProperties: Property[] = (component.properties ?? [])
      .filter((entry) => typeof entry?.name === 'string' && typeof entry.value === 'string')
      .map((entry) => [entry.name, entry.value]);
    const decoded = decodedPackage({
      ref,
      name: component.name,
      version: component.version ?? '',
      purl: component.purl,
      licenses: licenses(component.licenses),
      details: readPackageProperties(spyglassProperties),
    }, makeId, 'cyclonedx');
    if (!isPackage(decoded)) {
      unknowns.push(decoded);
      continue;
    }
    packages.push(decoded);
    byRef.set(ref, decoded);
    held.push({
      pkg: decoded,
      ownedBy: property(component.properties, 'spyglass:ownedBy'),
      parent: property(component.properties, 'spyglass:parent'),
      holderRef: holder?.['bom-ref'],
    });
  }

  const relationships: Relationship[] = [];
  const relate = (from: Package | undefined, to: Package, kind: Relationship['kind']) => {
    if (!from || relationships.some((r) => r.from === from.id && r.to === to.id && r.kind === kind)) return;
    relationships.push({ from: from.id, to: to.id, kind });
    if (kind === 'contains') to.parent = from.id;
    if (kind === 'owns') to.ownedBy = from.id;
  };
  for (const { pkg, ownedBy, parent, holderRef } of held) {
    relate(byRef.get(parent ?? holderRef ?? ''), pkg, 'contains');
    if (ownedBy) relate(byRef.get(ownedBy), pkg, 'owns');
  }
  const explained = new Set(relationships.map((r) => `${r.from}\0${r.to}`));
  for (const dependency of Array.isArray(bom.dependencies) ? bom.dependencies : []) {
    const from = byRef.get(dependency?.ref);
    for (const ref of Array.isArray(dependency?.dependsOn) ? dependency.dependsOn : []) {
      const to = byRef.get(ref);
      if (from && to && !explained.has(`${from.id}\0${to.id}`)) relate(from, to, 'depends-on');
    }
  }

  const metadata = bom.metadata;
  const image = metadata?.component;
  const source: SbomSource = jsonProperty<SbomSource>(image?.properties, 'spyglass:source')
    ?? { input: documentName, names: image?.name ? [image.name] : [], layers: [] };
  const catalogers = (metadata?.properties ?? []).filter((entry) => entry?.name === 'spyglass:cataloger').map((entry) => entry.value);
  const tool = metadata?.tools?.components?.[0];
  return {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: TOOL_VERSION },
    createdAt: metadata?.timestamp ?? new Date().toISOString(),
    source,
    ...(distro ? { distro } : {}),
    packages,
    relationships,
    unknowns,
    catalogers: catalogers.length > 0 ? catalogers : [tool ? `cyclonedx:${tool.name}${tool.version ? `@${tool.version}` : ''}` : 'cyclonedx'],
  };
}
