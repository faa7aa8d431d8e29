// CISA's Known Exploited Vulnerabilities catalog (https://www.cisa.gov/known-exploited-vulnerabilities-catalog),
// one JSON file: `{catalogVersion, dateReleased, count, vulnerabilities: [{cveID, vendorProject, product,
// vulnerabilityName, dateAdded, dueDate, knownRansomwareCampaignUse, …}]}` (schema:
// known_exploited_vulnerabilities_schema.json beside it).
import type { Feed, FeedFile } from '../feed.ts';
import type { KevEntry, RecordSink } from '../../model.ts';

const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/; // the schema's pattern
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export const kevFeed: Feed = {
  name: 'kev',
  defaultLocations: ['https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json'],
  wants: (file) => /(^|\/)known_exploited_vulnerabilities\.json$/.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      let catalog: unknown;
      try {
        catalog = JSON.parse((await file.read()).toString('utf8'));
      } catch (error) {
        sink.skipped({ where: file.name, reason: `unreadable JSON: ${(error as Error).message}` });
        continue;
      }
      if (!isObject(catalog) || !Array.isArray(catalog.vulnerabilities)) {
        sink.skipped({ where: file.name, reason: 'not a KEV catalog (no vulnerabilities list)' });
        continue;
      }
      (catalog.vulnerabilities as unknown[]).forEach((item, index) => {
        const where = `${file.name} vulnerabilities[${index}]`;
        const entry = kevEntry(item);
        if (typeof entry === 'string') sink.skipped({ where, reason: entry });
        else sink.kev(entry);
      });
    }
  },
};

/** The entry, or why it cannot be one (the schema's required cveID and dateAdded). */
function kevEntry(item: unknown): KevEntry | string {
  if (!isObject(item)) return 'not an object';
  if (typeof item.cveID !== 'string' || !CVE_ID.test(item.cveID)) return `bad cveID ${JSON.stringify(item.cveID)}`;
  if (typeof item.dateAdded !== 'string' || !DATE.test(item.dateAdded)) return `${item.cveID}: bad dateAdded ${JSON.stringify(item.dateAdded)}`;
  const entry: KevEntry = { cve: item.cveID, dateAdded: item.dateAdded };
  const optional = {
    dueDate: text(item.dueDate),
    knownRansomwareCampaignUse: text(item.knownRansomwareCampaignUse),
    vendorProject: text(item.vendorProject),
    product: text(item.product),
    name: text(item.vulnerabilityName),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(entry, { [key]: value });
  return entry;
}
