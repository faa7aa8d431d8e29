// Feeds the real files of a shared data folder to an ingester, and collects what it hands the sink.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FeedFile } from '../../../src/advisories/feeds/feed.ts';
import type { Advisory, EpssEntry, KevEntry, RecordSink, SkippedRecord } from '../../../src/advisories/model.ts';

export class CollectingSink implements RecordSink {
  readonly advisories: Advisory[] = [];
  readonly kevs: KevEntry[] = [];
  readonly epssEntries: EpssEntry[] = [];
  readonly skips: Omit<SkippedRecord, 'source'>[] = [];
  advisory(advisory: Advisory): void {
    this.advisories.push(advisory);
  }
  kev(entry: KevEntry): void {
    this.kevs.push(entry);
  }
  epss(entry: EpssEntry): void {
    this.epssEntries.push(entry);
  }
  skipped(record: Omit<SkippedRecord, 'source'>): void {
    this.skips.push(record);
  }
  byId(id: string): Advisory {
    const found = this.advisories.find((advisory) => advisory.id === id);
    if (!found) throw new Error(`no advisory ${id}`);
    return found;
  }
}

/** Every regular file under `root`, recursively, as POSIX paths relative to it, sorted. */
export function filesUnder(root: string, skip: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const name = relative(root, path).split(sep).join('/');
      if (skip(name)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.push(name);
    }
  };
  walk(root);
  return out;
}

export async function* feedFiles(root: string, names: string[]): AsyncIterable<FeedFile> {
  for (const name of names) {
    const path = join(root, name);
    yield { name, size: statSync(path).size, read: () => Promise.resolve(readFileSync(path)) };
  }
}

export async function* memoryFiles(files: Record<string, string>): AsyncIterable<FeedFile> {
  for (const [name, text] of Object.entries(files)) {
    const bytes = Buffer.from(text);
    yield { name, size: bytes.length, read: () => Promise.resolve(bytes) };
  }
}
