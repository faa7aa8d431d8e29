// Every version scheme, and which scheme each namespace's versions follow.
import type { VersionScheme } from './scheme.ts';

export const SCHEMES: readonly VersionScheme[] = [
  // [schemes-os]
  // [schemes-language]
];

export function scheme(name: string): VersionScheme | undefined {
  return SCHEMES.find((candidate) => candidate.name === name);
}
