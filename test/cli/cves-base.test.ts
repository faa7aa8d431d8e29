// `spyglass cves --ignore-base / --only-base`: the findings of the image's own packages, or of its base's.
// The base and its layer count come from SLSA v1 provenance with BuildKit's build graph and layer map
// (attached to app-bookworm in an OCI layout the way BuildKit attaches it), or from the base-image
// catalog filled by `spyglass base-images add` (app-bullseye by its annotations, app-bookworm by its
// layers); which packages the base layer introduced comes from the fixture manifests.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { imageMaterial, provenanceV1, twoStageLlb, writeAttestedLayout } from '../helpers/provenance.ts';

interface ReportJson {
  baseImage?: { name: string; digest?: string };
  vulnerabilities: { id: string; package: { id: string; name: string; version: string } }[];
}

type Manifest = ReturnType<typeof expectedImage> & { packages: { name: string; version: string; introducedLayerDiffId?: string }[] };
const appBookworm = expectedImage('app-bookworm') as Manifest;
const bookwormBase = expectedImage('debian-bookworm-base');

let work: string;
let layout: string;
let env: NodeJS.ProcessEnv;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-cves-base-'));
  env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), CI: '1' };
  layout = join(work, 'attested');
  const golang = `sha256:${'1'.repeat(64)}`;
  writeAttestedLayout(layout, 'app-bookworm', [provenanceV1({
    manifestDigest: appBookworm.manifestDigest,
    materials: [imageMaterial('debian', 'bookworm-slim', bookwormBase.manifestDigest), imageMaterial('golang', '1.20', golang)],
    llb: twoStageLlb({ golang: `docker-image://docker.io/library/golang:1.20@${golang}`, base: `docker-image://docker.io/library/debian:bookworm-slim@${bookwormBase.manifestDigest}` }),
    layers: { 'step2:0': [[{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: bookwormBase.layers[0]!.digest, size: bookwormBase.layers[0]!.size }]] },
  })]);
});
after(() => rmSync(work, { recursive: true, force: true }));

function cvesJson(args: string[], runEnv = env): ReportJson {
  const result = runCli(['cves', ...args, '--format', 'json'], { env: runEnv });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ReportJson;
}

const findingKeys = (report: ReportJson) => report.vulnerabilities.map((finding) => `${finding.package.id} ${finding.id}`).sort();

/**
 * --ignore-base and --only-base partition the image's findings, at the packages the manifest says its
 * bottom layer introduced; returns the --only-base report.
 */
function assertSplit(image: string, args: string[], runEnv = env): ReportJson {
  const all = cvesJson(args, runEnv);
  const own = cvesJson([...args, '--ignore-base'], runEnv);
  const base = cvesJson([...args, '--only-base'], runEnv);
  assert.ok(own.vulnerabilities.length > 0 && base.vulnerabilities.length > 0);
  assert.deepEqual([...findingKeys(own), ...findingKeys(base)].sort(), findingKeys(all));
  const manifest = expectedImage(image) as Manifest;
  const introducedByBase = new Set(manifest.packages.filter((pkg) => pkg.introducedLayerDiffId === manifest.layers[0]!.diffId).map((pkg) => `${pkg.name}@${pkg.version}`));
  for (const finding of base.vulnerabilities) assert.ok(introducedByBase.has(`${finding.package.name}@${finding.package.version}`), `${finding.package.name} is not the base's`);
  for (const finding of own.vulnerabilities) assert.ok(!introducedByBase.has(`${finding.package.name}@${finding.package.version}`), `${finding.package.name} is the base's`);
  return base;
}

describe('cves --ignore-base and --only-base', () => {
  it('with provenance: split the findings between the packages the base layer introduced and the rest', () => {
    const base = assertSplit('app-bookworm', [`oci-dir://${layout}`]);
    assert.deepEqual(base.baseImage, { name: 'debian:bookworm-slim', digest: bookwormBase.manifestDigest });
  });

  describe('with the base-image catalog', () => {
    let catalogEnv: NodeJS.ProcessEnv;
    before(() => {
      const dataDir = join(work, 'data');
      mkdirSync(dataDir);
      symlinkSync(join(fixtureDatabase(), 'spyglass.db'), join(dataDir, 'spyglass.db'));
      catalogEnv = { ...env, SPYGLASS_DATA_DIR: dataDir };
      for (const [ref, name] of [['debian-bullseye-base', 'debian:bullseye-slim'], ['debian-bookworm-base', 'debian:bookworm-slim']]) {
        const added = runCli(['base-images', 'add', `oci-dir://${FIXTURE_OCI}`, '--ref', ref!, '--as', name!], { env: catalogEnv });
        assert.equal(added.status, 0, added.stderr);
      }
    });

    it('app-bullseye: the annotated base, its layer count from the catalog', () => {
      const base = assertSplit('app-bullseye', [`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye'], catalogEnv);
      // The report keeps the annotation's own name for the base.
      assert.equal(base.baseImage?.digest, expectedImage('debian-bullseye-base').manifestDigest);
    });

    it('app-bookworm (no annotations, no provenance): the base found by its layers', () => {
      const base = assertSplit('app-bookworm', [`oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm'], catalogEnv);
      assert.deepEqual(base.baseImage, { name: 'debian:bookworm-slim', digest: bookwormBase.manifestDigest });
    });
  });

  it('a base known from annotations alone, with no catalog to count its layers: one line, exit 1', () => {
    const result = runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye', '--ignore-base'], { env });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'spyglass: --ignore-base: base image debian:bullseye-slim (from annotations) is not in the base-image catalog, so which layers are its is unknown; add it with `spyglass base-images add`\n');
  });

  it('an unknown base: one line with the reason, exit 1', () => {
    const result = runCli(['cves', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', '--only-base'], { env });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `spyglass: --only-base: the base image of oci-dir://${FIXTURE_OCI} is unknown: no provenance attestation; no org.opencontainers.image.base.name annotation; no base-image catalog to compare layer chains with (\`spyglass base-images add\`)\n`);
  });

  it('both flags at once: one line before anything is read', () => {
    const result = runCli(['cves', `oci-dir://${work}/missing`, '--ignore-base', '--only-base'], { env });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'spyglass: --ignore-base and --only-base exclude each other: give one\n');
  });
});
