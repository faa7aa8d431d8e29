// A tracker file as one Advisory: the CVE (`Candidate`), Ubuntu's priority as its rating, the CVSS lines,
// and one AffectedPackage per `<release>_<pkg>` line whose release an image can run. Status words are the
// tracker's (README in the tracker repository, "Package status"): released (fixed in a version), needed /
// active / pending (affected, no fix published), needs-triage (not yet looked at: reported as affected,
// as Trivy does), deferred (work put off: `postponed`), ignored (left unfixed, with the note), not-affected,
// DNE (the package does not exist in that release: no row).
import type { Advisory, AffectedPackage, Namespace, RecordSink, SeverityEntry } from '../../model.ts';
import { cvssSeverity } from '../../cvss.ts';
import { deb } from '../../../versions/deb/deb.ts';
import releases from './releases.json' with { type: 'json' };
import type { PackageLine, TrackerFile } from './trackerFile.ts';

const CODENAMES: Readonly<Record<string, string>> = releases.codenames;
const STREAMS: Readonly<Record<string, string>> = releases.streams;
const NO_ROW: ReadonlySet<string> = new Set(releases.noRow);

/** Ubuntu's priorities that rate; `untriaged` rates nothing. */
const PRIORITIES: ReadonlySet<string> = new Set(['negligible', 'low', 'medium', 'high', 'critical']);

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** `jammy` → `ubuntu:22.04`; `esm-infra/xenial`, `trusty/esm` → `ubuntu-pro:…`; null: no row; undefined: unknown. */
export function releaseNamespace(release: string): Namespace | null | undefined {
  if (NO_ROW.has(release)) return null;
  const parts = release.split('/');
  if (parts.length === 1) {
    const version = CODENAMES[release];
    return version === undefined ? undefined : `ubuntu:${version}`;
  }
  if (parts.length !== 2) return undefined;
  const [first, second] = parts as [string, string];
  // `esm-infra/xenial`, `fips-updates/focal`: stream first; `trusty/esm`: codename first.
  if (STREAMS[first] !== undefined && CODENAMES[second] !== undefined) return `${STREAMS[first]}:${CODENAMES[second]}`;
  if (STREAMS[second] !== undefined && CODENAMES[first] !== undefined) return `${STREAMS[second]}:${CODENAMES[first]}`;
  return undefined;
}

/** `released (2.6-10)` → status `released`, note `2.6-10`. */
function splitStatus(value: string): { status: string; note?: string } | undefined {
  const match = /^(\S+)(?:\s+\((.*)\))?$/.exec(value.trim());
  if (!match) return undefined;
  return match[2] === undefined || match[2].trim() === '' ? { status: match[1]! } : { status: match[1]!, note: match[2].trim() };
}

const withNote = (word: string, note: string | undefined): string => (note === undefined ? word : `${word} (${note})`);

type RowVerdict = Pick<AffectedPackage, 'status' | 'ranges' | 'fixedVersions' | 'statusReason'> | { problem: string } | null;

function verdictOf(status: string, note: string | undefined): RowVerdict {
  switch (status) {
    case 'released':
      if (note === undefined) return { problem: 'released without a version' };
      if (!deb.valid(note)) return { problem: `released version ${JSON.stringify(note)} is not a Debian version` };
      return { status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: note }] }], fixedVersions: [note] };
    case 'needed':
      return { status: 'affected', ranges: [], fixedVersions: [], ...(note !== undefined ? { statusReason: note } : {}) };
    case 'needs-triage':
    case 'pending':
    case 'active':
      return { status: 'affected', ranges: [], fixedVersions: [], statusReason: withNote(status, note) };
    case 'deferred':
      return { status: 'postponed', ranges: [], fixedVersions: [], statusReason: withNote(status, note) };
    case 'ignored':
      return { status: 'ignored', ranges: [], fixedVersions: [], ...(note !== undefined ? { statusReason: note } : {}) };
    case 'not-affected':
      return { status: 'not-affected', ranges: [], fixedVersions: [], ...(note !== undefined ? { statusReason: note } : {}) };
    case 'DNE':
      return null;
    default:
      return { problem: `unknown status ${JSON.stringify(status)}` };
  }
}

const joined = (lines: string[] | undefined): string | undefined => {
  const text = (lines ?? []).join(' ').replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
};

/** `2022-07-27 04:15:00 UTC` → `2022-07-27T04:15:00Z`; a bare date stays a date. */
function publicDate(text: string | undefined): string | undefined {
  const match = text === undefined ? null : /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(?:\s*UTC)?)?$/.exec(text.trim());
  if (!match) return undefined;
  return match[2] === undefined ? match[1] : `${match[1]}T${match[2].length === 5 ? `${match[2]}:00` : match[2]}Z`;
}

