// The affected rows of one ALAS advisory: one per package name (binary, or source where the page lists
// the source RPM), fixed at the NEVRA the advisory ships. Architectures share a fix; where a name is
// listed at two versions (never seen in the samples), the highest one is kept.
import type { Advisory, AffectedPackage, Namespace } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';

export interface FixedPackage {
  name: string;
  /** `[epoch:]version-release`; epoch 0 is left out, as installed versions are shown without it. */
  evr: string;
}

/** `0:1.2-3` → `1.2-3`. */
export function displayEvr(epoch: string | undefined, version: string, release: string): string {
  return epoch === undefined || epoch === '' || epoch === '0' ? `${version}-${release}` : `${epoch}:${version}-${release}`;
}

export function fixedRows(namespace: Namespace, packages: readonly FixedPackage[]): AffectedPackage[] {
  const highest = new Map<string, string>();
  for (const { name, evr } of packages) {
    const known = highest.get(name);
    if (known === undefined || rpm.compare(evr, known) > 0) highest.set(name, evr);
  }
  return [...highest].map(([packageName, fixed]) => ({
    namespace,
    packageName,
    status: 'fixed',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
    fixedVersions: [fixed],
  }));
}

/**
 * One advisory per CVE of an ALAS, aliased to the ALAS id (as Trivy keys Amazon's data, and as the matcher
 * reports a finding per vulnerability with its errata as aliases); an ALAS without CVEs stays one advisory
 * under its own id. The store joins the records of one CVE from several ALAS (AL2's and AL2023's).
 */
export function perCve(alas: Advisory): Advisory[] {
  if (alas.aliases.length === 0) return [alas];
  return alas.aliases.map((cve) => ({ ...alas, id: cve, aliases: [alas.id], affected: alas.affected.map((row) => ({ ...row })) }));
}
