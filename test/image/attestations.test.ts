// BuildKit attaches attestations to a multi-platform index as extra manifests with platform
// unknown/unknown and the annotations vnd.docker.reference.type=attestation-manifest and
// vnd.docker.reference.digest=<image manifest> (docs.docker.com/build/metadata/attestations/attestation-storage).
// This test writes such a layout byte by byte, reads it from the OCI layout and from a real registry
// (pushed with skopeo --all), and expects the attestation on the image, never as a platform.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { openImage } from '../../src/image/open.ts';
import { formatPlatform } from '../../src/core/platform.ts';
import { runCli } from '../helpers/cli.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Written { digest: string; size: number }

/** An OCI layout with one linux/amd64 image and its SLSA provenance attestation, as BuildKit writes them. */
function writeAttestedLayout(dir: string): { image: Written; attestation: Written; index: Written; statement: Buffer } {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const put = (data: Buffer): Written => {
    const digest = sha256(data);
    writeFileSync(join(dir, 'blobs/sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const work = mkdtempSync(join(tmpdir(), 'attest-rootfs-'));
  writeFileSync(join(work, 'hello.txt'), 'hello\n');
  const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', work, '-cf', '-', 'hello.txt']);
  rmSync(work, { recursive: true, force: true });
  const layer = put(gzipSync(tar));
  const config = put(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, history: [{ created_by: 'COPY hello.txt / # buildkit' }],
  })));
  const image = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  })));
  const statement = Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'pkg:docker/demo/app@v1?platform=linux%2Famd64', digest: { sha256: image.digest.slice(7) } }],
    predicate: { builder: { id: '' }, buildType: 'https://mobyproject.org/buildkit@v1', materials: [{ uri: 'pkg:docker/debian@bookworm-slim?platform=linux%2Famd64', digest: { sha256: 'a'.repeat(64) } }] },
  }));
  const statementBlob = put(statement);
  const attestationConfig = put(Buffer.from('{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["' + sha256(statement) + '"]}}'));
  const attestation = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...attestationConfig },
    layers: [{ mediaType: 'application/vnd.in-toto+json', ...statementBlob, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
  })));
  const index = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...image, platform: { architecture: 'amd64', os: 'linux' } },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json', ...attestation, platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  }));
  return { image, attestation, index, statement };
}

describe('BuildKit attestation manifests', () => {
  let dir: string;
  let cache: string;
  let registry: TestRegistry;
  let written: ReturnType<typeof writeAttestedLayout>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-attested-'));
    cache = mkdtempSync(join(tmpdir(), 'spyglass-attested-cache-'));
    written = writeAttestedLayout(dir);
    registry = await startRegistry();
    execFileSync('skopeo', ['copy', '--quiet', '--all', '--dest-tls-verify=false', `oci:${dir}:v1`, `docker://${registry.host}/demo/attested:v1`]);
  });
  after(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  for (const source of ['oci-dir', 'registry'] as const) {
    it(`${source}: the attestation belongs to the image and is not a platform`, async () => {
      const input = source === 'oci-dir' ? `oci-dir://${dir}` : `registry://${registry.host}/demo/attested:v1`;
      const image = await openImage(input, { cacheDir: cache });
      try {
        assert.equal(image.manifestDigest, written.image.digest);
        assert.equal(image.indexDigest, written.index.digest);
        assert.deepEqual(image.platforms.map(formatPlatform), ['linux/amd64']);
        assert.equal(image.attestations.length, 1);
        const [attestation] = image.attestations;
        assert.equal(attestation!.manifestDigest, written.attestation.digest);
        assert.equal(attestation!.describes, written.image.digest);
        assert.deepEqual(attestation!.predicateTypes, ['https://slsa.dev/provenance/v0.2']);
        assert.deepEqual(await attestation!.read(attestation!.layers[0]!), written.statement);
      } finally {
        await image.close();
      }
    });
  }

  it('an explicit platform that only the attestation has is not in the index', async () => {
    const result = runCli(['--cache-dir', cache, 'inspect', `oci-dir://${dir}`, '--platform', 'unknown/unknown']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^spyglass: .*platform unknown\/unknown is not in the image index \(it has linux\/amd64\)\n$/);
  });

  it('inspect lists the attestation with its predicate type', () => {
    const result = runCli(['--cache-dir', cache, 'inspect', `oci-dir://${dir}`]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Attestations:\\n  ${written.attestation.digest}  https://slsa.dev/provenance/v0.2`));
  });
});
