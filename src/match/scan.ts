// An SBOM and the database → a rated VulnerabilityReport: what `spyglass cves`, `quickview` and the
// server hand to report/. The SBOM is enough: a stored one re-matches without pulling the image again.
import type { AdvisoryStore } from '../advisories/store/store.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Sbom } from '../core/sbom.ts';
import { TOOL_VERSION } from '../catalog/version.ts';
import { rateFindings } from '../severity/rate.ts';
import { matchSbom } from './match.ts';

/** The base image as the image's OCI annotations name it (base-image detection will add more ways). */
export function annotatedBase(sbom: Sbom): VulnerabilityReport['baseImage'] {
  const annotations = sbom.source.annotations ?? {};
  const name = annotations['org.opencontainers.image.base.name'];
  if (name === undefined || name === '') return undefined;
  const digest = annotations['org.opencontainers.image.base.digest'];
  return { name, ...(digest ? { digest } : {}) };
}

export async function scanSbom(sbom: Sbom, store: AdvisoryStore, options: { now?: Date } = {}): Promise<VulnerabilityReport> {
  const now = options.now ?? new Date();
  const [{ findings, warnings }, status] = await Promise.all([matchSbom(sbom, store), store.status()]);
  const packageTypes = new Map(sbom.packages.map((pkg) => [pkg.id, pkg.type]));
  rateFindings(findings, (finding) => packageTypes.get(finding.packageId)!);
  const builtAt = Date.parse(status.builtAt);
  const base = annotatedBase(sbom);
  return {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: TOOL_VERSION },
    createdAt: now.toISOString(),
    target: sbom.source,
    ...(sbom.distro !== undefined ? { distro: sbom.distro } : {}),
    database: {
      builtAt: status.builtAt,
      schemaVersion: status.schemaVersion,
      ageHours: Number.isNaN(builtAt) ? 0 : Math.max(0, Math.round(((now.getTime() - builtAt) / 3_600_000) * 10) / 10),
    },
    ...(base !== undefined ? { baseImage: base } : {}),
    packages: sbom.packages,
    findings,
    warnings,
  };
}
