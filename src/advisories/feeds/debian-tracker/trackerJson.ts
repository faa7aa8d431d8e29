// The security tracker's `data/json` (https://security-tracker.debian.org/tracker/data/json):
// { source package: { CVE or TEMP id: { description, scope, debianbug, releases: { codename:
// { status, fixed_version, urgency, nodsa, nodsa_reason, repositories } } } } }.
// Its meaning follows the tracker's own export (security-tracker lib/python/security_db.py).
import type { RecordSink } from '../../model.ts';
import { debianAffected, type DebianVerdict } from './debianAffected.ts';
import type { DebianCollector } from './debianCollector.ts';
import { debianNamespace, validDebianVersion } from './releases.ts';

interface TrackerRelease {
  status?: string;
  fixed_version?: string;
  urgency?: string;
  nodsa?: string;
  nodsa_reason?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `high**`: the tracker marks urgencies taken from NVD with asterisks; the rating is the word. */
function urgencyOf(release: TrackerRelease): string | undefined {
  const urgency = release.urgency?.replace(/\*+$/, '');
  return urgency && urgency !== 'not yet assigned' ? urgency : undefined;
}

/** One release's verdict, or the reason it cannot be read. */
export function trackerVerdict(release: TrackerRelease): DebianVerdict | string {
  const urgency = urgencyOf(release);
  if (release.status === 'resolved') {
    const fixed = release.fixed_version;
    if (fixed === undefined || fixed === '') return 'resolved without fixed_version';
    // The tracker writes fixed_version "0" for a release whose version was never vulnerable.
    if (fixed === '0') return { status: 'not-affected', urgency };
    if (!validDebianVersion(fixed)) return `invalid Debian version ${JSON.stringify(fixed)}`;
    return { status: 'fixed', fixedVersion: fixed, urgency };
  }
  if (release.status === 'open') {
    if (release.urgency === 'end-of-life') return { status: 'end-of-life', reason: release.nodsa || undefined };
    // nodsa holds the free-text reason; nodsa_reason is '' (no DSA planned), 'postponed' or 'ignored'.
    if (release.nodsa_reason === 'ignored') return { status: 'ignored', reason: release.nodsa || undefined, urgency };
    if (release.nodsa_reason === 'postponed') return { status: 'postponed', reason: release.nodsa || undefined, urgency };
    if (release.nodsa !== undefined) return { status: 'no-dsa', reason: release.nodsa || undefined, urgency };
    return { status: 'affected', urgency };
  }
  if (release.status === 'undetermined') return { status: 'affected', reason: 'undetermined', urgency };
  return `unknown status ${JSON.stringify(release.status)}`;
}

export function readTrackerJson(data: unknown, where: string, collector: DebianCollector, sink: RecordSink): void {
  // An OSV record (Debian's DSA-*.json in OSV form has the same file names) is not tracker data.
  if (!isObject(data) || typeof data.id === 'string' || typeof data.schema_version === 'string') {
    sink.skipped({ where, reason: 'not a tracker JSON object (source package → issues)' });
    return;
  }
  for (const [packageName, issues] of Object.entries(data)) {
    if (!isObject(issues)) {
      sink.skipped({ where: `${where} ${packageName}`, reason: 'package entry is not an object' });
      continue;
    }
    for (const [id, issue] of Object.entries(issues)) {
      const at = `${where} ${packageName} ${id}`;
      if (!isObject(issue) || !isObject(issue.releases)) {
        sink.skipped({ where: at, reason: 'issue has no releases object' });
        continue;
      }
      const advisory = collector.advisory(id);
      if (typeof issue.description === 'string' && !advisory.summary) advisory.summary = issue.description;
      if (typeof issue.debianbug === 'number') advisory.references.push(`https://bugs.debian.org/${issue.debianbug}`);
      for (const [codename, release] of Object.entries(issue.releases)) {
        const namespace = debianNamespace(codename);
        const verdict = isObject(release) ? trackerVerdict(release as TrackerRelease) : 'release entry is not an object';
        if (!namespace) {
          sink.skipped({ where: `${at} ${codename}`, reason: `unknown Debian release ${JSON.stringify(codename)}` });
          continue;
        }
        if (typeof verdict === 'string') {
          sink.skipped({ where: `${at} ${codename}`, reason: verdict });
          continue;
        }
        advisory.affected.push(debianAffected(namespace, packageName, verdict));
      }
    }
  }
}
