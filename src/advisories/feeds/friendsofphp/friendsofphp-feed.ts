// FriendsOfPHP security advisories (https://github.com/FriendsOfPHP/security-advisories): one YAML file
// per advisory at `<vendor>/<package>/<id>.yaml`, with one entry per maintained branch. Each branch's
// constraints become one OSV range in the ECOSYSTEM (Composer) scheme: `>=` → introduced, `<` → fixed,
// `<=` → last_affected. Any other operator has no OSV event, so the record is skipped with the reason.
import { basename } from 'node:path';
import type { Advisory, RangeEvent, RecordSink, VersionRange } from '../../model.ts';
import type { Feed, FeedFile } from '../feed.ts';
import { parseRecordFile } from '../osv/record-file.ts';

const ADVISORY_FILE = /(^|\/)[^/.][^/]*\/[^/]+\/[^/]+\.yaml$/;

class AdvisoryShapeError extends Error {}

export const friendsOfPhpFeed: Feed = {
  name: 'friendsofphp',
  defaultLocations: ['https://github.com/FriendsOfPHP/security-advisories/archive/refs/heads/master.tar.gz'],
  // Advisories sit two folders deep; the repository's own files (.github/…, validator.php) do not.
  wants: (file) => ADVISORY_FILE.test(file.name) && !file.name.split('/').some((part) => part.startsWith('.')),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!friendsOfPhpFeed.wants(file)) continue;
      const parsed = parseRecordFile(file.name, await file.read(), sink);
      if (!parsed) continue;
      try {
        sink.advisory(readAdvisory(file.name, parsed.document));
      } catch (error) {
        if (!(error instanceof AdvisoryShapeError)) throw error;
        sink.skipped({ where: file.name, reason: error.message });
      }
    }
  },
};

function readAdvisory(name: string, document: unknown): Advisory {
  const json = object(document, 'advisory');
  const reference = /^composer:\/\/([^/\s]+\/[^/\s]+)$/.exec(String(json.reference ?? ''));
  if (!reference) throw new AdvisoryShapeError(`reference ${JSON.stringify(json.reference)} is not composer://vendor/package`);
  const packageName = reference[1]!;
  const branches = object(json.branches, 'branches');
  const ranges = Object.entries(branches).map(([branch, value]) => branchRange(branch, object(value, `branch ${branch}`)));
  if (ranges.length === 0) throw new AdvisoryShapeError('no branches');
  const fixedVersions = ranges.flatMap((range) => range.events.flatMap((event) => ('fixed' in event ? [event.fixed] : [])));
  const cve = typeof json.cve === 'string' && json.cve !== '' ? json.cve : undefined;
  const link = typeof json.link === 'string' ? json.link : undefined;
  const ghsa = link ? /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/.exec(link)?.[0] : undefined;
  const advisory: Advisory = {
    source: 'friendsofphp',
    // File names are CVE ids or dates, unique only within a package: the path keeps them apart.
    id: `${packageName}/${basename(name, '.yaml')}`,
    aliases: [...(cve ? [cve] : []), ...(ghsa && ghsa !== cve ? [ghsa] : [])],
    severity: [],
    references: link ? [link] : [],
    affected: [{
      namespace: 'packagist',
      packageName,
      status: fixedVersions.length > 0 ? 'fixed' : 'affected',
      ranges,
      fixedVersions: [...new Set(fixedVersions)],
    }],
  };
  if (typeof json.title === 'string') advisory.summary = json.title;
  return advisory;
}

function branchRange(branch: string, value: Record<string, unknown>): VersionRange {
  const constraints = value.versions;
  if (!Array.isArray(constraints) || constraints.length === 0) throw new AdvisoryShapeError(`branch ${branch} has no versions`);
  const events: RangeEvent[] = [];
  for (const constraint of constraints) {
    const match = /^\s*(>=|<=|<|>|=|!=|\^|~)?\s*(\S+)\s*$/.exec(String(constraint));
    const [, operator, version] = match ?? [];
    if (version === undefined) throw new AdvisoryShapeError(`branch ${branch}: cannot read ${JSON.stringify(constraint)}`);
    if (operator === '>=') events.push({ introduced: version });
    else if (operator === '<') events.push({ fixed: version });
    else if (operator === '<=') events.push({ last_affected: version });
    else throw new AdvisoryShapeError(`branch ${branch}: ${JSON.stringify(constraint)} has no OSV event (only >=, < and <=)`);
  }
  // A branch with only an upper bound is affected from its first version.
  if (!events.some((event) => 'introduced' in event)) events.unshift({ introduced: '0' });
  return { type: 'ECOSYSTEM', events };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AdvisoryShapeError(`${where} is not a mapping`);
  return value as Record<string, unknown>;
}
