// Every version scheme, and which scheme each namespace's versions follow.
import type { VersionScheme } from './scheme.ts';
import { composer } from './composer/composer.ts';
import { gem } from './gem/gem.ts';
import { maven } from './maven/maven.ts';
import { nuget } from './nuget/nuget.ts';
import { pep440 } from './pep440/pep440.ts';
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
  pep440,
  maven,
  gem,
  nuget,
  composer,
];

export function scheme(name: string): VersionScheme | undefined {
  return SCHEMES.find((candidate) => candidate.name === name);
}
