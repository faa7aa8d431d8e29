// Which distribution an image runs, from os-release(5) first and the older release files after it:
// https://www.freedesktop.org/software/systemd/man/latest/os-release.html
import type { Distro } from '../../core/package.ts';
import { codenameOf, endOfLife } from './end-of-life.ts';
import { fromAlpineRelease, fromDebianVersion, fromLsbRelease, fromRedHatRelease } from './release-files.ts';

/** Parses os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    fields[match[1]!] = value;
  }
  return fields;
}

function fromOsRelease(read: (path: string) => string | undefined): Distro | undefined {
  const text = read('/etc/os-release') ?? read('/usr/lib/os-release');
  if (!text) return undefined;
  const fields = parseOsRelease(text);
  if (!fields.ID) return undefined;
  const distro: Distro = { id: fields.ID };
  if (fields.VERSION_ID) distro.versionId = fields.VERSION_ID;
  // Debian 8 and older have no VERSION_CODENAME, only VERSION="8 (jessie)".
  const codename = fields.VERSION_CODENAME || /\(([a-z]+)\)/.exec(fields.VERSION ?? '')?.[1];
  if (codename) distro.codename = codename;
  if (fields.PRETTY_NAME) distro.prettyName = fields.PRETTY_NAME;
  return distro;
}

/**
 * The distribution of an image, from its release files (read through the squashed tree, links
 * resolved). Pure: `now` decides whether support has ended.
 */
export function detectDistro(read: (path: string) => string | undefined, now: Date = new Date()): Distro | undefined {
  const distro: Distro | undefined = fromOsRelease(read)
    ?? fromAlpineRelease(read)
    ?? fromDebianVersion(read)
    ?? fromRedHatRelease(read)
    ?? fromLsbRelease(read, parseOsRelease);
  if (!distro) return undefined;
  if (!distro.codename && distro.versionId) {
    const codename = codenameOf(distro.id, distro.versionId);
    if (codename) distro.codename = codename;
  }
  // Debian testing's os-release has no VERSION_ID; debian_version still names the coming release.
  if (distro.id === 'debian' && !distro.versionId && !distro.codename) {
    const codename = fromDebianVersion(read)?.codename;
    if (codename) distro.codename = codename;
  }
  const support = endOfLife(distro, now);
  if (support) distro.endOfLife = support;
  return distro;
}
