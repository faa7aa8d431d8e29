// recommendForImage on the fixture images' recorded facts (../shared/fixtures/manifests) with catalogs
// that lack one thing or another: each gap gets its sentence, none is an exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FILL_CATALOG_HINT, recommendForImage } from '../../src/baseimage/image-recommendations.ts';
import { expectedImage } from '../helpers/fixtures.ts';
import { fixtureRecord, fixtureSource, InMemoryBaseImageCatalog } from '../helpers/base-catalog.ts';

const DEBIAN = 'docker.io/library/debian';

describe('recommendForImage', () => {
  it('recommends from the base found by its annotation, with the base record\'s figures', async () => {
    const catalog = new InMemoryBaseImageCatalog([
      fixtureRecord('debian-bullseye-base', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2025-01-01T00:00:00.000Z' }),
      fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag: 'bookworm-slim', indexedAt: '2025-01-01T00:00:00.000Z' }),
      fixtureRecord('debian-bullseye-refreshed', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2025-06-01T00:00:00.000Z' }),
    ]);
    const result = await recommendForImage({ source: fixtureSource('app-bullseye') }, catalog);
    assert.equal(result.outcome.base?.method, 'annotation');
    assert.deepEqual(result.notes, []);
    assert.equal(result.place?.by, 'name');
    assert.equal(result.current.size, expectedImage('debian-bullseye-base').layers[0]!.size);
    assert.deepEqual(result.recommendations.map((r) => [r.kind, r.name, r.ref.digest]), [
      ['refreshed', 'debian:bullseye-slim', expectedImage('debian-bullseye-refreshed').manifestDigest],
      ['updated', 'debian:bookworm-slim', expectedImage('debian-bookworm-base').manifestDigest],
    ]);
  });

  it('says when the base\'s digest was never catalogued: a refresh, but no changes to show', async () => {
    const catalog = new InMemoryBaseImageCatalog([fixtureRecord('debian-bullseye-refreshed', { repository: DEBIAN, tag: 'bullseye-slim' })]);
    const result = await recommendForImage({ source: fixtureSource('app-bullseye') }, catalog);
    const baseDigest = expectedImage('debian-bullseye-base').manifestDigest;
    assert.deepEqual(result.recommendations.map((r) => [r.kind, r.delta]), [['refreshed', undefined]]);
    assert.deepEqual(result.notes, [`The base's digest ${baseDigest} is not in the catalog (the catalog never saw bullseye-slim at that digest), `
      + `so the base's vulnerabilities and the changes against them are unknown; \`spyglass cves ${DEBIAN}@${baseDigest}\` scans it.`]);
  });

  it('says when the base is not in the catalog at all, and which repository to index', async () => {
    const catalog = new InMemoryBaseImageCatalog([fixtureRecord('debian-bookworm-base', { repository: 'docker.io/library/other', tag: 'bookworm-slim' })]);
    const result = await recommendForImage({ source: fixtureSource('app-bullseye') }, catalog);
    assert.deepEqual(result.recommendations, []);
    assert.deepEqual(result.notes, ['debian:bullseye-slim is not in the base image catalog (for linux/amd64), so there is nothing to compare it with. '
      + `Index its repository: \`spyglass base-images index ${DEBIAN}\`.`]);
  });

  it('gives detection\'s reason and how to fill the catalog when the base is unknown', async () => {
    const result = await recommendForImage({ source: fixtureSource('app-bookworm') }, new InMemoryBaseImageCatalog());
    assert.equal(result.outcome.base, undefined);
    assert.equal(result.notes.length, 1);
    assert.ok(result.notes[0]!.startsWith('Base image unknown: ') && result.notes[0]!.endsWith(FILL_CATALOG_HINT), result.notes[0]);
  });
});
