// One OSV record (https://ossf.github.io/osv-schema/) read into the Advisory model. The record is
// checked field by field: a wrong shape throws OsvRecordError, which the feed reports as skipped.
import { cvssSeverity } from '../../cvss.ts';
import type { AffectedPackage, Advisory, CvssVersion, RangeEvent, SeverityEntry, VersionRange } from '../../model.ts';
import { schemeNameFor } from '../../../versions/namespace.ts';
import { scheme } from '../../../versions/registry.ts';
import { packageKey } from './namespace.ts';

export class OsvRecordError extends Error {}

/** What one record gives: the advisory, and the affected entries left out (unsupported ecosystem). */
export interface OsvReading {
  advisory: Advisory;
  leftOut: { packageName: string; reason: string }[];
}

type Json = Record<string, unknown>;

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;

export function readOsvRecord(record: unknown): OsvReading {
  const json = object(record, 'record');
  const id = json.id;
  if (typeof id !== 'string' || id === '') throw new OsvRecordError('record has no id');
  const by = raterOf(json, id);
  const leftOut: OsvReading['leftOut'] = [];
  const affected: AffectedPackage[] = [];
  for (const [index, entry] of array(json.affected, 'affected').entries()) {
    const reading = readAffected(object(entry, `affected[${index}]`), index);
    if ('reason' in reading) leftOut.push(reading);
    else affected.push(reading);
  }
  const advisory: Advisory = {
    source: 'osv',
    id,
    // `upstream` (schema 1.7) names the records this one was derived from: matched like aliases.
    aliases: [...strings(json.aliases, 'aliases'), ...strings(json.upstream, 'upstream')],
    severity: [...readSeverity(json.severity, by), ...databaseRating(json.database_specific, by)],
    references: array(json.references, 'references').map((reference, index) => {
      const url = object(reference, `references[${index}]`).url;
      if (typeof url !== 'string') throw new OsvRecordError(`references[${index}] has no url`);
      return url;
    }),
    affected,
  };
  for (const field of ['summary', 'details', 'published', 'modified', 'withdrawn'] as const) {
    const value = optionalString(json[field], field);
    if (value !== undefined) advisory[field] = value;
  }
  return { advisory, leftOut };
}

/**
 * Distributions whose OSV notices (ALSA-, RLSA-, RXSA-…) name their CVEs under `related`: Spyglass
 * keeps one record per CVE, aliased to the notice, so that findings are named by CVE (as Trivy and
 * Grype name them, and as the amazon-alas, oracle-oval and redhat-csaf feeds store theirs).
 */
const NOTICES_BY_CVE = new Set(['AlmaLinux', 'Rocky Linux']);

/** The advisories a record gives: itself, or one per related CVE for a distribution notice. */
export function perVulnerability(record: unknown, advisory: Advisory): Advisory[] {
  if (!isObject(record) || /^CVE-/.test(advisory.id) || advisory.aliases.some((alias) => alias.startsWith('CVE-'))) return [advisory];
  const ecosystems = array(record.affected, 'affected').map((entry) => (isObject(entry) && isObject(entry.package) ? String(entry.package.ecosystem) : ''));
  if (ecosystems.length === 0 || !ecosystems.every((ecosystem) => NOTICES_BY_CVE.has(ecosystem.split(':')[0]!))) return [advisory];
  const cves = [...new Set(strings(record.related, 'related').filter((id) => /^CVE-\d{4}-\d+$/.test(id)))];
  if (cves.length === 0) return [advisory];
  return cves.map((cve) => ({ ...advisory, id: cve, aliases: [advisory.id, ...advisory.aliases] }));
}

