import type { Advisory, AffectedPackage, EpssEntry, KevEntry, RecordSink, SkippedRecord } from '../model.ts';

/** One row of a package lookup: a source's verdict for (namespace, package) with its advisory. */
export interface AffectedRow {
  source: string;
  advisoryId: string;
  aliases: string[];
  affected: AffectedPackage;
}

export interface SourceStatus {
  source: string;
  /** Where it was read from (URL or path) and when. */
  location: string;
  updatedAt: string;
  records: number;
  skipped: number;
  /** Skipped-record counts by reason, most frequent first, with an example location. */
  skippedReasons: { reason: string; count: number; example: string }[];
  /** HTTP validators of the last download, for conditional requests. */
  etag?: string;
  lastModified?: string;
  /** The last update of this source that failed (its previous records were kept). */
  lastError?: { at: string; message: string };
}

export interface DbStatus {
  schemaVersion: number;
  builtAt: string;
  sources: SourceStatus[];
  counts: { advisories: number; affected: number; kev: number; epss: number };
}

/**
 * The vulnerability database, read side. SQLite (better-sqlite3) now; the same interface is to be
 * implemented on PostgreSQL for the server, so callers never see SQL. Lookups are by namespace and
 * package name (`debian:11` + `openssl`, `npm` + `lodash`).
 */
/** An advisory without its affected packages: what a finding shows of each source's record. */
export type AdvisoryRecord = Omit<Advisory, 'affected'>;

export interface AdvisoryStore {
  affected(namespace: string, packageName: string): Promise<AffectedRow[]>;
  /**
   * For each id, every source's record whose id or alias it is (no further expansion), in one round
   * trip for many ids: matching asks this for every finding of a scan at once.
   */
  records(ids: readonly string[]): Promise<Map<string, AdvisoryRecord[]>>;
  /** Every source's view of an advisory, found by its id or any alias. */
  advisories(idOrAlias: string): Promise<Advisory[]>;
  kev(cve: string): Promise<KevEntry | undefined>;
  epss(cve: string): Promise<EpssEntry | undefined>;
  status(): Promise<DbStatus>;
  close(): Promise<void>;
}

/** What one source's ingest did. */
export interface SourceResult {
  source: string;
  /** Records this update read (for a merge: the changed ones). */
  records: number;
  skipped: SkippedRecord[];
}

/** What an update records about where a source came from. */
export interface SourceMeta {
  location: string;
  /** HTTP validators of the download. */
  etag?: string;
  lastModified?: string;
  /** When the download began, for an input that can next fetch only the records changed since then. */
  fetchedAt?: string;
}

/**
 * The write side: an update works on a private copy of the database; `commit` publishes it in one
 * atomic rename, so readers never see a half-written database and a killed update leaves the
 * previous one working.
 */
export interface AdvisoryStoreWriter {
  /** The source's records replace everything that source said before. */
  replaceSource(source: string, meta: SourceMeta, ingest: (sink: RecordSink) => Promise<void>): Promise<SourceResult>;
  /**
   * An incremental update: each advisory replaces the source's advisory of the same id (its aliases
   * and affected packages with it), KEV and EPSS entries replace theirs, and everything else the
   * source said stays.
   */
  mergeSource(source: string, meta: SourceMeta, ingest: (sink: RecordSink) => Promise<void>): Promise<SourceResult>;
  /** The HTTP validators recorded at the last update of a source, for If-None-Match / If-Modified-Since. */
  validators(source: string): { etag?: string; lastModified?: string } | undefined;
  /** When the last successful download of a source began, if its input recorded it. */
  fetchedAt(source: string): string | undefined;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
