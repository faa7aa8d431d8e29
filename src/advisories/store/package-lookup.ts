// The lookup encoding of the `package_lookup` table: every affected row of one (namespace, package),
// in lookup order, as a string list and a byte layout written at ingest, so that `affected()` is one
// index probe and one pass over them. Plain JSON of the same rows is what it replaces: for `go` +
// `stdlib` (344 rows, 70 kB of JSON) JSON.parse alone took ~0.5 ms, most of it making strings and
// objects for thousands of short, mostly repeated version strings; read this way it takes ~60 µs. Here:
//
// - `strings` (TEXT): a JSON array of the key's distinct strings (ids, aliases, versions, statuses…),
//   each once; the rows refer to them by index, so a version that 300 rows name is one string.
// - `layout` (BLOB): the rows as a sequence of unsigned numbers, each as LEB128 (7 bits a byte, low
//   bits first, the high bit set on every byte but the last). Reading it allocates nothing.
//
// Per row: source, advisory id, flags, status, [status reason], then either (RAW) one string holding
// `[aliases, ranges, versions, fixedVersions]` as JSON, for a row that does not fit the shape below
// (a range with another key, an event with two; none in today's feeds), or: alias count and aliases;
// range count and per range its type, event count and per event its kind (EVENT_KINDS) and version;
// [versions count and versions]; fixed count and fixed versions; then [urgency], [module]. Optional parts are
// there when their flag is set; strings are indexes into `strings`.
import type { AffectedPackage, RangeEvent, VersionRange } from '../model.ts';
import type { AffectedRow } from './store.ts';

const HAS_STATUS_REASON = 1;
const HAS_VERSIONS = 2;
const HAS_URGENCY = 4;
const RAW = 8;
const HAS_MODULE = 16;

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
type EventKind = (typeof EVENT_KINDS)[number];

/** One row of the lookup as the store reads it from its tables (the JSON columns as stored). */
export interface StoredAffectedRow {
  source: string;
  advisoryId: string;
  /** JSON columns: aliases (string[]), ranges (VersionRange[]), versions (string[] or null), fixed versions (string[]). */
  aliases: string;
  status: string;
  statusReason: string | null;
  ranges: string;
  versions: string | null;
  fixedVersions: string;
  urgency: string | null;
  module: string | null;
}

export interface EncodedLookup {
  strings: string;
  layout: Uint8Array;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The event kind of `{ <kind>: version }` when that is all the event holds. */
function eventKind(event: unknown): EventKind | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const keys = Object.keys(event);
  if (keys.length !== 1) return undefined;
  const kind = EVENT_KINDS.find((candidate) => candidate === keys[0]);
  return kind !== undefined && typeof (event as Record<string, unknown>)[kind] === 'string' ? kind : undefined;
}

/** Ranges that decode to exactly what JSON.parse gives: `{ type, events }` in that key order, one-key events. */
function isPlainRanges(ranges: unknown): ranges is VersionRange[] {
  return (
    Array.isArray(ranges) &&
    ranges.every((range) => {
      if (range === null || typeof range !== 'object') return false;
      const keys = Object.keys(range);
      const { type, events } = range as { type?: unknown; events?: unknown };
      return keys.length === 2 && keys[0] === 'type' && keys[1] === 'events' && typeof type === 'string' && Array.isArray(events) && events.every((event) => eventKind(event) !== undefined);
    })
  );
}

/** Encodes a key's rows, already in lookup order. */
export function encodeLookup(rows: readonly StoredAffectedRow[]): EncodedLookup {
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const bytes: number[] = [];
  const number = (value: number) => {
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
  };
  const string = (value: string) => {
    let index = indexOf.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      indexOf.set(value, index);
    }
    number(index);
  };
  const list = (values: readonly string[]) => {
    number(values.length);
    for (const value of values) string(value);
  };
  for (const row of rows) {
    const aliases: unknown = JSON.parse(row.aliases);
    const ranges: unknown = JSON.parse(row.ranges);
    const versions: unknown = row.versions === null ? null : JSON.parse(row.versions);
    const fixedVersions: unknown = JSON.parse(row.fixedVersions);
    const plain = isStringArray(aliases) && isPlainRanges(ranges) && (versions === null || isStringArray(versions)) && isStringArray(fixedVersions);
    const flags =
      (row.statusReason !== null ? HAS_STATUS_REASON : 0) | (row.versions !== null ? HAS_VERSIONS : 0) | (row.urgency !== null ? HAS_URGENCY : 0) | (row.module !== null ? HAS_MODULE : 0) | (plain ? 0 : RAW);
    string(row.source);
    string(row.advisoryId);
    number(flags);
    string(row.status);
    if (row.statusReason !== null) string(row.statusReason);
    if (!plain) {
      string(`[${row.aliases},${row.ranges},${row.versions ?? 'null'},${row.fixedVersions}]`);
    } else {
      list(aliases as string[]);
      number((ranges as VersionRange[]).length);
      for (const range of ranges as VersionRange[]) {
        string(range.type);
        number(range.events.length);
        for (const event of range.events) {
          const kind = eventKind(event)!;
          number(EVENT_KINDS.indexOf(kind));
          string((event as Record<EventKind, string>)[kind]);
        }
      }
      if (versions !== null) list(versions as string[]);
      list(fixedVersions as string[]);
    }
    if (row.urgency !== null) string(row.urgency);
    if (row.module !== null) string(row.module);
  }
  return { strings: JSON.stringify(strings), layout: Uint8Array.from(bytes) };
}

