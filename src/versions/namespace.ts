// Which version scheme a namespace's versions follow: a distribution release (`debian:12`,
// `alpine:3.19`, `rhel:9`) takes its package manager's scheme, a language ecosystem its own.
// Names are matched case-insensitively, so OSV's ecosystem spellings (`PyPI`, `Go`, `Debian:12`) work too.

/** Distributions by the part of the namespace before `:`. */
const DISTRIBUTION_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['debian', 'deb'],
  ['ubuntu', 'deb'],
  ['ubuntu-pro', 'deb'],
  ['mageia', 'rpm'],
  ['openeuler', 'rpm'],
  ['alpine', 'apk'],
  ['wolfi', 'apk'],
  ['chainguard', 'apk'],
  ['rhel', 'rpm'],
  ['redhat', 'rpm'],
  ['centos', 'rpm'],
  ['rocky', 'rpm'],
  ['almalinux', 'rpm'],
  ['fedora', 'rpm'],
  ['amazon', 'rpm'],
  ['amazonlinux', 'rpm'],
  ['amzn', 'rpm'],
  ['oracle', 'rpm'],
  ['oraclelinux', 'rpm'],
  ['ol', 'rpm'],
  ['opensuse', 'rpm'],
  ['suse', 'rpm'],
  ['sles', 'rpm'],
  ['mariner', 'rpm'],
  ['azurelinux', 'rpm'],
  ['photon', 'rpm'],
]);

/** Language ecosystems, whole namespace. */
const ECOSYSTEM_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'],
  ['go', 'go'],
  ['crates.io', 'semver'],
  ['pypi', 'pep440'],
  ['maven', 'maven'],
  ['rubygems', 'gem'],
  // RubySec's advisories for the Ruby interpreters themselves (`ruby` + `ruby`/`jruby`): gem versions.
  ['ruby', 'gem'],
  ['nuget', 'nuget'],
  ['packagist', 'composer'],
]);

/** The scheme name for `namespace`, or undefined for a namespace Spyglass has no scheme for. */
export function schemeNameFor(namespace: string): string | undefined {
  const lower = namespace.toLowerCase();
  const ecosystem = ECOSYSTEM_SCHEMES.get(lower);
  if (ecosystem !== undefined) return ecosystem;
  const colon = lower.indexOf(':');
  return DISTRIBUTION_SCHEMES.get(colon >= 0 ? lower.slice(0, colon) : lower);
}
