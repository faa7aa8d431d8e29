// The Sbom a VulnerabilityReport was matched from, as far as the report keeps it, so that the CycloneDX
// and SPDX renderings reuse the SBOM encoders. Containment and ownership come back from each package's
// `parent` and `ownedBy` (which catalog/ sets with the relationships it records); cataloger names and
// unknown files are not part of a report.
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Relationship, Sbom } from '../core/sbom.ts';

export function reportSbom(report: VulnerabilityReport): Sbom {
  const relationships: Relationship[] = [];
  for (const pkg of report.packages) {
    if (pkg.parent) relationships.push({ from: pkg.parent, to: pkg.id, kind: 'contains' });
    if (pkg.ownedBy) relationships.push({ from: pkg.ownedBy, to: pkg.id, kind: 'owns' });
  }
  return {
    schemaVersion: 1,
    tool: report.tool,
    createdAt: report.createdAt,
    source: report.target,
    ...(report.distro ? { distro: report.distro } : {}),
    packages: report.packages,
    relationships,
    unknowns: [],
    catalogers: [],
  };
}
