// Alias merging: the hits on one package that name the same vulnerability (a CVE, its GHSA, a GO- id,
// the Debian tracker's entry) become one finding listing every id. Ids are joined only through
// vulnerability ids; distribution advisories (DSA, DLA, RHSA…) fix many CVEs at once and never join them.
import type { Finding, MatchReason } from '../core/finding.ts';
import type { VersionScheme } from '../versions/scheme.ts';

export interface Hit {
  packageId: string;
  source: string;
  advisoryId: string;
  /** The ids naming this vulnerability (the advisory's own and its aliases), never bundles. */
  vulnIds: string[];
  /** Distribution advisories naming it (DSA-…, DLA-…), shown as aliases. */
  bundleIds: string[];
  status: 'fixed' | 'not-fixed';
  statusReason?: string;
  fixedVersions: string[];
  reason: MatchReason;
  urgency?: string;
  scheme: VersionScheme;
}

/** Which source's record is shown first: the distribution's own, then GitHub's, then the ecosystem's others. */
function preference(hit: Hit): number {
  // A distribution release's own record (Debian's tracker or its CVE list, Alpine's secdb, SUSE, Mariner,
  // an Ubuntu or AlmaLinux OSV record): namespaces of releases are `family:release`.
  if (hit.source === 'debian-dsa') return 5;
  if (hit.reason.namespace.includes(':')) return hit.source === 'osv' ? 1 : 0;
  if (hit.advisoryId.startsWith('GHSA-')) return 2;
  if (hit.source === 'osv') return 3;
  return 4;
}

/** The id shown: a CVE when there is one, then a GHSA, then the first other id. */
function primaryId(ids: string[]): string {
  const sorted = [...ids].sort();
  return sorted.find((id) => id.startsWith('CVE-')) ?? sorted.find((id) => id.startsWith('GHSA-')) ?? sorted[0]!;
}

class UnionFind {
  readonly #parent = new Map<string, string>();
  find(id: string): string {
    let root = id;
    while (this.#parent.has(root) && this.#parent.get(root) !== root) root = this.#parent.get(root)!;
    if (!this.#parent.has(root)) this.#parent.set(root, root);
    let node = id;
    while (node !== root) {
      const next = this.#parent.get(node) ?? root;
      this.#parent.set(node, root);
      node = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

/** One finding per (package, vulnerability), in package order of the hits, then by id. */
export function mergeHits(hits: Hit[]): { findings: Finding[]; hitsOf: Map<Finding, Hit[]> } {
  const byPackage = new Map<string, Hit[]>();
  for (const hit of hits) {
    const list = byPackage.get(hit.packageId) ?? [];
    list.push(hit);
    byPackage.set(hit.packageId, list);
  }
  const findings: Finding[] = [];
  const hitsOf = new Map<Finding, Hit[]>();
  for (const [packageId, packageHits] of byPackage) {
    const sets = new UnionFind();
    for (const hit of packageHits) for (const id of hit.vulnIds) sets.union(hit.vulnIds[0]!, id);
    const groups = new Map<string, Hit[]>();
    for (const hit of packageHits) {
      const root = sets.find(hit.vulnIds[0]!);
      const group = groups.get(root) ?? [];
      group.push(hit);
      groups.set(root, group);
    }
    const packageFindings: Finding[] = [];
    for (const all of groups.values()) {
      // One record can list the same package more than once (Go's stdlib per affected import path): one reason each.
      const group = all.filter((hit, index) => all.findIndex((other) => other.source === hit.source && other.advisoryId === hit.advisoryId && other.reason.affectedRange === hit.reason.affectedRange) === index);
      group.sort((a, b) => preference(a) - preference(b) || a.advisoryId.localeCompare(b.advisoryId));
      const vulnIds = new Set(group.flatMap((hit) => hit.vulnIds));
      const id = primaryId([...vulnIds]);
      const aliases = [...new Set([...vulnIds, ...group.flatMap((hit) => hit.bundleIds)])].filter((alias) => alias !== id).sort();
      const scheme = group[0]!.scheme;
      const fixedVersions = [...new Set(group.flatMap((hit) => hit.fixedVersions))].sort((a, b) => {
        try {
          return scheme.compare(a, b);
        } catch {
          return a.localeCompare(b);
        }
      });
      // The preferred source's word on the fix decides; others only add fix versions it lacks.
      const preferred = group[0]!;
      const fixed = preferred.status === 'fixed' || (preferred.status === 'not-fixed' && preferred.statusReason === undefined && fixedVersions.length > 0);
      const finding: Finding = {
        id,
        aliases,
        packageId,
        status: fixed && fixedVersions.length > 0 ? 'fixed' : 'not-fixed',
        ...(!fixed && preferred.statusReason !== undefined ? { statusReason: preferred.statusReason } : {}),
        fixedVersions: fixed ? fixedVersions : [],
        affectedRange: preferred.reason.affectedRange,
        matches: group.map((hit) => hit.reason),
        sources: [],
      };
      hitsOf.set(finding, group);
      packageFindings.push(finding);
    }
    packageFindings.sort((a, b) => a.id.localeCompare(b.id));
    findings.push(...packageFindings);
  }
  return { findings, hitsOf };
}
