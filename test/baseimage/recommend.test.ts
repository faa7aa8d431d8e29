// The refreshed/updated rule of docs/base-images.md ("Recommendations") on small catalogs written out
// here: each case names the tags, their releases and counts, and the one answer the rule gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Digest, type Digest } from '../../src/core/digest.ts';
import type { Sbom } from '../../src/core/sbom.ts';
import { SpyglassError } from '../../src/core/errors.ts';
import type { BaseDetection, CatalogImage, SeverityCounts } from '../../src/baseimage/model.ts';
import { recommend } from '../../src/baseimage/recommend.ts';
import { tagAnatomy } from '../../src/baseimage/tag-anatomy.ts';
import { InMemoryBaseImageCatalog } from '../helpers/base-catalog.ts';

const HUB = 'docker.io/library/debian';
const PLATFORM = 'linux/amd64';
const EMPTY_SBOM = { schemaVersion: 1, packages: [], relationships: [], unknowns: [], catalogers: [] } as unknown as Sbom;

function counts(critical: number, high: number, medium = 0, low = 0, unspecified = 0): SeverityCounts {
  return { critical, high, medium, low, unspecified };
}

let clock = 0;
/** A record of `tag`; `build` tells apart digests of one tag; later calls are recorded later. */
function record(tag: string, options: { build?: string; repository?: string; created?: string; counts?: SeverityCounts; size?: number; debs?: number; platform?: string } = {}): CatalogImage {
  const repository = options.repository ?? HUB;
  clock += 1;
  return {
    repository,
    tag,
    platform: options.platform ?? PLATFORM,
    digest: sha256Digest(`${repository}:${tag}:${options.build ?? '1'}:${options.platform ?? PLATFORM}`),
    configDigest: sha256Digest(`config ${repository}:${tag}:${options.build ?? '1'}`),
    diffIds: [sha256Digest(`layer ${tag}:${options.build ?? '1'}`)],
    ...(options.created !== undefined ? { created: options.created } : {}),
    size: options.size ?? 30_000_000,
    packageSummary: { deb: options.debs ?? 90 },
    counts: options.counts ?? counts(0, 0),
    countsBuiltAt: '2026-01-01T00:00:00Z',
    indexedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString(),
  };
}

function catalogOf(...records: CatalogImage[]): InMemoryBaseImageCatalog {
  const catalog = new InMemoryBaseImageCatalog();
  for (const r of records) catalog.put(r, EMPTY_SBOM);
  return catalog;
}

function detected(name: string, digest?: Digest, entry?: CatalogImage): BaseDetection {
  const colon = name.lastIndexOf(':');
  return {
    method: 'annotation',
    name,
    ref: { repository: name.slice(0, colon), tag: name.slice(colon + 1), ...(digest ? { digest } : {}) },
    evidence: [],
    candidates: [],
    ...(entry ? { entry } : {}),
  };
}

function tagsOf(recommendations: ReturnType<typeof recommend>, kind: string): string[] {
  return recommendations.filter((r) => r.kind === kind).map((r) => r.ref.tag!);
}

