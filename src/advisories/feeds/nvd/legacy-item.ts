// One `CVE_Items[]` entry of NVD's legacy JSON 1.1 data feeds (nvdcve-1.1-*.json.gz, schema
// https://csrc.nist.gov/schema/nvd/feed/1.1/nvd_cve_feed_json_1.1.schema) → an Advisory. The feeds
// carry NVD's own metrics only (`impact.baseMetricV3`, `impact.baseMetricV2`).
import { cvssSeverity } from '../../cvss.ts';
import type { Advisory, SeverityEntry } from '../../model.ts';
import { NotACveRecordError, type SkipMetric } from './cve-record.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as unknown[]).filter(isObject) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function nvdLegacyAdvisory(item: unknown, skip: SkipMetric): Advisory {
  const cve = isObject(item) && isObject(item.cve) ? item.cve : undefined;
  const meta = cve && isObject(cve.CVE_data_meta) ? cve.CVE_data_meta : undefined;
  if (!cve || !meta || typeof meta.ID !== 'string' || !/^CVE-\d{4}-\d+$/.test(meta.ID)) {
    throw new NotACveRecordError('not a CVE_Items entry (no cve.CVE_data_meta.ID)');
  }
  const id = meta.ID;
  const entry = item as Json;
  const impact = isObject(entry.impact) ? entry.impact : {};
  const severity: SeverityEntry[] = [];
  for (const [key, inner, ratingOutside] of [
    ['baseMetricV3', 'cvssV3', false],
    ['baseMetricV2', 'cvssV2', true],
  ] as const) {
    const metric = impact[key];
    if (metric === undefined) continue;
    const data = isObject(metric) ? metric[inner] : undefined;
    if (!isObject(metric) || !isObject(data) || typeof data.vectorString !== 'string') {
      skip(`${id} impact.${key}`, `no ${inner}.vectorString`);
      continue;
    }
    try {
      severity.push(
        cvssSeverity('nvd', data.vectorString, {
          version: text(data.version),
          score: data.baseScore,
          rating: ratingOutside ? metric.severity : data.baseSeverity,
        }),
      );
    } catch (error) {
      skip(`${id} impact.${key}`, (error as Error).message);
    }
  }
  const descriptions = list(isObject(cve.description) ? cve.description.description_data : undefined);
  const english = descriptions.find((description) => description.lang === 'en') ?? descriptions[0];
  const summary = text(english?.value);
  const references = [
    ...new Set(list(isObject(cve.references) ? cve.references.reference_data : undefined).flatMap((reference) => (typeof reference.url === 'string' ? [reference.url] : []))),
  ];
  const advisory: Advisory = {
    source: 'nvd',
    id,
    aliases: [],
    summary,
    published: text(entry.publishedDate),
    modified: text(entry.lastModifiedDate),
    severity,
    references,
    affected: [],
  };
  // The 1.1 feeds mark a rejected id only in its description (`** REJECT ** …`).
  if (summary?.startsWith('** REJECT **')) advisory.withdrawn = advisory.modified ?? advisory.published ?? '';
  return advisory;
}
