// Debian release codenames and the namespaces they map to. Numbers are Debian's release versions
// (https://www.debian.org/releases/); sid is the rolling unstable distribution.
import type { Namespace } from '../../model.ts';

const RELEASES: Readonly<Record<string, string>> = {
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  sid: 'unstable',
  unstable: 'unstable',
};

/** `bullseye` → `debian:11`; undefined for a codename Debian does not have (or `experimental`). */
export function debianNamespace(codename: string): Namespace | undefined {
  const version = RELEASES[codename];
  return version === undefined ? undefined : `debian:${version}`;
}

/**
 * Debian policy's version syntax (https://www.debian.org/doc/debian-policy/ch-controlfields.html#version):
 * optional numeric epoch, upstream version of alphanumerics and `.+~-`, optional revision after the
 * last hyphen. dpkg only warns when upstream does not start with a digit, so neither do we.
 */
export function validDebianVersion(version: string): boolean {
  return /^(?:\d+:)?[A-Za-z0-9][A-Za-z0-9.+~-]*$/.test(version) && !version.endsWith('-');
}
