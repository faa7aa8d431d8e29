// Base image detection: by provenance (SLSA v0.2 and v1 statements attached the way BuildKit attaches
// them, read back through openImage), by the OCI base annotations, and by layer chains against a
// catalog; the tag rule when several tags share a digest; and the reasons when there is no base.
// Expected values come from the fixture manifests (../shared/fixtures/manifests, made with skopeo).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectBase } from '../../src/baseimage/detect.ts';
import type { BaseDetection, CatalogImage, DetectionOutcome } from '../../src/baseimage/model.ts';
import { bySpecificity } from '../../src/baseimage/tag-specificity.ts';
import type { Digest } from '../../src/core/digest.ts';
import type { SbomSource } from '../../src/core/sbom.ts';
import type { Attestation, Descriptor } from '../../src/image/model.ts';
import { openImage } from '../../src/image/open.ts';
import { imageSource } from '../../src/image/source-summary.ts';
import { fixtureRecord, fixtureSource, InMemoryBaseImageCatalog } from '../helpers/base-catalog.ts';
import { expectedImage, FIXTURE_OCI, SHARED } from '../helpers/fixtures.ts';
import { imageMaterial, provenanceV02, provenanceV1, twoStageLlb, V02, V1, writeAttestedLayout } from '../helpers/provenance.ts';

const DEBIAN = 'docker.io/library/debian';
const bullseyeBase = expectedImage('debian-bullseye-base');
const bullseyeRefreshed = expectedImage('debian-bullseye-refreshed');
const bookwormBase = expectedImage('debian-bookworm-base');
const appBullseye = expectedImage('app-bullseye');
const appBookworm = expectedImage('app-bookworm');

/** The catalog after `base-images add` of bullseye-slim (then again once refreshed) and bookworm-slim, and `more`. */
function debianCatalog(more: CatalogImage[] = []) {
  return new InMemoryBaseImageCatalog([
    fixtureRecord('debian-bullseye-base', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2025-01-01T00:00:00.000Z' }),
    fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag: 'bookworm-slim', indexedAt: '2025-01-01T00:00:00.000Z' }),
    fixtureRecord('debian-bullseye-refreshed', { repository: DEBIAN, tag: 'bullseye-slim', indexedAt: '2025-06-01T00:00:00.000Z' }),
    ...more,
  ]);
}

function baseOf(outcome: DetectionOutcome): BaseDetection {
  assert.ok(outcome.base, `expected a base, got the reason: ${'reason' in outcome ? outcome.reason : ''}`);
  return outcome.base;
}

function reasonOf(outcome: DetectionOutcome): string {
  assert.equal(outcome.base, undefined, 'expected no base');
  return (outcome as { reason: string }).reason;
}

function withoutAnnotations(source: SbomSource): SbomSource {
  return { ...source, annotations: {} };
}

