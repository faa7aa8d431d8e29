// Where a vulnerability id is described, and what kind of id it is, for the formats that carry links
// (SARIF helpUri, GitLab identifiers, CycloneDX sources, SPDX SECURITY references). Ids with a home of
// their own link there; every other OSV id (GO-, PYSEC-, RUSTSEC-, ALSA-…) links to OSV's page for it.

const HOMES: readonly [prefix: RegExp, url: (id: string) => string][] = [
  [/^CVE-\d{4}-\d+$/, (id) => `https://nvd.nist.gov/vuln/detail/${id}`],
  [/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/, (id) => `https://github.com/advisories/${id}`],
  [/^(DSA|DLA)-\d+(-\d+)?$/, (id) => `https://security-tracker.debian.org/tracker/${id}`],
];

/** A page that describes the vulnerability `id`. */
export function advisoryUrl(id: string): string {
  for (const [pattern, url] of HOMES) if (pattern.test(id)) return url(id);
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** The id's scheme in lower case (`cve`, `ghsa`, `go`, `dsa`, `pysec`…), `advisory` when it has no `PREFIX-`. */
export function idKind(id: string): string {
  const prefix = /^([A-Za-z]+)-/.exec(id);
  return prefix ? prefix[1]!.toLowerCase() : 'advisory';
}

/** Who publishes ids of that kind, for formats that name a source beside the id. */
export function idSource(id: string): string {
  switch (idKind(id)) {
    case 'cve': return 'NVD';
    case 'ghsa': return 'GitHub Advisory Database';
    case 'dsa': case 'dla': return 'Debian Security Tracker';
    default: return 'OSV';
  }
}
