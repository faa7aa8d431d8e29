// OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field, the "ecosystems" list)
// mapped onto Spyglass namespaces, and package names put in the form the namespace looks them up by.
import type { Namespace } from '../../model.ts';

export type PackageKey = { namespace: Namespace; packageName: string } | { unsupported: string };

/** Language ecosystems whose OSV name maps straight onto one namespace. */
const LANGUAGE: Readonly<Record<string, Namespace>> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'go',
  'crates.io': 'crates.io',
  Maven: 'maven',
  RubyGems: 'rubygems',
  NuGet: 'nuget',
  Packagist: 'packagist',
};

/** Distributions whose releases are a version after the colon: `Debian:11`, `AlmaLinux:9`. */
const DISTRIBUTION: Readonly<Record<string, string>> = {
  Debian: 'debian',
  Alpine: 'alpine',
  AlmaLinux: 'almalinux',
  'Rocky Linux': 'rocky',
  Mageia: 'mageia',
  'Photon OS': 'photon',
  openEuler: 'openeuler',
};

/** PEP 503 normalised name: https://peps.python.org/pep-0503/#normalized-names */
export function normalisePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export function packageKey(ecosystem: string, name: string): PackageKey {
  const language = LANGUAGE[ecosystem];
  if (language !== undefined) {
    return { namespace: language, packageName: language === 'pypi' ? normalisePypiName(name) : name };
  }
  const parts = ecosystem.split(':');
  const [family, ...rest] = parts;
  if (family === 'Ubuntu') return ubuntuKey(rest, name, ecosystem);
  // Wolfi and Chainguard are rolling: no release part.
  if ((family === 'Wolfi' || family === 'Chainguard') && rest.length === 0) {
    return { namespace: family.toLowerCase(), packageName: name };
  }
  const distribution = family === undefined ? undefined : DISTRIBUTION[family];
  if (distribution === undefined || rest.length !== 1 || rest[0] === '') {
    return { unsupported: `unsupported ecosystem ${JSON.stringify(ecosystem)}` };
  }
  // Alpine writes its branches `v3.18`; the namespace holds the bare release.
  const release = distribution === 'alpine' ? rest[0]!.replace(/^v/, '') : rest[0]!;
  return { namespace: `${distribution}:${release}`, packageName: name };
}

/**
 * `Ubuntu:22.04:LTS` → `ubuntu:22.04`. Ubuntu Pro (ESM) and FIPS streams carry other package versions
 * than the plain release, so they keep their own namespace: `Ubuntu:Pro:16.04:LTS` → `ubuntu-pro:16.04`.
 */
function ubuntuKey(rest: string[], name: string, ecosystem: string): PackageKey {
  const qualifiers = rest.filter((part) => part !== 'LTS');
  const release = qualifiers.pop();
  if (release === undefined || !/^\d+\.\d+$/.test(release)) {
    return { unsupported: `unsupported ecosystem ${JSON.stringify(ecosystem)}` };
  }
  const stream = ['ubuntu', ...qualifiers.map((part) => part.toLowerCase())].join('-');
  return { namespace: `${stream}:${release}`, packageName: name };
}
