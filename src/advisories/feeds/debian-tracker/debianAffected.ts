// One AffectedPackage from the Debian tracker's vocabulary, shared by the tracker and DSA/DLA readers.
import type { AffectedPackage, AffectedStatus, Namespace } from '../../model.ts';

/** The tracker's `<kind>` words (data/CVE/list, DSA/DLA lists) as model statuses. */
const KINDS: Readonly<Record<string, AffectedStatus>> = {
  fixed: 'fixed',
  unfixed: 'affected',
  undetermined: 'affected',
  removed: 'affected',
  'not-affected': 'not-affected',
  'no-dsa': 'no-dsa',
  postponed: 'postponed',
  ignored: 'ignored',
  'end-of-life': 'end-of-life',
};

export function statusOfKind(kind: string): AffectedStatus | undefined {
  return KINDS[kind];
}

export interface DebianVerdict {
  status: AffectedStatus;
  fixedVersion?: string;
  reason?: string;
  urgency?: string;
  /** Affected only below this version, with no fix in the release (a release inheriting unstable's fix). */
  limit?: string;
}

/**
 * `fixed`: affected from the first version up to the fix (Debian records no introducing version);
 * every other status except `not-affected` means every version is affected.
 */
export function debianAffected(namespace: Namespace, packageName: string, verdict: DebianVerdict): AffectedPackage {
  const affected: AffectedPackage = { namespace, packageName, status: verdict.status, ranges: [], fixedVersions: [] };
  if (verdict.status === 'fixed' && verdict.fixedVersion !== undefined) {
    affected.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: verdict.fixedVersion }] });
    affected.fixedVersions.push(verdict.fixedVersion);
  } else if (verdict.limit !== undefined) {
    affected.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: verdict.limit }] });
  } else if (verdict.status !== 'not-affected') {
    affected.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }] });
  }
  if (verdict.reason) affected.statusReason = verdict.reason;
  if (verdict.urgency) affected.urgency = verdict.urgency;
  return affected;
}
