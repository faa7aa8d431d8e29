// Every feed ingester, in one list: a new source is one import and one entry here.
import type { Feed } from './feed.ts';
import { osvFeed } from './osv/osv-feed.ts';
import { rubysecFeed } from './rubysec/rubysec-feed.ts';
import { friendsOfPhpFeed } from './friendsofphp/friendsofphp-feed.ts';
import { alpineSecdbFeed } from './alpine-secdb/alpineSecdbFeed.ts';
import { debianDsaFeed } from './debian-dsa/debianDsaFeed.ts';
import { debianTrackerFeed } from './debian-tracker/debianTrackerFeed.ts';
import { debianCveListFeed } from './debian-cve-list/debianCveListFeed.ts';
import { nvdFeed } from './nvd/nvd-feed.ts';
import { vulnrichmentFeed } from './vulnrichment/vulnrichment-feed.ts';
import { kevFeed } from './kev/kev-feed.ts';
import { epssFeed } from './epss/epss-feed.ts';
import { marinerOvalFeed } from './mariner-oval/marinerOvalFeed.ts';
import { suseFeed } from './suse/suseFeed.ts';
import { redHatCsafFeed } from './redhat-csaf/redhatCsafFeed.ts';
import { rockyErrataFeed } from './rocky-errata/rockyErrataFeed.ts';
import { ubuntuTrackerFeed } from './ubuntu-tracker/ubuntuTrackerFeed.ts';
import { chainguardSecdbFeed, wolfiSecdbFeed } from './wolfi-secdb/rollingSecdbFeed.ts';
import { amazonAlasFeed } from './amazon-alas/amazonAlasFeed.ts';
import { oracleOvalFeed } from './oracle-oval/oracleOvalFeed.ts';
import { photonFeed } from './photon/photonFeed.ts';

export const FEEDS: readonly Feed[] = [
  osvFeed,
  rubysecFeed,
  friendsOfPhpFeed,
  debianTrackerFeed,
  debianDsaFeed,
  debianCveListFeed,
  alpineSecdbFeed,
  marinerOvalFeed,
  nvdFeed,
  vulnrichmentFeed,
  kevFeed,
  epssFeed,
  suseFeed,
  redHatCsafFeed,
  rockyErrataFeed,
  ubuntuTrackerFeed,
  wolfiSecdbFeed,
  chainguardSecdbFeed,
  amazonAlasFeed,
  oracleOvalFeed,
  photonFeed,
];