/** An attestation held in memory (the shape openImage gives), for statements that need no layout. */
function memoryAttestation(describes: string, statements: { predicateType: string; bytes: Buffer | Error }[]): Attestation {
  const layers: Descriptor[] = statements.map((statement, position) => ({
    mediaType: 'application/vnd.in-toto+json',
    digest: `sha256:${createHash('sha256').update(`layer ${position}`).digest('hex')}` as Digest,
    size: statement.bytes instanceof Buffer ? statement.bytes.length : 0,
  }));
  return {
    manifestDigest: `sha256:${'ab'.repeat(32)}` as Digest,
    describes: describes as Digest,
    layers,
    predicateTypes: statements.map((statement) => statement.predicateType),
    read: async (layer) => {
      const bytes = statements[layers.indexOf(layer)]!.bytes;
      if (bytes instanceof Error) throw bytes;
      return bytes;
    },
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
// Digests of images that are in no catalog: made up, but of the real form.
const fakeDigest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const GOLANG = fakeDigest('golang:1.20 index');
const FRONTEND = fakeDigest('docker/dockerfile:1 index');
const bookwormMaterials = [
  imageMaterial('docker/dockerfile', '1', FRONTEND),
  imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest),
  imageMaterial('golang', '1.20', GOLANG),
];

describe('detection by annotation', () => {
  // The manifest's annotations, read without Spyglass: name `registry/repository:tag`, digest the base's manifest.
  const annotatedName = appBullseye.annotations['org.opencontainers.image.base.name']!;
  const annotatedDigest = appBullseye.annotations['org.opencontainers.image.base.digest']!;
  const colon = annotatedName.lastIndexOf(':');

  it('app-bullseye names its base in its manifest annotations', async () => {
    const base = baseOf(await detectBase({ source: fixtureSource('app-bullseye') }));
    assert.equal(base.method, 'annotation');
    assert.deepEqual(base.ref, { repository: annotatedName.slice(0, colon), tag: annotatedName.slice(colon + 1), digest: annotatedDigest });
    assert.equal(base.name, 'debian:bullseye-slim');
    assert.deepEqual(base.evidence, [
      `manifest annotation org.opencontainers.image.base.name = ${annotatedName}`,
      `manifest annotation org.opencontainers.image.base.digest = ${annotatedDigest}`,
    ]);
    assert.deepEqual(base.candidates, [base.ref]);
    // Without a catalog, nothing says how many of the image's layers the base has.
    assert.equal(base.baseLayers, undefined);
    assert.equal(base.entry, undefined);
  });

  it('with the catalog: the annotated digest is the old bullseye-slim record, whose one layer is the image\'s bottom one', async () => {
    assert.equal(annotatedDigest, bullseyeBase.manifestDigest);
    assert.equal(appBullseye.layers[0]!.diffId, bullseyeBase.layers[0]!.diffId);
    const base = baseOf(await detectBase({ source: fixtureSource('app-bullseye') }, debianCatalog()));
    assert.equal(base.method, 'annotation');
    assert.equal(base.entry?.digest, bullseyeBase.manifestDigest);
    assert.equal(base.baseLayers, bullseyeBase.layers.length);
    assert.equal(base.evidence.at(-1), `catalog: debian:bullseye-slim linux/amd64 ${bullseyeBase.manifestDigest}: its 1 layer is the image's bottom 1 layer`);
  });

  it('read from the fixture OCI layout by openImage, the same base', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'spyglass-detect-cache-'));
    const image = await openImage(`oci-dir://${FIXTURE_OCI}`, { cacheDir: cache, ref: 'app-bullseye' });
    try {
      const base = baseOf(await detectBase({ source: imageSource(image), attestations: image.attestations }, debianCatalog()));
      assert.equal(base.method, 'annotation');
      assert.deepEqual(base.ref, { repository: DEBIAN, tag: 'bullseye-slim', digest: bullseyeBase.manifestDigest });
      assert.equal(base.baseLayers, 1);
    } finally {
      await image.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a base digest the catalog lacks: the record of the named tag whose chain is the image\'s bottom', async () => {
    const source = fixtureSource('app-bullseye');
    const other = fakeDigest('an index digest');
    source.annotations = { ...source.annotations, 'org.opencontainers.image.base.digest': other };
    const base = baseOf(await detectBase({ source }, debianCatalog()));
    assert.equal(base.ref.digest, other);
    assert.equal(base.entry?.digest, bullseyeBase.manifestDigest);
    assert.equal(base.baseLayers, 1);
  });
});

