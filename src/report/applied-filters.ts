// The `cves` filter flags a report went through, in words a reader can repeat (`--only-severity
// critical,high`), for the formats that state them (html). The flags as the user gave them: parsing and
// checking them is report/filter.ts's job.

import type { FilterOptions } from './filter.ts';

/** The filter flags plus the base-image switches, which select layers before the filters run. */
export interface GivenFilterFlags extends FilterOptions {
  ignoreBase?: boolean;
  onlyBase?: boolean;
}

const VALUED: readonly [keyof GivenFilterFlags, string][] = [
  ['onlySeverity', '--only-severity'], ['onlyPackageType', '--only-package-type'], ['onlyPackage', '--only-package'],
  ['onlyCveId', '--only-cve-id'], ['onlyMetric', '--only-metric'], ['epssScore', '--epss-score'], ['epssPercentile', '--epss-percentile'],
];

const SWITCHES: readonly [keyof GivenFilterFlags, string][] = [
  ['onlyFixed', '--only-fixed'], ['onlyUnfixed', '--only-unfixed'], ['onlyVulnPackages', '--only-vuln-packages'],
  ['onlyCisaKev', '--only-cisa-kev'], ['ignoreBase', '--ignore-base'], ['onlyBase', '--only-base'],
];

/** Each given filter flag as `--flag value` (or `--flag` for a switch), in --help's order. */
export function appliedFilters(flags: GivenFilterFlags): string[] {
  const given: string[] = [];
  for (const [key, flag] of VALUED) {
    const value = flags[key];
    if (typeof value === 'string' || typeof value === 'number') given.push(`${flag} ${value}`);
    else if (Array.isArray(value)) given.push(...value.map((item: string) => `${flag} ${item}`));
  }
  for (const [key, flag] of SWITCHES) if (flags[key] === true) given.push(flag);
  return given;
}
