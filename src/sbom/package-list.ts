// `spyglass sbom --format list`: one row per package (TYPE NAME VERSION) and a summary of counts per type.
import type { Sbom } from '../core/sbom.ts';
import type { PackageType } from '../core/package.ts';

export function packageList(sbom: Sbom): string {
  const rows: [string, string, string][] = [['TYPE', 'NAME', 'VERSION'], ...sbom.packages.map((pkg): [string, string, string] => [pkg.type, pkg.name, pkg.version])];
  const typeWidth = Math.max(...rows.map(([type]) => type.length));
  const nameWidth = Math.max(...rows.map(([, name]) => name.length));
  const lines = rows.map(([type, name, version]) => `${type.padEnd(typeWidth)}  ${name.padEnd(nameWidth)}  ${version}`.trimEnd());
  lines.push('', packageSummary(sbom));
  return `${lines.join('\n')}\n`;
}

/** `130 packages: 96 deb, 34 npm`, types in the order of the list. */
export function packageSummary(sbom: Sbom): string {
  const counts = new Map<PackageType, number>();
  for (const pkg of sbom.packages) counts.set(pkg.type, (counts.get(pkg.type) ?? 0) + 1);
  const total = sbom.packages.length;
  const perType = [...counts].map(([type, count]) => `${count} ${type}`).join(', ');
  return `${total} package${total === 1 ? '' : 's'}${perType ? `: ${perType}` : ''}`;
}

/** The SBOM with only packages of `types`, and only the relationships between those that remain. */
export function onlyPackageTypes(sbom: Sbom, types: readonly PackageType[]): Sbom {
  const packages = sbom.packages.filter((pkg) => types.includes(pkg.type));
  const kept = new Set(packages.map((pkg) => pkg.id));
  return { ...sbom, packages, relationships: sbom.relationships.filter((r) => kept.has(r.from) && kept.has(r.to)) };
}
