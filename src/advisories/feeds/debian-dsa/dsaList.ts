// Reader for the security tracker's advisory lists, `data/DSA/list` and `data/DLA/list`
// (https://salsa.debian.org/security-tracker-team/security-tracker/-/tree/master/data): a header
// `[DD Mon YYYY] DSA-1234-1 package - summary`, then indented `{CVE-…}` cross references,
// `[release] - package version|<kind> (note)` lines and `NOTE:` lines.

export interface DsaReleaseLine {
  release: string;
  packageName: string;
  /** `fixed` with a version, or the `<kind>` as written (`not-affected`, `end-of-life`, `unfixed`…). */
  kind: string;
  version?: string;
  /** The parenthesised note after the version or kind. */
  note?: string;
}

export interface DsaEntry {
  id: string;
  /** ISO date of the bracketed header date. */
  date?: string;
  /** The rest of the header as written: usually `package - summary`, older entries vary. */
  description: string;
  cves: string[];
  releases: DsaReleaseLine[];
  /** 1-based line of the header, for skipped-record reports. */
  line: number;
  /** Lines of this entry that could not be read. */
  problems: string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// Only the date and the id have a fixed shape: old entries list several packages, omit the ` - `, etc.
const HEADER = /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA)-\d+(?:-\d+)?)(?:\s+(.*))?$/;
const RELEASE_LINE = /^\[([a-z-]+)\] - (\S+)\s+(<[a-z-]+>|\S+)(?:\s+\((.*)\))?\s*$/;

function isoDate(day: string, month: string, year: string): string | undefined {
  const index = MONTHS.indexOf(month);
  if (index < 0) return undefined;
  return `${year}-${String(index + 1).padStart(2, '0')}-${day.padStart(2, '0')}T00:00:00Z`;
}

/** Reads a whole list; a header line that cannot be read is returned in `badHeaders`. */
export function parseDsaList(text: string): { entries: DsaEntry[]; badHeaders: { line: number; text: string }[] } {
  const entries: DsaEntry[] = [];
  const badHeaders: { line: number; text: string }[] = [];
  let current: DsaEntry | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    if (!/^\s/.test(raw)) {
      const match = HEADER.exec(raw.trimEnd());
      if (!match) {
        badHeaders.push({ line: i + 1, text: raw });
        current = undefined; // its annotation lines belong to no advisory we can name
        continue;
      }
      const [, day, month, year, id, description] = match;
      current = { id, date: isoDate(day, month, year), description: (description ?? '').trim(), cves: [], releases: [], line: i + 1, problems: [] };
      entries.push(current);
      continue;
    }
    if (!current) continue;
    const body = raw.trim();
    if (body.startsWith('{')) {
      if (!body.endsWith('}')) current.problems.push(`line ${i + 1}: unclosed cross reference`);
      current.cves.push(...body.replace(/^\{|\}$/g, '').split(/\s+/).filter(Boolean));
    } else if (body.startsWith('[')) {
      const match = RELEASE_LINE.exec(body);
      if (!match) {
        current.problems.push(`line ${i + 1}: unreadable release line ${JSON.stringify(body)}`);
        continue;
      }
      const [, release, packageName, what, note] = match;
      const kind = what.startsWith('<') ? what.slice(1, -1) : 'fixed';
      current.releases.push({ release, packageName, kind, version: kind === 'fixed' ? what : undefined, note });
    }
    // NOTE: lines are free text for humans; nothing in them is needed for matching.
  }
  return { entries, badHeaders };
}