/** Reads the layout's numbers in order. */
class LayoutReader {
  position = 0;
  constructor(readonly layout: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.layout.length;
  }

  next(): number {
    let byte = this.layout[this.position++]!;
    if (byte < 0x80) return byte;
    let value = byte & 0x7f;
    for (let scale = 0x80; ; scale *= 0x80) {
      byte = this.layout[this.position++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  }

  list(strings: readonly string[]): string[] {
    const values = new Array<string>(this.next());
    for (let index = 0; index < values.length; index++) values[index] = strings[this.next()]!;
    return values;
  }
}

function event(kind: number, version: string): RangeEvent {
  switch (kind) {
    case 0:
      return { introduced: version };
    case 1:
      return { fixed: version };
    case 2:
      return { last_affected: version };
    default:
      return { limit: version };
  }
}

/**
 * The rows of one key, as the store returns them. `namespace` and `packageName` are the key the
 * lookup matched exactly, so they are not stored per row. Every row gets its own objects and arrays
 * (only the immutable strings are shared), as separate JSON.parse calls would give.
 */
export function decodeLookup(encoded: EncodedLookup, namespace: string, packageName: string): AffectedRow[] {
  const strings = JSON.parse(encoded.strings) as string[];
  const reader = new LayoutReader(encoded.layout);
  const rows: AffectedRow[] = [];
  while (!reader.done) {
    const source = strings[reader.next()]!;
    const advisoryId = strings[reader.next()]!;
    const flags = reader.next();
    const status = strings[reader.next()]! as AffectedPackage['status'];
    const statusReason = flags & HAS_STATUS_REASON ? strings[reader.next()]! : undefined;
    let aliases: string[];
    let ranges: VersionRange[];
    let versions: string[] | undefined;
    let fixedVersions: string[];
    if (flags & RAW) {
      const raw = JSON.parse(strings[reader.next()]!) as [string[], VersionRange[], string[] | null, string[]];
      [aliases, ranges, , fixedVersions] = raw;
      versions = raw[2] ?? undefined;
    } else {
      aliases = reader.list(strings);
      ranges = new Array<VersionRange>(reader.next());
      for (let r = 0; r < ranges.length; r++) {
        const type = strings[reader.next()]! as VersionRange['type'];
        const events = new Array<RangeEvent>(reader.next());
        for (let e = 0; e < events.length; e++) {
          const kind = reader.next();
          events[e] = event(kind, strings[reader.next()]!);
        }
        ranges[r] = { type, events };
      }
      versions = flags & HAS_VERSIONS ? reader.list(strings) : undefined;
      fixedVersions = reader.list(strings);
    }
    const urgency = flags & HAS_URGENCY ? strings[reader.next()]! : undefined;
    const module = flags & HAS_MODULE ? strings[reader.next()]! : undefined;
    // Same keys in the same order as the rows of the `affected` table have always been read into.
    const affected: AffectedPackage =
      (flags & (HAS_STATUS_REASON | HAS_VERSIONS | HAS_URGENCY | HAS_MODULE)) === 0
        ? { namespace, packageName, status, ranges, fixedVersions }
        : {
            namespace,
            packageName,
            status,
            ...(statusReason !== undefined ? { statusReason } : {}),
            ranges,
            ...(versions !== undefined ? { versions } : {}),
            fixedVersions,
            ...(urgency !== undefined ? { urgency } : {}),
            ...(module !== undefined ? { module } : {}),
          };
    rows.push({ source, advisoryId, aliases, affected });
  }
  return rows;
}
