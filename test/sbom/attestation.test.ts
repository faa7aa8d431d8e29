// BuildKit SBOM attestations: an OCI layout written by hand (as test/image/attestations.test.ts does),
// whose image has a dpkg database in its layer and an attestation manifest whose in-toto statement
// carries a small SPDX document listing other packages. --sbom-source picks which one is reported.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Sbom } from '../../src/core/sbom.ts';
import { openImage } from '../../src/image/open.ts';
import { sbomFromAttestation } from '../../src/sbom/attestation.ts';
import { runCli } from '../helpers/cli.ts';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

const DPKG_STATUS = 'Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\nMaintainer: nobody\nDescription: greets\n\n';

/** The SPDX predicate, shaped like the one BuildKit's syft scanner writes. */
const PREDICATE = {
  spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: '/run/src/core/sbom',
  documentNamespace: 'https://anchore.com/syft/dir/run/src/core/sbom-1', creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: syft-v0.85.0'] },
  packages: [
    {
      SPDXID: 'SPDXRef-Package-npm-left-pad-1', name: 'left-pad', versionInfo: '1.3.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'NOASSERTION', licenseDeclared: 'WTFPL',
      sourceInfo: 'acquired package info from installed node module manifest file: /app/node_modules/left-pad/package.json',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/left-pad@1.3.0' }],
    },
    {
      SPDXID: 'SPDXRef-Package-deb-zlib1g-2', name: 'zlib1g', versionInfo: '1:1.2.13.dfsg-1', downloadLocation: 'NOASSERTION', licenseDeclared: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12' }],
    },
    { SPDXID: 'SPDXRef-DocumentRoot-Directory-run-src', name: '/run/src', downloadLocation: 'NOASSERTION', primaryPackagePurpose: 'FILE' },
  ],
  relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-DocumentRoot-Directory-run-src' }],
};

function writeLayout(dir: string, withAttestation: boolean): { imageDigest: string; configDigest: string } {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const put = (data: Buffer) => {
    const digest = sha256(data);
    writeFileSync(join(dir, 'blobs/sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const work = mkdtempSync(join(tmpdir(), 'attest-rootfs-'));
  mkdirSync(join(work, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(work, 'var/lib/dpkg/status'), DPKG_STATUS);
  const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', work, '-cf', '-', 'var']);
  rmSync(work, { recursive: true, force: true });
  const layer = put(gzipSync(tar));
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } })));
  const image = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  })));
  const manifests: unknown[] = [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...image, platform: { architecture: 'amd64', os: 'linux' } }];
  if (withAttestation) {
    const statement = Buffer.from(JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document',
      subject: [{ name: 'pkg:docker/demo/app@v1?platform=linux%2Famd64', digest: { sha256: image.digest.slice(7) } }],
      predicate: PREDICATE,
    }));
    const statementBlob = put(statement);
    const attestationConfig = put(Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(statement)] } })));
    const attestation = put(Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...attestationConfig },
      layers: [{ mediaType: 'application/vnd.in-toto+json', ...statementBlob, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }],
    })));
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', ...attestation, platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    });
  }
  const index = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  }));
  return { imageDigest: image.digest, configDigest: config.digest };
}

const purls = (sbom: Sbom) => sbom.packages.map((pkg) => pkg.purl).sort();
const predicatePurls = PREDICATE.packages.flatMap((pkg) => pkg.externalRefs?.map((ref) => ref.referenceLocator) ?? []).sort();

describe('SBOM attestations', () => {
  let attested: string;
  let plain: string;
  let cache: string;
  let written: ReturnType<typeof writeLayout>;
  before(() => {
    attested = mkdtempSync(join(tmpdir(), 'spyglass-sbom-attested-'));
    plain = mkdtempSync(join(tmpdir(), 'spyglass-sbom-plain-'));
    cache = mkdtempSync(join(tmpdir(), 'spyglass-sbom-cache-'));
    written = writeLayout(attested, true);
    writeLayout(plain, false);
  });
  after(() => {
    for (const dir of [attested, plain, cache]) rmSync(dir, { recursive: true, force: true });
  });

  it('sbomFromAttestation decodes the SPDX predicate, with the image as source', async () => {
    const image = await openImage(`oci-dir://${attested}`, { cacheDir: cache });
    try {
      const sbom = (await sbomFromAttestation(image))!;
      assert.deepEqual(purls(sbom), predicatePurls);
      assert.equal(sbom.source.manifestDigest, written.imageDigest);
      assert.equal(sbom.source.configDigest, written.configDigest);
      const leftPad = sbom.packages.find((pkg) => pkg.name === 'left-pad')!;
      assert.deepEqual([leftPad.type, leftPad.version, leftPad.licenses], ['npm', '1.3.0', ['WTFPL']]);
      const zlib = sbom.packages.find((pkg) => pkg.name === 'zlib1g')!;
      assert.deepEqual([zlib.type, zlib.arch, zlib.sourceName, zlib.licenses], ['deb', 'amd64', 'zlib', []]);
      assert.deepEqual(sbom.unknowns.map((unknown) => unknown.path), ['SPDXRef-DocumentRoot-Directory-run-src']);
    } finally {
      await image.close();
    }
  });

  for (const source of ['auto', 'attestation'] as const) {
    it(`--sbom-source ${source} reports the attestation's packages`, () => {
      const result = runCli(['--cache-dir', cache, 'sbom', `oci-dir://${attested}`, '--sbom-source', source, '--format', 'json']);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(purls(JSON.parse(result.stdout) as Sbom), predicatePurls);
    });
  }

  it('--sbom-source layers reads the layers instead (the dpkg database)', () => {
    const result = runCli(['--cache-dir', cache, 'sbom', `oci-dir://${attested}`, '--sbom-source', 'layers', '--format', 'list']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'TYPE  NAME   VERSION\ndeb   hello  2.10-3\n\n1 package: 1 deb\n');
  });

  it('auto falls back to the layers without an attestation; attestation then is a one-line error', () => {
    const auto = runCli(['--cache-dir', cache, 'sbom', `oci-dir://${plain}`, '--format', 'list']);
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stdout, /^deb {3}hello {2}2\.10-3$/m);
    const required = runCli(['--cache-dir', cache, 'sbom', `oci-dir://${plain}`, '--sbom-source', 'attestation']);
    assert.equal(required.status, 1);
    assert.equal(required.stderr, `spyglass: oci-dir://${plain}: the image has no SPDX SBOM attestation (use --sbom-source layers)\n`);
    assert.equal(required.stdout, '');
  });
});