describe('detection by layers', () => {
  it('app-bookworm (no annotations): its bottom layer is debian-bookworm-base\'s whole chain', async () => {
    assert.deepEqual(appBookworm.annotations, {});
    assert.equal(appBookworm.layers[0]!.diffId, bookwormBase.layers[0]!.diffId);
    const base = baseOf(await detectBase({ source: fixtureSource('app-bookworm') }, debianCatalog()));
    assert.equal(base.method, 'layers');
    assert.deepEqual(base.ref, { repository: DEBIAN, tag: 'bookworm-slim', digest: bookwormBase.manifestDigest });
    assert.equal(base.name, 'debian:bookworm-slim');
    assert.equal(base.baseLayers, 1);
    assert.equal(base.entry?.configDigest, bookwormBase.configDigest);
    assert.deepEqual(base.candidates, [base.ref]);
    assert.match(base.evidence[0]!, new RegExp(`^layers: the image's bottom 1 layer \\(${bookwormBase.layers[0]!.diffId.slice(7, 19)}\\) is the whole chain of debian:bookworm-slim linux/amd64 ${bookwormBase.manifestDigest}$`));
  });

  it('app-bullseye without its annotations: the old bullseye-slim digest, not the tag\'s refreshed one', async () => {
    const base = baseOf(await detectBase({ source: withoutAnnotations(fixtureSource('app-bullseye')) }, debianCatalog()));
    assert.equal(base.method, 'layers');
    assert.equal(base.ref.digest, bullseyeBase.manifestDigest);
    assert.notEqual(base.ref.digest, bullseyeRefreshed.manifestDigest);
    assert.equal(base.baseLayers, 1);
  });

  it('an image is not its own base: a catalogued copy of it is passed over', async () => {
    const catalog = debianCatalog([fixtureRecord('app-bookworm', { repository: 'docker.io/example/app', tag: '1.0' })]);
    const base = baseOf(await detectBase({ source: fixtureSource('app-bookworm') }, catalog));
    assert.equal(base.ref.repository, DEBIAN);
  });

  it('a longer catalogued chain wins over its own base, which the evidence names', async () => {
    const intermediate = { ...fixtureRecord('app-bookworm', { repository: 'docker.io/example/debian-tools', tag: '2' }), diffIds: appBookworm.layers.slice(0, 2).map((layer) => layer.diffId as Digest), digest: fakeDigest('tools') as Digest, configDigest: fakeDigest('tools config') as Digest };
    const catalog = debianCatalog([intermediate]);
    const base = baseOf(await detectBase({ source: fixtureSource('app-bookworm') }, catalog));
    assert.equal(base.name, 'example/debian-tools:2');
    assert.equal(base.baseLayers, 2);
    assert.ok(base.evidence.includes('shorter chains that are also a prefix (the base\'s own bases): debian:bookworm-slim'));
  });
});

describe('several tags sharing the digest', () => {
  const tags = ['stable-slim', '12-slim', 'bookworm-slim', '12.5-slim'];

  it('lists every tag, most specific first, and chooses the versioned tag with the most components', async () => {
    const catalog = new InMemoryBaseImageCatalog(tags.map((tag) => fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag })));
    const base = baseOf(await detectBase({ source: fixtureSource('app-bookworm') }, catalog));
    assert.deepEqual(base.candidates.map((candidate) => candidate.tag), ['12.5-slim', '12-slim', 'bookworm-slim', 'stable-slim']);
    assert.deepEqual(base.ref, { repository: DEBIAN, tag: '12.5-slim', digest: bookwormBase.manifestDigest });
    assert.equal(base.entry?.tag, '12.5-slim');
    assert.ok(base.evidence.some((line) => line.startsWith('4 tags have that chain: debian:12.5-slim, debian:12-slim, debian:bookworm-slim, debian:stable-slim;')));
  });

  it('the choice does not depend on the order the catalog holds them in', async () => {
    for (const order of [[...tags].reverse(), [tags[2]!, tags[0]!, tags[3]!, tags[1]!]]) {
      const catalog = new InMemoryBaseImageCatalog(order.map((tag) => fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag })));
      const base = baseOf(await detectBase({ source: fixtureSource('app-bookworm') }, catalog));
      assert.deepEqual(base.candidates.map((candidate) => candidate.tag), ['12.5-slim', '12-slim', 'bookworm-slim', 'stable-slim']);
    }
  });

  it('the rule: dated build > more version components > a name > a floating word; ties by text', () => {
    const ordered = bySpecificity(['latest', 'bookworm', 'v1.2', '1.2.3', '1', 'bookworm-20240612-slim', 'stable', 'trixie', '1.2']
      .map((tag) => ({ repository: DEBIAN, tag })));
    assert.deepEqual(ordered.map((ref) => ref.tag), ['bookworm-20240612-slim', '1.2.3', '1.2', 'v1.2', '1', 'trixie', 'bookworm', 'latest', 'stable']);
  });
});

