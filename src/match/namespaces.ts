// Where a package is looked up in the database: an OS package in its distribution release's namespace
// (`debian:11`, `alpine:3.18`, `ubuntu:22.04`), a language package in its ecosystem's (`npm`, `go`…),
// under the name that namespace uses. Which os-release ID maps to which namespace is data
// (data/distributions.json), not code.
import type { Distro, Package, PackageType } from '../core/package.ts';
import distributions from './data/distributions.json' with { type: 'json' };

interface DistributionRule {
  namespace: string;
  release?: 'major' | 'major.minor' | 'version';
  codenames?: Record<string, string>;
  rolling?: boolean;
}

const DISTRIBUTIONS = distributions as unknown as Record<string, DistributionRule | string>;

/** The namespace of a distribution release, or undefined when Spyglass has no advisories for it (or cannot tell the release). */
export function distroNamespace(distro: Distro | undefined): string | undefined {
  if (distro === undefined) return undefined;
  const rule = DISTRIBUTIONS[distro.id];
  if (rule === undefined || typeof rule === 'string') return undefined;
  if (rule.rolling) return rule.namespace;
  const version = distro.versionId;
  if (distro.id === 'alpine' && version !== undefined && /_alpha|edge/.test(version)) return 'alpine:edge';
  if (version === undefined || version === '') {
    const release = distro.codename === undefined ? undefined : rule.codenames?.[distro.codename];
    return release === undefined ? undefined : `${rule.namespace}:${release}`;
  }
  const numbers = /^(\d+)(?:\.(\d+))?/.exec(version);
  let release: string | undefined;
  if (rule.release === 'major') release = numbers?.[1];
  else if (rule.release === 'major.minor') release = numbers?.[2] === undefined ? undefined : `${numbers[1]}.${numbers[2]}`;
  else release = version;
  return release === undefined ? undefined : `${rule.namespace}:${release}`;
}

/** Language package types → their ecosystem namespace. */
const ECOSYSTEMS: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'pypi',
  golang: 'go',
  cargo: 'crates.io',
  gem: 'rubygems',
  composer: 'packagist',
  nuget: 'nuget',
  maven: 'maven',
};


/** The namespace and name a language package is looked up by, as the ingesters store them. */
export function ecosystemKey(pkg: Pick<Package, 'type' | 'name'>): { namespace: string; name: string } | undefined {
  const namespace = ECOSYSTEMS[pkg.type];
  if (namespace === undefined) return undefined;
  // PEP 503 normalised, as the OSV ingester stores PyPI names.
  if (namespace === 'pypi') return { namespace, name: pkg.name.replace(/[-_.]+/g, '-').toLowerCase() };
  return { namespace, name: pkg.name };
}
