// Findings grouped by the package they are in, packages in report order: by their counts (so the
// worst finding first, then how many), then their highest CVSS score, then name and version.
import type { Finding, VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { countFindings, type SeverityCounts } from './counts.ts';
import { packageIndex, packageOf } from './finding-facts.ts';
import { compareCounts, compareText, cvssScoreOf, sortFindings } from './order.ts';

export interface PackageGroup {
  pkg: Package;
  /** The findings shown, most severe first (suppressed ones only with showSuppressed). */
  findings: Finding[];
  /** Counts of the package's unsuppressed findings. */
  counts: SeverityCounts;
}

export function groupByPackage(report: VulnerabilityReport, showSuppressed: boolean): PackageGroup[] {
  const packages = packageIndex(report);
  const byPackage = new Map<Package, Finding[]>();
  for (const finding of report.findings) {
    if (finding.suppressed && !showSuppressed) continue;
    const pkg = packageOf(packages, finding);
    byPackage.set(pkg, [...byPackage.get(pkg) ?? [], finding]);
  }
  const groups = [...byPackage].map(([pkg, findings]): PackageGroup => ({ pkg, findings: sortFindings(findings), counts: countFindings(findings) }));
  return groups.sort((a, b) => compareCounts(a.counts, b.counts)
    || topScore(b) - topScore(a)
    || compareText(a.pkg.name, b.pkg.name)
    || compareText(a.pkg.version, b.pkg.version)
    || compareText(a.pkg.id, b.pkg.id));
}

function topScore(group: PackageGroup): number {
  return Math.max(-1, ...group.findings.filter((finding) => !finding.suppressed).map((finding) => cvssScoreOf(finding) ?? -1));
}

/** The 1-based position of a layer in the image, or undefined when the report does not list it. */
export function layerNumber(report: VulnerabilityReport, diffId: string): number | undefined {
  const index = report.target.layers.findIndex((layer) => layer.diffId === diffId);
  return index < 0 ? undefined : index + 1;
}
