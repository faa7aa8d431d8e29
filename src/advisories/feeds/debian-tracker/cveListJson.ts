// Entries of the tracker's source file `data/CVE/list` as parsed by aquasecurity/vuln-list-debian
// (`{Header: {ID, Description}, Annotations: [{Type, Release, Package, Kind, Version, Severity, BugNo,
// Description, Bugs}]}`), and its DSA/DLA files of the same layout. The release-status rules are the
// tracker's (see ../shared/data/advisories/debian/cve-list/SOURCE.md): an explicit `[release]` line
// wins, then a DSA/DLA fix for that release, else the release inherits the unstable line.
import type { RecordSink } from '../../model.ts';
import { debianAffected, statusOfKind, type DebianVerdict } from './debianAffected.ts';
import type { DebianCollector } from './debianCollector.ts';
import { deb } from '../../../versions/deb/deb.ts';
import { debianNamespace, validDebianVersion } from './releases.ts';

interface Annotation {
  Type?: string;
  Release?: string;
  Package?: string;
  Kind?: string;
  Version?: string;
  Severity?: string;
  BugNo?: number;
  Description?: string;
  Bugs?: string[];
}

export interface CveListEntry {
  id: string;
  description?: string;
  annotations: Annotation[];
  where: string;
}

/** Releases that inherit the unstable state when the entry has no line for them: those with security support in 2026. */
const INHERITING = ['buster', 'bullseye', 'bookworm', 'trixie'];

/** Whether a parsed JSON file is in the vuln-list layout, and which kind of entry it holds. */
export function vulnListKind(data: unknown): 'cve' | 'advisory' | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { Header: header, Annotations: annotations } = data as { Header?: { ID?: unknown }; Annotations?: unknown };
  if (typeof header?.ID !== 'string' || !Array.isArray(annotations)) return undefined;
  return /^D[SL]A-/.test(header.ID) ? 'advisory' : 'cve';
}

/** Records a DSA/DLA entry's release fixes under each CVE it names. */
export function readVulnListAdvisory(data: { Header: { ID: string }; Annotations: Annotation[] }, collector: DebianCollector): void {
  const cves = data.Annotations.filter((a) => a.Type === 'xref').flatMap((a) => a.Bugs ?? []);
  for (const line of data.Annotations) {
    if (line.Type !== 'package' || line.Kind !== 'fixed' || !line.Release || !line.Package || !line.Version) continue;
    for (const cve of cves) collector.addFix(cve, { advisory: data.Header.ID, release: line.Release, packageName: line.Package, version: line.Version });
  }
}

function verdictOf(line: Annotation, urgency: string | undefined): DebianVerdict | string {
  const kind = line.Kind ?? '';
  const status = statusOfKind(kind);
  if (!status) return `unknown kind ${JSON.stringify(kind)}`;
  if (status === 'fixed') {
    if (!validDebianVersion(line.Version ?? '')) return `invalid Debian version ${JSON.stringify(line.Version)}`;
    return { status, fixedVersion: line.Version, urgency };
  }
  const reason = kind === 'removed' || kind === 'undetermined' ? kind : line.Description;
  return { status, reason, urgency };
}

/** Release lines that leave an issue unfixed: a DSA/DLA fix for the release overrides them. */
const UNFIXED_KINDS = new Set(['unfixed', 'undetermined', 'no-dsa', 'postponed', 'ignored', 'end-of-life']);

function lowestFix<T extends { version: string }>(fixes: T[]): T | undefined {
  const valid = fixes.filter((fix) => deb.valid(fix.version));
  return valid.sort((a, b) => deb.compare(a.version, b.version))[0];
}

/** Unstable's verdict as a release without a line of its own sees it: its fix is no fix here, only a bound. */
function inherited(verdict: DebianVerdict | string): DebianVerdict | string {
  if (typeof verdict === 'string' || verdict.status !== 'fixed' || verdict.fixedVersion === undefined) return verdict;
  return { status: 'affected', limit: verdict.fixedVersion, reason: `fixed in unstable (${verdict.fixedVersion}), not in this release`, ...(verdict.urgency ? { urgency: verdict.urgency } : {}) };
}

/** Emits one entry's affected packages into its advisory; call after every DSA/DLA file was read. */
export function resolveCveListEntry(entry: CveListEntry, collector: DebianCollector, sink: RecordSink): void {
  const advisory = collector.advisory(entry.id);
  if (entry.description && !advisory.summary) advisory.summary = entry.description.replace(/^\((.*)\)$/, '$1');
  type PackageState = { unstable?: Annotation; releases: Map<string, Annotation> };
  const packages = new Map<string, PackageState>();
  for (const line of entry.annotations) {
    if (line.Type === 'xref') advisory.aliases.push(...(line.Bugs ?? []));
    if (line.Type !== 'package' || !line.Package) continue;
    const state: PackageState = packages.get(line.Package) ?? { releases: new Map() };
    packages.set(line.Package, state);
    if (line.Release) state.releases.set(line.Release, line);
    else state.unstable = line;
    if (line.BugNo) advisory.references.push(`https://bugs.debian.org/${line.BugNo}`);
  }
  const fixes = collector.fixes.get(entry.id) ?? [];
  for (const [packageName, state] of packages) {
    if (state.unstable?.Kind === 'itp') continue; // a package not yet in Debian: nothing installed can match
    const urgency = state.unstable?.Severity;
    const releases = new Set([...state.releases.keys(), ...(state.unstable ? ['sid', ...INHERITING] : [])]);
    for (const release of releases) {
      if (release === 'experimental') continue; // not a release anyone installs from
      const namespace = debianNamespace(release);
      const where = `${entry.where} ${packageName} [${release}]`;
      if (!namespace) {
        sink.skipped({ where, reason: `unknown Debian release ${JSON.stringify(release)}` });
        continue;
      }
      const explicit = release === 'sid' ? state.unstable : state.releases.get(release);
      const fix = lowestFix(fixes.filter((candidate) => candidate.release === release && candidate.packageName === packageName));
      let verdict: DebianVerdict | string;
      if (explicit && !(fix && UNFIXED_KINDS.has(explicit.Kind ?? ''))) verdict = verdictOf(explicit, explicit.Severity ?? urgency);
      else if (fix) verdict = verdictOf({ Kind: 'fixed', Version: fix.version }, urgency);
      else verdict = inherited(verdictOf(state.unstable as Annotation, urgency));
      if (typeof verdict === 'string') {
        sink.skipped({ where, reason: verdict });
        continue;
      }
      advisory.affected.push(debianAffected(namespace, packageName, verdict));
    }
  }
}
