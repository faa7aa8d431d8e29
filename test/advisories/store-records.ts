// Real advisory records for the store tests, parsed here independently of the OSV ingester: GHSA's
// OSV JSON files and CISA's KEV catalog from ../shared/data, read whole and mapped field by field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory, KevEntry } from '../../src/advisories/model.ts';
import { SHARED } from '../helpers/fixtures.ts';

export const GHSA_DIR = join(SHARED, 'data/advisories/osv/ghsa');
export const KEV_FILE = join(SHARED, 'data/scoring/kev/known_exploited_vulnerabilities.json');

interface OsvRecord {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
  severity?: { type: string; score: string }[];
  references?: { url: string }[];
  affected?: {
    package: { ecosystem: string; name: string };
    ranges?: { type: 'ECOSYSTEM' | 'SEMVER' | 'GIT'; events: Record<string, string>[] }[];
    versions?: string[];
  }[];
}

/** Every GHSA file: its path relative to GHSA_DIR and the parsed JSON. */
export function ghsaFiles(): { name: string; record: OsvRecord }[] {
  const files: { name: string; record: OsvRecord }[] = [];
  for (const ecosystem of readdirSync(GHSA_DIR, { withFileTypes: true })) {
    if (!ecosystem.isDirectory()) continue;
    for (const file of readdirSync(join(GHSA_DIR, ecosystem.name)).sort()) {
      if (!file.endsWith('.json')) continue;
      files.push({ name: `${ecosystem.name}/${file}`, record: JSON.parse(readFileSync(join(GHSA_DIR, ecosystem.name, file), 'utf8')) as OsvRecord });
    }
  }
  return files;
}

/** OSV ecosystem names to spyglass namespaces (model.ts: lower case for the language ecosystems). */
export function namespaceOf(ecosystem: string): string {
  return ecosystem.toLowerCase();
}

export function osvAdvisory(source: string, record: OsvRecord): Advisory {
  return {
    source,
    id: record.id,
    aliases: record.aliases ?? [],
    ...(record.summary !== undefined ? { summary: record.summary } : {}),
    ...(record.details !== undefined ? { details: record.details } : {}),
    ...(record.published !== undefined ? { published: record.published } : {}),
    ...(record.modified !== undefined ? { modified: record.modified } : {}),
    ...(record.withdrawn !== undefined ? { withdrawn: record.withdrawn } : {}),
    severity: (record.severity ?? []).map((entry) => ({ by: 'ghsa', vector: entry.score })),
    references: (record.references ?? []).map((reference) => reference.url),
    affected: (record.affected ?? []).map((entry) => {
      const ranges = (entry.ranges ?? []).map((range) => ({ type: range.type, events: range.events as Advisory['affected'][number]['ranges'][number]['events'] }));
      const fixed = ranges.flatMap((range) => range.events.flatMap((event) => ('fixed' in event ? [event.fixed] : [])));
      return {
        namespace: namespaceOf(entry.package.ecosystem),
        packageName: entry.package.name,
        status: fixed.length > 0 ? ('fixed' as const) : ('affected' as const),
        ranges,
        ...(entry.versions ? { versions: entry.versions } : {}),
        fixedVersions: fixed,
      };
    }),
  };
}

export function kevEntries(): KevEntry[] {
  const catalog = JSON.parse(readFileSync(KEV_FILE, 'utf8')) as {
    vulnerabilities: { cveID: string; dateAdded: string; dueDate?: string; knownRansomwareCampaignUse?: string; vendorProject?: string; product?: string; vulnerabilityName?: string }[];
  };
  return catalog.vulnerabilities.map((entry) => ({
    cve: entry.cveID,
    dateAdded: entry.dateAdded,
    ...(entry.dueDate ? { dueDate: entry.dueDate } : {}),
    ...(entry.knownRansomwareCampaignUse ? { knownRansomwareCampaignUse: entry.knownRansomwareCampaignUse } : {}),
    ...(entry.vendorProject ? { vendorProject: entry.vendorProject } : {}),
    ...(entry.product ? { product: entry.product } : {}),
    ...(entry.vulnerabilityName ? { name: entry.vulnerabilityName } : {}),
  }));
}
