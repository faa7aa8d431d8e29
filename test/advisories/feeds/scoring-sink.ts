// Test plumbing for the scoring feeds' tests: FeedFiles from a real folder or from bytes, and a sink
// that keeps everything it is handed.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Feed, FeedFile } from '../../../src/advisories/feeds/feed.ts';
import type { Advisory, EpssEntry, KevEntry, RecordSink, SkippedRecord } from '../../../src/advisories/model.ts';

export async function* filesUnder(root: string, dir: string = root): AsyncGenerator<FeedFile> {
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) yield* filesUnder(root, path);
    else yield { name: relative(root, path).split(sep).join('/'), size: info.size, read: () => readFile(path) };
  }
}

export async function* filesOf(...files: { name: string; content: string | Buffer }[]): AsyncGenerator<FeedFile> {
  for (const { name, content } of files) {
    const bytes = Buffer.from(content);
    yield { name, size: bytes.length, read: () => Promise.resolve(bytes) };
  }
}

export interface Collected {
  advisories: Advisory[];
  kev: KevEntry[];
  epss: EpssEntry[];
  skipped: Omit<SkippedRecord, 'source'>[];
}

/** Runs a feed over the files it wants, as `db update` does. */
export async function ingestAll(feed: Feed, files: AsyncIterable<FeedFile>): Promise<Collected> {
  const collected: Collected = { advisories: [], kev: [], epss: [], skipped: [] };
  const sink: RecordSink = {
    advisory: (advisory) => collected.advisories.push(advisory),
    kev: (entry) => collected.kev.push(entry),
    epss: (entry) => collected.epss.push(entry),
    skipped: (record) => collected.skipped.push(record),
  };
  async function* wanted() {
    for await (const file of files) if (feed.wants(file)) yield file;
  }
  await feed.ingest(wanted(), sink);
  return collected;
}