describe('tag anatomy', () => {
  it('splits a tag into its release (number or codename, then date stamps) and the variant after it', () => {
    const read = (tag: string) => {
      const { version, form, stamp, variant, stable } = tagAnatomy(tag);
      return { version, form, stamp, variant, stable };
    };
    assert.deepEqual(read('bullseye-slim'), { version: [11], form: 'codename', stamp: undefined, variant: 'slim', stable: true });
    assert.deepEqual(read('bookworm'), { version: [12], form: 'codename', stamp: undefined, variant: '', stable: true });
    assert.deepEqual(read('bookworm-20230904-slim'), { version: [12], form: 'codename', stamp: '20230904', variant: 'slim', stable: true });
    assert.deepEqual(read('3.12-slim-bookworm'), { version: [3, 12], form: 'number', stamp: undefined, variant: 'slim-bookworm', stable: true });
    assert.deepEqual(read('20-alpine3.18'), { version: [20], form: 'number', stamp: undefined, variant: 'alpine3.18', stable: true });
    assert.deepEqual(read('22.04'), { version: [22, 4], form: 'number', stamp: undefined, variant: '', stable: true });
    assert.deepEqual(read('jammy-20251001'), { version: [22, 4], form: 'codename', stamp: '20251001', variant: '', stable: true });
    assert.deepEqual(read('stable-slim'), { version: undefined, form: 'floating', stamp: undefined, variant: 'slim', stable: true });
    assert.deepEqual(read('latest'), { version: undefined, form: 'floating', stamp: undefined, variant: '', stable: true });
    assert.deepEqual(read('slim'), { version: undefined, form: 'none', stamp: undefined, variant: 'slim', stable: true });
    assert.deepEqual(read('hydrogen-alpine'), { version: undefined, form: 'none', stamp: undefined, variant: 'hydrogen-alpine', stable: true });
  });

  it('calls pre-releases and unstable suites unstable, wherever the word is', () => {
    for (const tag of ['3.14.0rc1-slim', '1.22beta2-alpine', '3.14.0a1', 'testing-slim', 'sid', 'sid-slim', 'unstable', 'nightly', 'edge',
      'rc-buggy', 'experimental', '3.13-rc-bookworm', 'bookworm-beta', 'devel']) {
      assert.equal(tagAnatomy(tag).stable, false, tag);
    }
    for (const tag of ['bookworm', '12.7-slim', 'alpine3.20', '3.12-slim-bookworm', 'v1.2.3', 'jammy']) assert.equal(tagAnatomy(tag).stable, true, tag);
  });
});

describe('refreshed base image', () => {
  it('is the newest digest of the base tag, with counts, deltas, size change, age and package count against the base', () => {
    const old = record('bullseye-slim', { build: 'old', created: '2024-06-01T00:00:00Z', counts: counts(2, 5, 10, 30), size: 28_404_916, debs: 96 });
    const fresh = record('bullseye-slim', { build: 'new', created: '2025-06-01T00:00:00Z', counts: counts(0, 1, 12, 30, 1), size: 28_419_949, debs: 97 });
    const catalog = catalogOf(old, fresh);
    const [refreshed, ...rest] = recommend(detected(`${HUB}:bullseye-slim`, old.digest), catalog, { platform: PLATFORM });
    assert.deepEqual(rest, []);
    assert.deepEqual(refreshed, {
      kind: 'refreshed',
      ref: { repository: HUB, tag: 'bullseye-slim', digest: fresh.digest },
      name: 'debian:bullseye-slim',
      counts: counts(0, 1, 12, 30, 1),
      delta: { critical: -2, high: -4, medium: 2, low: 0, unspecified: 1 },
      size: 28_419_949,
      sizeDelta: 15_033,
      created: '2025-06-01T00:00:00Z',
      packages: 97,
      reason: `same tag bullseye-slim, newer digest than the base's ${old.digest.slice(7, 19)}`,
    });
  });

  it('is absent when the base is the newest digest, when the newest is older than the base, or when the base digest is unknown', () => {
    const old = record('bullseye-slim', { build: 'old', created: '2024-06-01T00:00:00Z' });
    const fresh = record('bullseye-slim', { build: 'new', created: '2025-06-01T00:00:00Z' });
    assert.deepEqual(recommend(detected(`${HUB}:bullseye-slim`, fresh.digest), catalogOf(old, fresh), { platform: PLATFORM }), []);
    // Recorded last, but built before the base the image uses (its figures given by the caller).
    const rebuiltEarlier = record('bullseye-slim', { build: 'older', created: '2023-01-01T00:00:00Z' });
    const unindexed = sha256Digest('a digest the catalog never saw');
    assert.deepEqual(recommend(detected(`${HUB}:bullseye-slim`, unindexed), catalogOf(rebuiltEarlier), { platform: PLATFORM, current: { created: '2024-01-01T00:00:00Z' } }), []);
    assert.deepEqual(recommend(detected(`${HUB}:bullseye-slim`), catalogOf(old, fresh), { platform: PLATFORM }), []);
  });

  it('compares only records of the image platform', () => {
    const base = record('bullseye-slim', { build: 'old' });
    const arm = record('bullseye-slim', { build: 'new', platform: 'linux/arm64/v8' });
    assert.deepEqual(recommend(detected(`${HUB}:bullseye-slim`, base.digest), catalogOf(base, arm), { platform: PLATFORM }), []);
  });

  it('finds a base indexed under another repository by its digest (an annotated Docker Hub name, a local registry copy)', () => {
    const local = '127.0.0.1:5000/library/debian';
    const old = record('bullseye-slim', { repository: local, build: 'old', counts: counts(1, 1) });
    const fresh = record('bullseye-slim', { repository: local, build: 'new', counts: counts(0, 0) });
    const update = record('bookworm-slim', { repository: local, counts: counts(0, 1) });
    const result = recommend(detected('docker.io/library/debian:bullseye-slim', old.digest), catalogOf(old, fresh, update), { platform: PLATFORM });
    assert.deepEqual(result.map((r) => [r.kind, r.name, r.delta?.high]), [
      ['refreshed', `${local}:bullseye-slim`, -1],
      ['updated', `${local}:bookworm-slim`, 0],
    ]);
  });
});

