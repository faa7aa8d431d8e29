// Every feed ingester, in one list: a new source is one import and one entry here.
import type { Feed } from './feed.ts';
import { osvFeed } from './osv/osv-feed.ts';
import { friendsOfPhpFeed } from './friendsofphp/friendsofphp-feed.ts';

export const FEEDS: readonly Feed[] = [
  osvFeed,
  friendsOfPhpFeed,
  // [feeds-language]
  // [feeds-distributions]
  // [feeds-scoring]
];
