// Test plumbing for the rpm distribution feeds' end-to-end tests: a small database built by `db update`'s
// own path from one feed's input, and the findings of hand-made rpm packages of one distribution release.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feed } from '../../../src/advisories/feeds/feed.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase, type SourceOutcome } from '../../../src/advisories/update.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Distro, Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { rate } from '../../../src/severity/rate.ts';
import { minimalSbom } from '../../helpers/sbom.ts';

export interface SmallDatabase {
  store: SqliteAdvisoryStore;
  outcomes: SourceOutcome[];
  close(): Promise<void>;
}

export async function smallDatabase(feed: Feed, locations: string[]): Promise<SmallDatabase> {
  const work = mkdtempSync(join(tmpdir(), `spyglass-${feed.name}-`));
  const outcomes = await updateDatabase(join(work, 'data'), locations.map((location) => ({ name: feed.name, location })), { feeds: [feed], openInput: openFeedInput, cacheDir: join(work, 'cache') });
  const store = SqliteAdvisoryStore.open(join(work, 'data'));
  return {
    store,
    outcomes,
    async close() {
      await store.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export interface FindingSummary {
  id: string;
  aliases: string[];
  package: string;
  installed: string;
  fixed: string[];
  status: string;
  /** The level severity/rate() gives it, and who rated it. */
  rated: string;
}

const ratedBy = (rating: ReturnType<typeof rate>): string => `${rating.level}${rating.by === undefined ? '' : ` by ${rating.by}`}`;

/** The findings of rpm packages `[name, version]` installed on `distro`, sorted by id then package. */
export async function rpmFindings(store: SqliteAdvisoryStore, distro: Distro, installed: [string, string][]): Promise<FindingSummary[]> {
  const layerDiffId = `sha256:${'0'.repeat(64)}` as Digest;
  const packages: Package[] = installed.map(([name, version]) => ({
    id: `rpm:${name}@${version}`,
    type: 'rpm',
    name,
    version,
    purl: `pkg:rpm/${distro.id}/${name}@${version}`,
    licenses: [],
    locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId }],
  }));
  const { findings } = await matchSbom(minimalSbom(packages, { distro }), store);
  const byId = new Map(packages.map((pkg) => [pkg.id, pkg]));
  return findings
    .map((f) => ({ id: f.id, aliases: f.aliases, package: byId.get(f.packageId)!.name, installed: byId.get(f.packageId)!.version, fixed: f.fixedVersions, status: f.status, rated: ratedBy(rate(f, { type: 'rpm' })) }))
    .sort((a, b) => a.id.localeCompare(b.id) || a.package.localeCompare(b.package));
}
