// `db update`: runs each named feed over its inputs into one database update, and publishes it once
// every source has been tried. A source that fails keeps its previous records (its transaction is rolled
// back) and has the failure noted in its status; the other sources still go in.
import { errorText, SpyglassError } from '../core/errors.ts';
import type { Feed, FeedFile } from './feeds/feed.ts';
import type { RecordSink } from './model.ts';
import { FEEDS } from './feeds/registry.ts';
import { SqliteAdvisoryStoreWriter } from './store/sqlite-writer.ts';
import type { SourceResult } from './store/store.ts';

export interface FeedInput {
  files: AsyncIterable<FeedFile>;
  etag?: string;
  lastModified?: string;
  /** The server answered 304 to the validators: the source keeps what it has. */
  notModified?: boolean;
  /** When the download began; given back as `since` next time. */
  fetchedAt?: string;
  /** The files hold only the records changed since this time: they are merged, not a replacement. */
  changesSince?: string;
}

export type OpenInput = (
  location: string,
  options: { cacheDir: string; validators?: { etag?: string; lastModified?: string }; since?: string; accept?: (name: string) => boolean },
) => Promise<FeedInput>;

export interface SourceLocation {
  name: string;
  location: string;
}

export type SourceOutcome =
  | ({ outcome: 'updated'; location: string; changesSince?: string } & SourceResult)
  | { outcome: 'not-modified'; source: string; location: string }
  | { outcome: 'failed'; source: string; location: string; error: string };

export interface UpdateOptions {
  feeds?: readonly Feed[];
  /** `openFeedInput` of input/open.ts in the CLI; tests pass their own. */
  openInput: OpenInput;
  /** Where downloads are cached. */
  cacheDir: string;
  /** Told when a source starts and ends, for progress output. */
  onSource?: (event: { source: string; phase: 'start' } | { source: string; phase: 'end'; outcome: SourceOutcome }) => void;
}

/** Groups `--source NAME=…` locations by feed, in the order given, and refuses unknown names. */
function groupByFeed(sources: readonly SourceLocation[], feeds: readonly Feed[]): { feed: Feed; locations: string[] }[] {
  const groups = new Map<string, { feed: Feed; locations: string[] }>();
  for (const { name, location } of sources) {
    const feed = feeds.find((candidate) => candidate.name === name);
    if (feed === undefined) {
      throw new SpyglassError(`unknown source ${name}: expected one of ${feeds.map((candidate) => candidate.name).join(', ') || '(no feeds registered)'}`);
    }
    const group = groups.get(name) ?? { feed, locations: [] };
    group.locations.push(location);
    groups.set(name, group);
  }
  return [...groups.values()];
}

async function* wanted(feed: Feed, inputs: FeedInput[]): AsyncIterable<FeedFile> {
  for (const input of inputs) {
    for await (const file of input.files) if (feed.wants(file)) yield file;
  }
}

/** Updates the database in `dataDir` from `sources` and publishes it atomically; returns what each source did. */
export async function updateDatabase(dataDir: string, sources: readonly SourceLocation[], options: UpdateOptions): Promise<SourceOutcome[]> {
  const groups = groupByFeed(sources, options.feeds ?? FEEDS);
  const writer = SqliteAdvisoryStoreWriter.open(dataDir);
  const outcomes: SourceOutcome[] = [];
  try {
    for (const { feed, locations } of groups) {
      options.onSource?.({ source: feed.name, phase: 'start' });
      const location = locations.join(', ');
      let outcome: SourceOutcome;
      try {
        // HTTP validators and incremental downloads only make sense for a source read from one place.
        const single = locations.length === 1;
        const validators = single ? writer.validators(feed.name) : undefined;
        const since = single ? writer.fetchedAt(feed.name) : undefined;
        const inputs: FeedInput[] = [];
        for (const each of locations) {
          inputs.push(await options.openInput(each, { cacheDir: options.cacheDir, validators, ...(since !== undefined ? { since } : {}), accept: (name) => feed.wants({ name }) }));
        }
        const input = single ? inputs[0]! : undefined;
        if (input?.notModified === true) {
          outcome = { outcome: 'not-modified', source: feed.name, location };
        } else {
          const meta = { location, ...(input ? { etag: input.etag, lastModified: input.lastModified, fetchedAt: input.fetchedAt } : {}) };
          const ingest = (sink: RecordSink) => feed.ingest(wanted(feed, inputs), sink);
          // Only what changed since the last download: merged into the source's records (NVD's API).
          const changesSince = input?.changesSince;
          const result = changesSince !== undefined ? await writer.mergeSource(feed.name, meta, ingest) : await writer.replaceSource(feed.name, meta, ingest);
          outcome = { outcome: 'updated', location, ...(changesSince !== undefined ? { changesSince } : {}), ...result };
        }
      } catch (error) {
        const message = errorText(error).split('\n')[0]!;
        writer.recordFailure(feed.name, location, message);
        outcome = { outcome: 'failed', source: feed.name, location, error: message };
      }
      outcomes.push(outcome);
      options.onSource?.({ source: feed.name, phase: 'end', outcome });
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return outcomes;
}