/** A package built for a special interest group's repository (Rocky's SIG Cloud kernel), not the distribution's own. */
function sigRepository(pkg: Json): string | undefined {
  if (typeof pkg.purl !== 'string') return undefined;
  const distro = /[?&]distro=([^&#]+)/.exec(pkg.purl)?.[1];
  return distro !== undefined && /-sig-/.test(decodeURIComponent(distro)) ? decodeURIComponent(distro) : undefined;
}

function readAffected(entry: Json, index: number): AffectedPackage | { packageName: string; reason: string } {
  const pkg = object(entry.package, `affected[${index}].package`);
  const { ecosystem, name } = pkg;
  if (typeof ecosystem !== 'string' || typeof name !== 'string' || name === '') {
    throw new OsvRecordError(`affected[${index}].package needs an ecosystem and a name`);
  }
  const sig = sigRepository(pkg);
  if (sig !== undefined) return { packageName: name, reason: `built for the ${sig} repository, not the distribution's own` };
  const key = packageKey(ecosystem, name);
  const ranges = array(entry.ranges, `affected[${index}].ranges`).map((range, at) =>
    readRange(range, `affected[${index}].ranges[${at}]`),
  );
  const versions = strings(entry.versions, `affected[${index}].versions`);
  if ('unsupported' in key) return { packageName: name, reason: key.unsupported };
  for (const [at, range] of ranges.entries()) checkVersions(range, key.namespace, `affected[${index}].ranges[${at}]`);
  const fixedVersions = ranges.flatMap((range) =>
    range.events.flatMap((event) => ('fixed' in event ? [event.fixed] : [])),
  );
  const affected: AffectedPackage = {
    namespace: key.namespace,
    packageName: key.packageName,
    status: fixedVersions.length > 0 ? 'fixed' : 'affected',
    ranges,
    fixedVersions: [...new Set(fixedVersions)],
  };
  if (entry.versions !== undefined) affected.versions = versions;
  // Ubuntu's OSV export carries its priority per package; it is Ubuntu's rating, like Debian's urgency.
  const specific = entry.ecosystem_specific;
  if (isObject(specific) && typeof specific.ubuntu_priority === 'string') affected.urgency = specific.ubuntu_priority;
  return affected;
}

function readRange(value: unknown, where: string): VersionRange {
  const range = object(value, where);
  const type = range.type;
  if (!RANGE_TYPES.includes(type as VersionRange['type'])) {
    throw new OsvRecordError(`${where} has unknown type ${JSON.stringify(type)}`);
  }
  const events = array(range.events, `${where}.events`).map((event, at) => readEvent(event, `${where}.events[${at}]`));
  // The schema requires at least one `introduced`: without it no version is ever affected.
  if (!events.some((event) => 'introduced' in event)) throw new OsvRecordError(`${where} has no introduced event`);
  return { type: type as VersionRange['type'], events };
}

/**
 * Every event version must be one the range's scheme can order, or the range cannot be evaluated:
 * SEMVER ranges by SemVer 2.0, ECOSYSTEM ranges by the namespace's scheme (when Spyglass has one).
 */
function checkVersions(range: VersionRange, namespace: string, where: string): void {
  if (range.type === 'GIT') return;
  const versions = scheme(range.type === 'SEMVER' ? 'semver' : (schemeNameFor(namespace) ?? ''));
  if (versions === undefined) return;
  for (const event of range.events) {
    const version = Object.values(event)[0] as string;
    if (version === '0' && 'introduced' in event) continue;
    if (!versions.valid(version)) throw new OsvRecordError(`${where}: invalid ${versions.name} version ${JSON.stringify(version)}`);
  }
}

function readEvent(value: unknown, where: string): RangeEvent {
  const event = object(value, where);
  const keys = Object.keys(event);
  const key = keys[0] as (typeof EVENT_KEYS)[number];
  const version = event[key];
  if (keys.length !== 1 || !EVENT_KEYS.includes(key) || typeof version !== 'string' || version === '') {
    throw new OsvRecordError(`${where} must be one of ${EVENT_KEYS.join('/')} with a version`);
  }
  return { [key]: version } as RangeEvent;
}

/** OSV `severity[]`: the score is a CVSS vector whose prefix names the version (v2 vectors have none). */
function readSeverity(value: unknown, by: string): SeverityEntry[] {
  return array(value, 'severity').map((entry, index) => {
    const { type, score } = object(entry, `severity[${index}]`);
    if (typeof type !== 'string' || typeof score !== 'string') {
      throw new OsvRecordError(`severity[${index}] needs a type and a score`);
    }
    const version = cvssVersion(type, score);
    if (version === undefined) return { by, rating: score };
    // Scored here, once, so that scans need no calculator; a vector that does not score is kept as written.
    try {
      // The computed score only: a rating word is the source's to give (GHSA's comes from database_specific).
      const scored = cvssSeverity(by, score, { version });
      return { by, cvssVersion: scored.cvssVersion, vector: scored.vector, score: scored.score };
    } catch {
      return { by, cvssVersion: version, vector: score };
    }
  });
}

function cvssVersion(type: string, vector: string): CvssVersion | undefined {
  const prefix = /^CVSS:(3\.0|3\.1|4\.0)\//.exec(vector);
  if (prefix) return prefix[1] as CvssVersion;
  if (type === 'CVSS_V2') return '2.0';
  return undefined;
}

/** GHSA's own rating (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`) sits in `database_specific.severity`. */
function databaseRating(value: unknown, by: string): SeverityEntry[] {
  if (!isObject(value) || typeof value.severity !== 'string' || value.severity === '') return [];
  return [{ by, rating: value.severity }];
}

/** Who rated the record: its database, read from the id prefix (GHSA, GO, PYSEC, RUSTSEC…). */
function raterOf(json: Json, id: string): string {
  const prefix = /^([A-Za-z]+)-/.exec(id)?.[1]?.toLowerCase();
  if (prefix !== undefined && prefix !== 'cve') return prefix;
  // Distribution exports (Ubuntu) use the CVE id itself: the rater is the distribution.
  const first = Array.isArray(json.affected) ? (json.affected[0] as unknown) : undefined;
  const ecosystem = isObject(first) && isObject(first.package) ? first.package.ecosystem : undefined;
  return typeof ecosystem === 'string' ? ecosystem.split(':')[0]!.toLowerCase() : 'osv';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, where: string): Json {
  if (!isObject(value)) throw new OsvRecordError(`${where} is not an object`);
  return value;
}

/** An optional list: absent or null reads as empty. */
function array(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OsvRecordError(`${where} is not a list`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  return array(value, where).map((item) => {
    if (typeof item !== 'string') throw new OsvRecordError(`${where} holds a non-string`);
    return item;
  });
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OsvRecordError(`${where} is not a string`);
  return value;
}
