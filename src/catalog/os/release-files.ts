// Release files older than (or beside) os-release(5), each read the way its distribution writes it.
import type { Distro } from '../../core/package.ts';
import { codenameOf } from './end-of-life.ts';

type Read = (path: string) => string | undefined;
type Found = Pick<Distro, 'id' | 'versionId' | 'codename' | 'prettyName'>;

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

/** `/etc/alpine-release`: the version alone (`3.20.3`; edge writes e.g. `3.21_alpha20240807`). */
export function fromAlpineRelease(read: Read): Found | undefined {
  const text = read('/etc/alpine-release');
  const version = text === undefined ? '' : firstLine(text);
  if (!/^\d+\.\d+/.test(version)) return undefined;
  return { id: 'alpine', versionId: version };
}

/**
 * `/etc/debian_version`: a point release (`11.7`, `7.11`) or, on testing and unstable, `CODENAME/sid`.
 * The codename of a numbered release comes from the data file; the version is the major release, as
 * os-release's VERSION_ID writes it.
 */
export function fromDebianVersion(read: Read): Found | undefined {
  const text = read('/etc/debian_version');
  const value = text === undefined ? '' : firstLine(text);
  const numbered = /^(\d+)(?:\.\d+)*$/.exec(value);
  if (numbered) {
    const found: Found = { id: 'debian', versionId: numbered[1]! };
    const codename = codenameOf('debian', numbered[1]!);
    if (codename) found.codename = codename;
    return found;
  }
  const testing = /^([a-z]+)\/sid$/.exec(value);
  if (testing) return { id: 'debian', codename: testing[1]! };
  return undefined;
}

/** `/etc/lsb-release` as Ubuntu writes it: DISTRIB_ID, DISTRIB_RELEASE, DISTRIB_CODENAME. */
export function fromLsbRelease(read: Read, parse: (text: string) => Record<string, string>): Found | undefined {
  const text = read('/etc/lsb-release');
  if (!text) return undefined;
  const fields = parse(text);
  if (!fields.DISTRIB_ID) return undefined;
  const found: Found = { id: fields.DISTRIB_ID.toLowerCase() };
  if (fields.DISTRIB_RELEASE) found.versionId = fields.DISTRIB_RELEASE;
  if (fields.DISTRIB_CODENAME) found.codename = fields.DISTRIB_CODENAME;
  if (fields.DISTRIB_DESCRIPTION) found.prettyName = fields.DISTRIB_DESCRIPTION;
  return found;
}

/**
 * The Red Hat family's one-line `NAME release VERSION (CODE)` files. Ids are the os-release IDs of
 * the same distributions, so an image gets the same id whichever file it has.
 */
const RED_HAT_FAMILY: { pattern: RegExp; id: string }[] = [
  { pattern: /^CentOS( Linux| Stream)?\b/i, id: 'centos' },
  { pattern: /^Rocky Linux\b/i, id: 'rocky' },
  { pattern: /^AlmaLinux\b/i, id: 'almalinux' },
  { pattern: /^Oracle Linux\b/i, id: 'ol' },
  { pattern: /^Fedora\b/i, id: 'fedora' },
  { pattern: /^Amazon Linux\b/i, id: 'amzn' },
  { pattern: /^Red Hat Enterprise Linux\b/i, id: 'rhel' },
];

/** The files are tried most specific first: on CentOS, redhat-release is a link to centos-release. */
const RED_HAT_FILES = [
  '/etc/centos-release', '/etc/rocky-release', '/etc/almalinux-release', '/etc/oracle-release', '/etc/fedora-release',
  '/etc/redhat-release', '/etc/system-release', '/usr/lib/system-release',
];

export function fromRedHatRelease(read: Read): Found | undefined {
  for (const path of RED_HAT_FILES) {
    const text = read(path);
    if (!text) continue;
    const line = firstLine(text);
    const family = RED_HAT_FAMILY.find(({ pattern }) => pattern.test(line));
    const version = /\brelease\s+(\d[\w.]*)/i.exec(line);
    if (!family || !version) continue;
    return { id: family.id, versionId: version[1]!, prettyName: line };
  }
  return undefined;
}
