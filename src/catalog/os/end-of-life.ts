// End of security support per release, looked up in data/end-of-life.json (dates are data, not code:
// the file says where each one comes from).
import type { Distro } from '../../core/package.ts';
import table from './data/end-of-life.json' with { type: 'json' };

interface ReleaseSupport {
  codename?: string;
  /** End of standard security support; null = never (rolling branches). */
  eol: string | null;
  extended?: string;
  planned?: boolean;
}

interface DistroSupport {
  match: 'major' | 'majorMinor' | 'exact';
  source: string;
  releases: Record<string, ReleaseSupport>;
}

const DISTROS = (table as unknown as { distros: Record<string, DistroSupport> }).distros;

/** The release key of `versionId` under a distribution's matching rule (`11.7` → `11`, `3.20.3` → `3.20`). */
function releaseKey(support: DistroSupport, distro: Pick<Distro, 'id' | 'versionId' | 'codename'>): string | undefined {
  const version = distro.versionId;
  if (distro.id === 'alpine' && (!version || /_alpha|_beta|edge/.test(version))) return 'edge';
  if (!version) {
    // Debian testing/unstable carry only a codename: find the release that has it.
    const byCodename = Object.entries(support.releases).find(([, release]) => release.codename === distro.codename);
    return byCodename?.[0];
  }
  if (support.match === 'exact') return version;
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!parts) return version;
  return support.match === 'major' ? parts[1] : parts[2] === undefined ? undefined : `${parts[1]}.${parts[2]}`;
}

function release(distro: Pick<Distro, 'id' | 'versionId' | 'codename'>): { support: DistroSupport; release: ReleaseSupport } | undefined {
  const support = DISTROS[distro.id];
  if (!support) return undefined;
  const key = releaseKey(support, distro);
  const found = key === undefined ? undefined : support.releases[key];
  return found ? { support, release: found } : undefined;
}

/** A distribution's codename from the data file, for release files that do not say it (Debian's `11.7`). */
export function codenameOf(id: string, versionId: string): string | undefined {
  return release({ id, versionId })?.release.codename;
}

/** When `distro`'s security support ends (or ended), judged against `now`; undefined when the release is not in the data. */
export function endOfLife(distro: Pick<Distro, 'id' | 'versionId' | 'codename'>, now: Date): Distro['endOfLife'] {
  const found = release(distro);
  if (!found) return undefined;
  const { support, release: entry } = found;
  if (entry.eol === null) return { ended: false, source: support.source };
  // A support end date is the last supported day: it has ended once that UTC day is over.
  const ended = now.getTime() >= Date.parse(`${entry.eol}T00:00:00Z`) + 24 * 3600 * 1000;
  return { date: entry.eol, ended, source: support.source };
}
