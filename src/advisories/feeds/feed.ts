import type { RecordSink } from '../model.ts';

/** One file of a feed's input, whatever carried it (a path, a directory, a .zip or .tar.gz, a download). */
export interface FeedFile {
  /** Path inside the input, POSIX, e.g. `ghsa/npm/GHSA-xxxx.json` or `v3.18/main.json`. */
  name: string;
  size: number;
  read(): Promise<Buffer>;
}

/**
 * A feed ingester: one per public source, in its own folder. It reads the files of its input and
 * hands normalised records to the sink; a record it cannot read is reported with `sink.skipped` and
 * the rest go on. It never touches the store or the network.
 */
export interface Feed {
  /** The source name used by `db update --source NAME=…` and shown by `db status`. */
  name: string;
  /** Where `db update` fetches it by default (documented in the README for online users). */
  defaultLocations: string[];
  /** Which files of an input belong to this feed (others in a directory or archive are ignored). */
  wants(file: { name: string }): boolean;
  ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void>;
}
