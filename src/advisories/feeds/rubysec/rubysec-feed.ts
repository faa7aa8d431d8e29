// The Ruby Advisory Database (https://github.com/rubysec/ruby-advisory-db): one YAML file per advisory,
// `gems/<gem>/<id>.yml` for gems (namespace `rubygems`) and `rubies/<engine>/<id>.yml` for the
// interpreters (namespace `ruby`, package = engine: ruby, jruby…). Schema: the repository's
// spec/schemas/gem.yml and ruby.yml.
//
// Versions: the safe requirements (`patched_versions` ∪ `unaffected_versions`) are turned into their
// complement, one OSV ECOSYSTEM range (see affected-range.ts; `~>` read as RubyGems does). The
// requirement strings are also kept verbatim in `statusReason`, as
// `patched: <req> | <req>; unaffected: <req>` (a part only when its list is there), and when the range cannot be exact (a safe `<= v`) the
// reason starts with `range approximate (boundary counted affected): ` so a matcher can evaluate those
// strings with Gem::Requirement's rules instead.
import { basename } from 'node:path';
import type { Advisory, AffectedPackage, SeverityEntry, RecordSink } from '../../model.ts';
import type { Feed, FeedFile } from '../feed.ts';
import { parseRecordFile } from '../osv/record-file.ts';
import { affectedRange } from './affected-range.ts';
import { RequirementError, requirementInterval } from './requirement.ts';

const ADVISORY_FILE = /(^|\/)(gems|rubies)\/[^/]+\/[^/]+\.yml$/;

class AdvisoryShapeError extends Error {}

export const rubysecFeed: Feed = {
  name: 'rubysec',
  defaultLocations: ['https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz'],
  wants: (file) => ADVISORY_FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      const place = ADVISORY_FILE.exec(file.name);
      if (!place) continue;
      const parsed = parseRecordFile(file.name, await file.read(), sink);
      if (!parsed) continue;
      try {
        sink.advisory(readAdvisory(file.name, place[2] === 'rubies', parsed.document));
      } catch (error) {
        if (!(error instanceof AdvisoryShapeError) && !(error instanceof RequirementError)) throw error;
        sink.skipped({ where: file.name, reason: error.message });
      }
    }
  },
};

function readAdvisory(name: string, isRuby: boolean, document: unknown): Advisory {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new AdvisoryShapeError('advisory is not a mapping');
  const json = document as Record<string, unknown>;
  const packageName = isRuby ? json.engine : json.gem;
  if (typeof packageName !== 'string' || packageName === '') throw new AdvisoryShapeError(`advisory names no ${isRuby ? 'engine' : 'gem'}`);
  const folder = isRuby ? 'rubies' : 'gems';
  const advisory: Advisory = {
    source: 'rubysec',
    // File names (CVE, GHSA or OSVDB ids) are unique only per gem: the path keeps them apart.
    id: `${folder}/${packageName}/${basename(name, '.yml')}`,
    aliases: aliases(json),
    severity: severity(json),
    references: [...new Set([...strings(json.url, 'url'), ...strings(isObject(json.related) ? json.related.url : undefined, 'related.url')])],
    affected: [affectedPackage(isRuby ? 'ruby' : 'rubygems', packageName, json)],
  };
  if (typeof json.title === 'string') advisory.summary = json.title;
  if (typeof json.description === 'string') advisory.details = json.description;
  // `date` is the disclosure date (YAML 1.2 keeps 2011-12-28 a string).
  if (typeof json.date === 'string') advisory.published = json.date;
  return advisory;
}

function affectedPackage(namespace: string, packageName: string, json: Record<string, unknown>): AffectedPackage {
  const patched = strings(json.patched_versions, 'patched_versions');
  const unaffected = strings(json.unaffected_versions, 'unaffected_versions');
  const { range, exact } = affectedRange([...patched, ...unaffected]);
  const requirements = [
    ...(patched.length > 0 ? [`patched: ${patched.join(' | ')}`] : []),
    ...(unaffected.length > 0 ? [`unaffected: ${unaffected.join(' | ')}`] : []),
  ].join('; ');
  const affected: AffectedPackage = {
    namespace,
    packageName,
    status: patched.length > 0 ? 'fixed' : 'affected',
    ranges: [range],
    // The first version of each patched line (`~> 1.2.5` → 1.2.5; `< v` or `> v` name none).
    fixedVersions: [...new Set(patched.flatMap((requirement) => {
      const lower = requirementInterval(requirement).lower;
      return lower?.inclusive ? [lower.version] : [];
    }))],
  };
  if (requirements !== '') affected.statusReason = exact ? requirements : `range approximate (boundary counted affected): ${requirements}`;
  return affected;
}

/** `cve: 2011-5036`, `ghsa: v6j3-…`, `osvdb: 78121` are written without their prefixes. */
function aliases(json: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [field, prefix] of [['cve', 'CVE-'], ['ghsa', 'GHSA-'], ['osvdb', 'OSVDB-']] as const) {
    const value = json[field];
    if (typeof value === 'string' || typeof value === 'number') found.push(`${prefix}${value}`);
  }
  return found;
}

/** Scores only (no vectors). `cvss_v3` does not say 3.0 or 3.1; it is filed as 3.0, the family's first. */
function severity(json: Record<string, unknown>): SeverityEntry[] {
  const entries: SeverityEntry[] = [];
  for (const [field, cvssVersion] of [['cvss_v2', '2.0'], ['cvss_v3', '3.0'], ['cvss_v4', '4.0']] as const) {
    const score = json[field];
    if (typeof score === 'number') entries.push({ by: 'rubysec', cvssVersion, score });
    else if (score !== undefined && score !== null) throw new AdvisoryShapeError(`${field} is not a number`);
  }
  return entries;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a list of strings; absent is empty. */
function strings(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) throw new AdvisoryShapeError(`${where} holds a non-string`);
  return list as string[];
}