describe('updated base image', () => {
  const base = record('bullseye-slim', { counts: counts(1, 4) });
  const recommendFor = (...others: CatalogImage[]) => recommend(detected(`${HUB}:bullseye-slim`, base.digest), catalogOf(base, ...others), { platform: PLATFORM });

  it('keeps the variant: bookworm-slim for bullseye-slim, the other variants as alternatives, one each', () => {
    const result = recommendFor(
      record('bookworm-slim', { counts: counts(0, 2) }),
      record('bookworm', { counts: counts(0, 3) }),
      record('trixie', { counts: counts(0, 1) }),
      record('12-alpine', { counts: counts(0, 0) }),
      record('buster', { counts: counts(0, 0) }),
    );
    assert.deepEqual(tagsOf(result, 'updated'), ['bookworm-slim']);
    // Newest release first; buster (10) is older than the base and not listed.
    assert.deepEqual(tagsOf(result, 'alternative'), ['trixie', '12-alpine']);
    const updated = result.find((r) => r.kind === 'updated')!;
    assert.equal(updated.reason, 'same variant (slim), newest stable release: bookworm (12) after bullseye (11)');
    assert.deepEqual(updated.delta, counts(-1, -2));
  });

  it('orders codenames by release number, not by name or by build time', () => {
    // Alphabetically forky < trixie and buster > bullseye; forky was also built before trixie.
    const result = recommendFor(
      record('trixie-slim', { created: '2026-02-01T00:00:00Z' }),
      record('forky-slim', { created: '2025-02-01T00:00:00Z' }),
      record('buster-slim'),
    );
    assert.deepEqual(tagsOf(result, 'updated'), ['forky-slim']);
    const buster = record('buster-slim');
    assert.deepEqual(recommend(detected(`${HUB}:buster-slim`, buster.digest), catalogOf(record('bullseye-slim'), buster), { platform: PLATFORM })
      .map((r) => [r.kind, r.ref.tag]), [['updated', 'bullseye-slim']]);
  });

  it('compares versions numerically (3.10 after 3.9) at the precision of the current tag', () => {
    const python = 'docker.io/library/python';
    const current = record('3.9-slim', { repository: python });
    const catalog = catalogOf(current, ...['3.10-slim', '3.8-slim', '3.10.4-slim', '3-slim', '3.10-alpine'].map((tag) => record(tag, { repository: python })));
    const result = recommend(detected(`${python}:3.9-slim`, current.digest), catalog, { platform: PLATFORM });
    // 3.10.4 and 3.10 tie at two components; the tag written like 3.9 wins. 3 is not newer than 3.9 at that precision.
    assert.deepEqual(tagsOf(result, 'updated'), ['3.10-slim']);
    assert.deepEqual(tagsOf(result, 'alternative'), ['3.10-alpine']);
  });

  it('never recommends a pre-release or an unstable suite, however new', () => {
    const result = recommendFor(record('sid-slim'), record('testing-slim'), record('trixie-rc-slim'), record('14.0rc1-slim'), record('bookworm-slim'), record('stable-slim'));
    assert.deepEqual(tagsOf(result, 'updated'), ['bookworm-slim']);
    assert.deepEqual(tagsOf(result, 'alternative'), []);
  });

  it('breaks a release tie by fewer critical+high, then the tag written like the current one, then the newer image, then the name', () => {
    // Same release (13): fewer critical+high wins even over the codename form.
    assert.deepEqual(tagsOf(recommendFor(record('trixie-slim', { counts: counts(1, 1, 0, 9) }), record('13-slim', { counts: counts(0, 1, 50) })), 'updated'), ['13-slim']);
    // Equal critical+high (medium does not count): the codename, as bullseye-slim is written.
    assert.deepEqual(tagsOf(recommendFor(record('13-slim', { counts: counts(0, 1) }), record('trixie-slim', { counts: counts(0, 1, 40) })), 'updated'), ['trixie-slim']);
    // Unknown counts rank after known ones.
    const unknown = { ...record('trixie-slim'), counts: undefined };
    assert.deepEqual(tagsOf(recommendFor(unknown, record('13-slim', { counts: counts(3, 3) })), 'updated'), ['13-slim']);
    // Without a date stamp, like the current tag.
    assert.deepEqual(tagsOf(recommendFor(record('trixie-20250901-slim'), record('trixie-slim')), 'updated'), ['trixie-slim']);
    // Same everything: the newer image, then the name.
    assert.deepEqual(tagsOf(recommendFor(record('13.1-slim', { created: '2025-01-01T00:00:00Z' }), record('13.2-slim', { created: '2025-03-01T00:00:00Z' })), 'updated'), ['13.2-slim']);
    assert.deepEqual(tagsOf(recommendFor(record('13.2-slim'), record('13.1-slim')), 'updated'), ['13.1-slim']);
  });

  it('leaves out tags that are the base itself (aliases of its digest) and a base tag without a release', () => {
    const alias = { ...record('11-slim'), digest: base.digest };
    assert.deepEqual(recommendFor(alias), []);
    const latest = record('latest');
    assert.deepEqual(recommend(detected(`${HUB}:latest`, latest.digest), catalogOf(latest, record('bookworm')), { platform: PLATFORM }), []);
  });

  it('--tag forces the updated tag, variant and rule aside; an uncatalogued tag is a one-line error', () => {
    const others = [record('bookworm-slim'), record('bookworm'), record('testing')];
    const forced = recommend(detected(`${HUB}:bullseye-slim`, base.digest), catalogOf(base, ...others), { platform: PLATFORM, tag: 'testing' });
    assert.deepEqual(tagsOf(forced, 'updated'), ['testing']);
    assert.equal(forced.find((r) => r.kind === 'updated')!.reason, 'chosen with --tag testing');
    assert.deepEqual(tagsOf(forced, 'alternative'), ['bookworm']);
    assert.throws(
      () => recommend(detected(`${HUB}:bullseye-slim`, base.digest), catalogOf(base, ...others), { platform: PLATFORM, tag: 'bokworm' }),
      (error: unknown) => error instanceof SpyglassError
        && error.message === `--tag bokworm: the catalog has no tag bokworm of ${HUB} for ${PLATFORM} (catalogued tags: bookworm, bookworm-slim, testing)`,
    );
  });

  it('takes the current figures from the caller over the catalog record', () => {
    const result = recommendFor(record('bookworm-slim', { counts: counts(0, 0, 3), size: 26_000_000, debs: 88 }));
    assert.deepEqual(result[0]!.delta, counts(-1, -4, 3));
    assert.equal(result[0]!.sizeDelta, -4_000_000);
    const given = recommend(detected(`${HUB}:bullseye-slim`, base.digest), catalogOf(base, record('bookworm-slim', { counts: counts(0, 0, 3), size: 26_000_000 })),
      { platform: PLATFORM, current: { counts: counts(0, 0, 0, 7), size: 25_000_000 } });
    assert.deepEqual(given[0]!.delta, counts(0, 0, 3, -7));
    assert.equal(given[0]!.sizeDelta, 1_000_000);
  });
});