describe('detection by provenance', () => {
  let dir: string;
  let cache: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-detect-'));
    cache = mkdtempSync(join(tmpdir(), 'spyglass-detect-cache-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  /** app-bookworm in an OCI layout with `statement` attached, read with openImage, then detected. */
  async function detectAttested(name: string, statement: { predicateType: string }, catalog?: InMemoryBaseImageCatalog) {
    const layout = join(dir, name);
    const { attestationDigest } = writeAttestedLayout(layout, 'app-bookworm', [statement]);
    const image = await openImage(`oci-dir://${layout}`, { cacheDir: cache });
    try {
      assert.equal(image.manifestDigest, appBookworm.manifestDigest);
      assert.equal(image.attestations.length, 1);
      return { outcome: await detectBase({ source: imageSource(image), attestations: image.attestations }, catalog), attestationDigest };
    } finally {
      await image.close();
    }
  }

  it('SLSA v1 with the build graph (mode=max): the final stage\'s FROM, and its layers from BuildKit\'s layer map', async () => {
    const statement = provenanceV1({
      manifestDigest: appBookworm.manifestDigest,
      materials: bookwormMaterials,
      frontendSource: 'docker/dockerfile:1',
      llb: twoStageLlb({ golang: `docker-image://docker.io/library/golang:1.20@${GOLANG}`, base: `docker-image://docker.io/library/debian:bookworm-slim@${bookwormBase.manifestDigest}` }),
      layers: { 'step2:0': [[{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: bookwormBase.layers[0]!.digest, size: bookwormBase.layers[0]!.size }]] },
    });
    const { outcome, attestationDigest } = await detectAttested('v1-max', statement);
    const base = baseOf(outcome);
    assert.equal(base.method, 'provenance');
    assert.deepEqual(base.ref, { repository: DEBIAN, tag: 'bookworm-slim', digest: bookwormBase.manifestDigest });
    assert.equal(base.baseLayers, 1);
    assert.deepEqual(base.evidence, [
      `provenance attestation ${attestationDigest} (${V1})`,
      `build graph (llbDefinition): the result's root filesystem goes back to step step2, docker-image://docker.io/library/debian:bookworm-slim@${bookwormBase.manifestDigest}`,
      `material pkg:docker/debian@bookworm-slim?platform=linux%2Famd64 ${bookwormBase.manifestDigest}`,
      'other images the build used: pkg:docker/docker/dockerfile@1?platform=linux%2Famd64 (the Dockerfile frontend), pkg:docker/golang@1.20?platform=linux%2Famd64',
      'BuildKit\'s layer list for that step is the image\'s bottom 1 layer (by blob digest)',
    ]);
  });

  it('SLSA v0.2 without the build graph (mode=min): the catalog tells the final stage\'s FROM from the other stage\'s', async () => {
    const statement = provenanceV02({ manifestDigest: appBookworm.manifestDigest, materials: bookwormMaterials });
    const { outcome, attestationDigest } = await detectAttested('v02-min', statement, debianCatalog());
    const base = baseOf(outcome);
    assert.equal(base.method, 'provenance');
    assert.deepEqual(base.ref, { repository: DEBIAN, tag: 'bookworm-slim', digest: bookwormBase.manifestDigest });
    assert.equal(base.baseLayers, 1);
    assert.equal(base.entry?.digest, bookwormBase.manifestDigest);
    assert.deepEqual(base.evidence, [
      `provenance attestation ${attestationDigest} (${V02})`,
      'not the base: pkg:docker/docker/dockerfile@1?platform=linux%2Famd64 (the Dockerfile frontend)',
      `material pkg:docker/debian@bookworm-slim?platform=linux%2Famd64 ${bookwormBase.manifestDigest}: the catalogued image of that digest is the image's bottom 1 layer`,
      'also listed: pkg:docker/golang@1.20?platform=linux%2Famd64',
    ]);
  });

  it('SLSA v0.2 without the build graph and without a catalog: two stages\' images cannot be told apart', async () => {
    const { outcome, attestationDigest } = await detectAttested('v02-min-nocatalog', provenanceV02({ manifestDigest: appBookworm.manifestDigest, materials: bookwormMaterials }));
    assert.equal(reasonOf(outcome), `provenance attestation ${attestationDigest} (${V02}) lists 2 images (pkg:docker/debian@bookworm-slim?platform=linux%2Famd64, pkg:docker/golang@1.20?platform=linux%2Famd64) and no build graph to say which one the final stage starts FROM (BuildKit mode=min); no org.opencontainers.image.base.name annotation; no base-image catalog to compare layer chains with (\`spyglass base-images add\`)`);
  });

  it('SLSA v0.2 with one image besides the gateway frontend (named by the source argument): that image', async () => {
    const statement = provenanceV02({
      manifestDigest: appBookworm.manifestDigest,
      materials: [imageMaterial('example/frontend', 'v2', FRONTEND), imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest)],
      frontendSource: 'example/frontend:v2',
    });
    const base = baseOf((await detectAttested('v02-one', statement)).outcome);
    assert.equal(base.method, 'provenance');
    assert.equal(base.name, 'debian:bookworm-slim');
    assert.equal(base.baseLayers, undefined);
    assert.ok(base.evidence.includes(`material pkg:docker/debian@bookworm-slim?platform=linux%2Famd64 ${bookwormBase.manifestDigest}: the only image material besides the Dockerfile frontend`));
  });

  it('materials for another platform (a FROM --platform=$BUILDPLATFORM stage) are not candidates', async () => {
    const statement = provenanceV02({
      manifestDigest: appBookworm.manifestDigest,
      materials: [imageMaterial('golang', '1.20', GOLANG, 'linux/arm64'), imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest)],
    });
    const base = baseOf((await detectAttested('v02-platform', statement)).outcome);
    assert.equal(base.name, 'debian:bookworm-slim');
  });

  it('a final stage FROM scratch: no base image, said by the build graph', async () => {
    const statement = provenanceV1({
      manifestDigest: appBookworm.manifestDigest,
      materials: [imageMaterial('golang', '1.20', GOLANG)],
      llb: twoStageLlb({ golang: `docker-image://docker.io/library/golang:1.20@${GOLANG}`, base: '', final: 'scratch' }),
    });
    const outcome = await detectBase({ source: fixtureSource('app-bookworm'), attestations: [memoryAttestation(appBookworm.manifestDigest, [{ predicateType: V1, bytes: json(statement) }])] }, debianCatalog());
    assert.match(reasonOf(outcome), /: the build graph's final stage starts FROM scratch \(step step2\), so the image has no base image$/);
  });
});

describe('bad provenance and no base', () => {
  const label = `provenance attestation sha256:${'ab'.repeat(32)}`;

  it('a provenance document that does not parse is the reason, not an exception', async () => {
    const attestation = memoryAttestation(appBookworm.manifestDigest, [{ predicateType: V02, bytes: Buffer.from('{"_type": "https://in-toto.io/Statement/v0.1", "predicateType": ') }]);
    const reason = reasonOf(await detectBase({ source: fixtureSource('app-bookworm'), attestations: [attestation] }));
    assert.match(reason, new RegExp(`^${label} \\(${V02.replaceAll('.', '\\.')}\\) does not parse: not valid JSON \\(.+\\); no org\\.opencontainers\\.image\\.base\\.name annotation; no base-image catalog`));
  });

  it('a statement whose materials are no list, and one that cannot be read', async () => {
    const statement = provenanceV02({ manifestDigest: appBookworm.manifestDigest, materials: [] });
    const broken = { ...statement, predicate: { ...statement.predicate, materials: { uri: 'pkg:docker/debian@bookworm-slim' } } };
    const attestation = memoryAttestation(appBookworm.manifestDigest, [
      { predicateType: V02, bytes: json(broken) },
      { predicateType: V1, bytes: new Error('blob sha256:… does not match its digest') },
    ]);
    const reason = reasonOf(await detectBase({ source: fixtureSource('app-bookworm'), attestations: [attestation] }));
    assert.ok(reason.startsWith(`${label} (${V02}) does not parse: predicate.materials is not a list; ${label} (${V1}) could not be read: blob sha256:… does not match its digest; `), reason);
  });

  it('a real SLSA provenance of another artifact (slsa-verifier test data, in a Sigstore bundle) is passed over', async () => {
    const bundle = readFileSync(join(SHARED, 'data/specs/slsa/examples/gha_generic-v2.1.0-binary-linux-amd64-workflow_dispatch.intoto.jsonl'));
    const attestation = memoryAttestation(appBookworm.manifestDigest, [{ predicateType: V02, bytes: bundle }]);
    const reason = reasonOf(await detectBase({ source: fixtureSource('app-bookworm'), attestations: [attestation] }));
    assert.ok(reason.startsWith(`${label} (${V02}) describes gha_generic-binary-linux-amd64-workflow_dispatch, not this image; `), reason);
  });

  it('bad provenance does not hide the annotations, and the evidence says it was passed over', async () => {
    const attestation = memoryAttestation(appBullseye.manifestDigest, [{ predicateType: V02, bytes: Buffer.from('not json') }]);
    const base = baseOf(await detectBase({ source: fixtureSource('app-bullseye'), attestations: [attestation] }));
    assert.equal(base.method, 'annotation');
    assert.match(base.evidence.at(-1)!, new RegExp(`^passed over: ${label} \\(.+\\) does not parse: not valid JSON`));
  });

  it('an image with no layers in common with any catalogued image', async () => {
    const catalog = new InMemoryBaseImageCatalog([
      fixtureRecord('debian-bullseye-base', { repository: DEBIAN, tag: 'bullseye-slim' }),
      fixtureRecord('multiarch-amd64', { repository: 'docker.io/example/distroless', tag: 'latest' }),
    ]);
    assert.equal(reasonOf(await detectBase({ source: fixtureSource('app-bookworm') }, catalog)),
      'no provenance attestation; no org.opencontainers.image.base.name annotation; the image shares no layers with any of the 2 catalogued linux/amd64 images');
  });

  it('an image whose bottom layer a catalogued image has, but not that image\'s whole chain', async () => {
    const diverging = { ...fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag: 'bookworm' }), diffIds: [bookwormBase.layers[0]!.diffId as Digest, fakeDigest('another layer') as Digest] };
    const reason = reasonOf(await detectBase({ source: fixtureSource('app-bookworm') }, new InMemoryBaseImageCatalog([diverging])));
    assert.ok(reason.endsWith('the image\'s bottom 1 layer is debian:bookworm\'s, but not its whole chain of 2 layers: no catalogued image is a prefix of this one'), reason);
  });

  it('a catalogued chain of another platform does not match', async () => {
    const arm = fixtureRecord('debian-bookworm-base', { repository: DEBIAN, tag: 'bookworm-slim', platform: 'linux/arm64/v8' });
    const reason = reasonOf(await detectBase({ source: fixtureSource('app-bookworm') }, new InMemoryBaseImageCatalog([arm])));
    assert.ok(reason.endsWith('the base-image catalog holds no linux/amd64 images to compare layers with'), reason);
  });

  it('no provenance, no annotations, no catalog', async () => {
    assert.equal(reasonOf(await detectBase({ source: fixtureSource('app-bookworm') })),
      'no provenance attestation; no org.opencontainers.image.base.name annotation; no base-image catalog to compare layer chains with (`spyglass base-images add`)');
  });
});
