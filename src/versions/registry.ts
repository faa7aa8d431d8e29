// Every version scheme, and which scheme each namespace's versions follow.
import type { VersionScheme } from './scheme.ts';
import { apk } from './apk/apk.ts';
import { deb } from './deb/deb.ts';
import { go } from './go/go.ts';
import { rpm } from './rpm/rpm.ts';
import { npm, semver } from './semver/semver.ts';

export const SCHEMES: readonly VersionScheme[] = [
  deb,
  apk,
  rpm,
  go,
  semver,
  npm,
  // [schemes-language]
];

export function scheme(name: string): VersionScheme | undefined {
  return SCHEMES.find((candidate) => candidate.name === name);
}