function severityOf(file: TrackerFile, priority: string | undefined, where: string, sink: RecordSink): SeverityEntry[] {
  const severity: SeverityEntry[] = [];
  // Ubuntu's own rating first: it is the record's rater (severity/rate.ts raterOf).
  if (priority !== undefined && PRIORITIES.has(priority)) severity.push({ by: 'ubuntu', rating: priority });
  for (const line of file.fields.get('CVSS') ?? []) {
    // ` nvd: CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H [5.5 MEDIUM]`
    const match = /^([^\s:]+):\s+(\S+)(?:\s+\[(\d+(?:\.\d+)?)\s+([A-Za-z]+)\])?$/.exec(line);
    if (!match) {
      sink.skipped({ where: `${where} CVSS`, reason: `unreadable CVSS line ${JSON.stringify(line)}` });
      continue;
    }
    try {
      severity.push(cvssSeverity(match[1]!, match[2]!, { score: match[3] === undefined ? undefined : Number(match[3]), rating: match[4] }));
    } catch (error) {
      sink.skipped({ where: `${where} CVSS`, reason: (error as Error).message });
    }
  }
  return severity;
}

function rowOf(line: PackageLine, file: TrackerFile, priority: string | undefined, where: string, sink: RecordSink): AffectedPackage | undefined {
  const at = `${where} ${line.release}_${line.packageName}`;
  const namespace = releaseNamespace(line.release);
  if (namespace === null) return undefined;
  if (namespace === undefined) {
    sink.skipped({ where: at, reason: `unknown release ${JSON.stringify(line.release)}` });
    return undefined;
  }
  const parsed = splitStatus(line.value);
  if (parsed === undefined) {
    sink.skipped({ where: at, reason: `unreadable status ${JSON.stringify(line.value)}` });
    return undefined;
  }
  const verdict = verdictOf(parsed.status, parsed.note);
  if (verdict === null) return undefined;
  if ('problem' in verdict) {
    sink.skipped({ where: at, reason: verdict.problem });
    return undefined;
  }
  const own = (key: string) => file.packagePriorities.get(key)?.split(/\s+/)[0]?.toLowerCase();
  const urgency = [own(`${line.packageName}_${line.release}`), own(line.packageName), priority].find(
    (word) => word !== undefined && PRIORITIES.has(word),
  );
  return { namespace, packageName: line.packageName, ...verdict, ...(urgency !== undefined ? { urgency } : {}) };
}

/** The file's Advisory, or undefined (counted as skipped) when it names no CVE. */
export function trackerAdvisory(file: TrackerFile, where: string, sink: RecordSink): Advisory | undefined {
  for (const { line, text } of file.unreadable) sink.skipped({ where: `${where} line ${line}`, reason: `unreadable line ${JSON.stringify(text)}` });
  const candidate = joined(file.fields.get('Candidate'));
  if (candidate === undefined || !CVE_ID.test(candidate)) {
    sink.skipped({ where, reason: `malformed header: Candidate ${JSON.stringify(candidate ?? '')} is not a CVE id` });
    return undefined;
  }
  // The first word of the first line; whatever follows it, there or on indented lines, is commentary.
  const priority = file.fields.get('Priority')?.[0]?.split(/\s+/)[0]?.toLowerCase();
  if (priority !== undefined && priority !== 'untriaged' && !PRIORITIES.has(priority)) {
    sink.skipped({ where: `${where} Priority`, reason: `unknown priority ${JSON.stringify(priority)}` });
  }
  const references = [...(file.fields.get('References') ?? []), ...(file.fields.get('Bugs') ?? [])]
    .flatMap((line) => line.split(/\s+/))
    .filter((token) => /^https?:\/\//.test(token));
  const published = publicDate(joined(file.fields.get('PublicDate')));
  const details = joined(file.fields.get('Description')) ?? joined(file.fields.get('Ubuntu-Description'));
  const affected: AffectedPackage[] = [];
  for (const line of file.packageLines) {
    const row = rowOf(line, file, priority, where, sink);
    if (row) affected.push(row);
  }
  return {
    source: 'ubuntu-tracker',
    id: candidate,
    aliases: [],
    ...(details !== undefined ? { details } : {}),
    ...(published !== undefined ? { published } : {}),
    severity: severityOf(file, priority, where, sink),
    references: [...new Set(references)],
    affected,
  };
}
