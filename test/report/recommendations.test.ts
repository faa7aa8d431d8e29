// The Refreshed/Updated rows of quickview and the recommendations text, checked against Docker Scout's
// documented `docker scout quickview postgres:13.1` output (docs.docker.com, "Quickview"): base
// 9C 14H 9M 23L, refreshed 0C 1H 6M 29L with `-9 -13 -3 +6` under it, updated 0C 0H 0M 17L with
// `-9 -14 -9 -6`. Scout's change cells sit under the count cells, six characters each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Recommendation } from '../../src/baseimage/model.ts';
import { countsDelta } from '../../src/baseimage/recommend.ts';
import { formatDelta, renderQuickview, type QuickviewInput } from '../../src/report/quickview.ts';
import { renderRecommendations, type RecommendationsView } from '../../src/report/recommendations.ts';

const counts = (critical: number, high: number, medium: number, low: number, unspecified = 0) => ({ critical, high, medium, low, unspecified });
const BASE = counts(9, 14, 9, 23);
const REFRESHED = counts(0, 1, 6, 29);
const UPDATED = counts(0, 0, 0, 17);
const DATABASE = { builtAt: '2026-01-02T03:04:00Z', schemaVersion: 2, ageHours: 2 };

describe('change lines', () => {
  it('are Scout\'s: signed, six characters a cell under the count cells, blank where equal', () => {
    assert.equal(formatDelta(countsDelta(REFRESHED, BASE)), '    -9    -13     -3     +6');
    assert.equal(formatDelta(countsDelta(UPDATED, BASE)), '    -9    -14     -9     -6');
    assert.equal(formatDelta(countsDelta(counts(1, 4, 9, 23), BASE)), '    -8    -10');
    assert.equal(formatDelta(countsDelta(counts(9, 14, 9, 23, 2), BASE)), `${' '.repeat(32)}+2`);
  });

  it('put quickview\'s Refreshed and Updated base image rows under the base row, each with its change line', () => {
    const input: QuickviewInput = {
      target: { name: 'postgres:13.1', counts: counts(17, 32, 35, 33), packages: 187 },
      base: { name: 'debian:buster-slim', counts: BASE },
      refreshed: { name: 'debian:buster-slim', counts: REFRESHED, delta: countsDelta(REFRESHED, BASE) },
      updated: { name: 'debian:stable-slim', counts: UPDATED, delta: countsDelta(UPDATED, BASE) },
      database: DATABASE,
      warnings: [],
    };
    const lines = renderQuickview(input).split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '  Target               │  postgres:13.1       │   17C    32H    35M    33L',
      '    packages           │  187                 │',
      '  Base image           │  debian:buster-slim  │    9C    14H     9M    23L',
      '  Refreshed base image │  debian:buster-slim  │    0C     1H     6M    29L',
      '                       │                      │    -9    -13     -3     +6',
      '  Updated base image   │  debian:stable-slim  │    0C     0H     0M    17L',
    ]);
    assert.equal(lines[6], '                       │                      │    -9    -14     -9     -6');
  });
});

describe('recommendations text', () => {
  const recommendation = (kind: Recommendation['kind'], tag: string, values: ReturnType<typeof counts>, reason: string): Recommendation => ({
    kind, ref: { repository: 'docker.io/library/debian', tag, digest: `sha256:${'ab'.repeat(32)}` }, name: `debian:${tag}`,
    counts: values, delta: countsDelta(values, BASE), size: 27_000_000, sizeDelta: -1_500_000, created: '2025-12-01T00:00:00Z', packages: 90, reason,
  });
  const view: RecommendationsView = {
    target: { name: 'postgres:13.1', counts: counts(17, 32, 35, 33), packages: 187 },
    base: { name: 'debian:buster-slim', method: 'annotation', evidence: [], counts: BASE, size: 28_500_000, created: '2020-12-01T00:00:00Z', packages: 96 },
    recommendations: [
      recommendation('refreshed', 'buster-slim', REFRESHED, 'same tag buster-slim, newer digest'),
      recommendation('updated', 'bookworm-slim', UPDATED, 'same variant (slim), newest stable release: bookworm (12) after buster (10)'),
    ],
    sections: { refresh: true, update: true },
    emptyRefresh: 'up to date',
    emptyUpdate: 'no newer tag',
    notes: [],
    database: DATABASE,
    warnings: [],
  };

  it('shows each recommendation with its details, age and counts, the change line under the counts', () => {
    const text = renderRecommendations(view, 'text', { now: new Date('2026-01-01T00:00:00Z') });
    const lines = text.split('\n');
    const at = lines.indexOf('Refreshed base image');
    assert.deepEqual(lines.slice(at + 3, at + 8), [
      // Each column as wide as its widest cell plus one space; counts and changes as quickview's.
      '   Tag                │ Details                            │ Created     │ Vulnerabilities',
      '  ────────────────────┼────────────────────────────────────┼─────────────┼──────────────────────────────',
      '   debian:buster-slim │ digest abababababab                │ 2025-12-01  │    0C     1H     6M    29L',
      '                      │ size 27.0 MB (-1.5 MB)             │ 31 days ago │    -9    -13     -3     +6',
      '                      │ packages 90 (-6)                   │             │',
    ]);
    assert.match(text, /^Updated base image$/m);
    assert.match(text, /│ same variant \(slim\), newest stable release: +│/);
  });

  it('--only-refresh and --only-update leave the other section out, with its empty-section sentence where there is nothing', () => {
    const refreshOnly = renderRecommendations({ ...view, sections: { refresh: true, update: false } }, 'text');
    assert.doesNotMatch(refreshOnly, /Updated base image/);
    const none = renderRecommendations({ ...view, recommendations: [], sections: { refresh: false, update: true } }, 'text');
    assert.doesNotMatch(none, /Refreshed base image/);
    assert.match(none, /^Updated base image\n.*\n\n {2}no newer tag$/m);
    const json = JSON.parse(renderRecommendations({ ...view, sections: { refresh: false, update: true } }, 'json')) as { recommendations: Recommendation[] };
    assert.deepEqual(json.recommendations.map((r) => r.kind), ['updated']);
  });
});
