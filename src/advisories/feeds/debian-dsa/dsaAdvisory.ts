// A DSA/DLA list entry as an Advisory: one affected package per `[release]` line.
import type { Advisory, RecordSink } from '../../model.ts';
import { debianAffected, statusOfKind } from '../debian-tracker/debianAffected.ts';
import { debianNamespace, validDebianVersion } from '../debian-tracker/releases.ts';
import type { DsaEntry, DsaReleaseLine } from './dsaList.ts';

/** Whether a release line can be kept, and why not. */
export function releaseLineProblem(line: DsaReleaseLine): string | undefined {
  if (!debianNamespace(line.release)) return `unknown Debian release ${JSON.stringify(line.release)}`;
  if (!statusOfKind(line.kind)) return `unknown status <${line.kind}>`;
  if (line.kind === 'fixed' && !validDebianVersion(line.version ?? '')) return `invalid Debian version ${JSON.stringify(line.version)}`;
  return undefined;
}

export function dsaAdvisory(entry: DsaEntry, where: string, sink: RecordSink): Advisory {
  for (const problem of entry.problems) sink.skipped({ where: `${where} ${entry.id}`, reason: problem });
  const advisory: Advisory = {
    source: 'debian-dsa',
    id: entry.id,
    aliases: [...new Set(entry.cves)],
    summary: entry.description || undefined,
    severity: [],
    references: [`https://security-tracker.debian.org/tracker/${entry.id}`],
    affected: [],
  };
  if (entry.date) advisory.published = entry.date;
  for (const line of entry.releases) {
    const problem = releaseLineProblem(line);
    if (problem) {
      sink.skipped({ where: `${where} ${entry.id} [${line.release}] ${line.packageName}`, reason: problem });
      continue;
    }
    const namespace = debianNamespace(line.release) as string;
    const status = statusOfKind(line.kind) as NonNullable<ReturnType<typeof statusOfKind>>;
    advisory.affected.push(debianAffected(namespace, line.packageName, { status, fixedVersion: line.version, reason: line.note }));
  }
  return advisory;
}
