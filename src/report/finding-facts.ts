// What the machine-readable formats read from a finding beyond its fields: its package, the preferred
// source's summary, every reference, and the fix and suppression in words.
import type { Finding, Suppression, VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';

export type PackageIndex = ReadonlyMap<string, Package>;

export function packageIndex(report: VulnerabilityReport): PackageIndex {
  return new Map(report.packages.map((pkg) => [pkg.id, pkg]));
}

/** The finding's package; a finding whose package is not in the report is a bug upstream, not bad input. */
export function packageOf(index: PackageIndex, finding: Finding): Package {
  const pkg = index.get(finding.packageId);
  if (!pkg) throw new Error(`finding ${finding.id} names package ${finding.packageId}, which is not in the report`);
  return pkg;
}

/** The summary of the first source that has one, the preferred matching source first. */
export function summaryOf(finding: Finding): string | undefined {
  const preferred = finding.matches[0];
  const ordered = preferred
    ? [...finding.sources.filter((source) => source.source === preferred.source && source.id === preferred.advisoryId), ...finding.sources]
    : finding.sources;
  return ordered.find((source) => source.summary?.trim())?.summary?.trim();
}

/** Every source's references, first seen first, without repeats. */
export function referencesOf(finding: Finding): string[] {
  return [...new Set(finding.sources.flatMap((source) => source.references))];
}

/** `fixed in 4.17.21` or `no fix available (postponed)`. */
export function fixText(finding: Finding): string {
  if (finding.fixedVersions.length > 0) return `fixed in ${finding.fixedVersions.join(', ')}`;
  return `no fix available${finding.statusReason ? ` (${finding.statusReason})` : ''}`;
}

/** `VEX not_affected: vulnerable_code_not_in_execute_path (vex/app.openvex.json)`. */
export function suppressionText(suppression: Suppression): string {
  const kind = suppression.kind === 'vex' ? 'VEX' : 'ignore rule';
  return `suppressed by ${kind} ${suppression.status}${suppression.reason ? `: ${suppression.reason}` : ''} (${suppression.origin})`;
}

/** The path of the metadata file that declares the package, when it has one. */
export function metadataPath(pkg: Package): string | undefined {
  return pkg.locations[0]?.path;
}
