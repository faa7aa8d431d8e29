// Every feed ingester, in one list: a new source is one import and one entry here.
import type { Feed } from './feed.ts';

export const FEEDS: readonly Feed[] = [
  // [feeds-language]
  // [feeds-distributions]
  // [feeds-scoring]
];
