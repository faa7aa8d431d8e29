// SLSA provenance the way BuildKit writes it (docs.docker.com/build/metadata/attestations/slsa-definitions/;
// moby/buildkit solver/llbsolver/provenance), and an OCI layout that attaches it to a fixture image the
// way BuildKit stores attestations (an index with the image and an attestation manifest whose
// `vnd.docker.reference.digest` is the image's), for tests that read it through openImage.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedImage, FIXTURE_OCI } from './fixtures.ts';

export const V02 = 'https://slsa.dev/provenance/v0.2';
export const V1 = 'https://slsa.dev/provenance/v1';

const hexOf = (digest: string) => digest.slice('sha256:'.length);
const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface Material {
  uri: string;
  digest: string;
}

/** A material as BuildKit's RefToPURL writes an image: familiar name, tag as version, platform qualifier. */
export function imageMaterial(familiarName: string, tag: string, digest: string, platform = 'linux/amd64'): Material {
  return { uri: `pkg:docker/${familiarName}@${tag}?platform=${encodeURIComponent(platform)}`, digest };
}

function subject(imageName: string, manifestDigest: string) {
  return [{ name: `pkg:docker/${imageName}@latest?platform=linux%2Famd64`, digest: { sha256: hexOf(manifestDigest) } }];
}

/** BuildKit's default (`mode=min`) SLSA v0.2 provenance: materials, no build graph. */
export function provenanceV02(options: { manifestDigest: string; materials: Material[]; frontendSource?: string; llb?: unknown[]; layers?: Record<string, unknown> }) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: V02,
    subject: subject('example/app', options.manifestDigest),
    predicate: {
      builder: { id: '' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      materials: options.materials.map((material) => ({ uri: material.uri, digest: { sha256: hexOf(material.digest) } })),
      invocation: {
        configSource: { entryPoint: 'Dockerfile' },
        parameters: {
          frontend: options.frontendSource !== undefined ? 'gateway.v0' : 'dockerfile.v0',
          ...(options.frontendSource !== undefined ? { args: { source: options.frontendSource } } : {}),
          locals: [{ name: 'context' }, { name: 'dockerfile' }],
        },
        environment: { platform: 'linux/amd64' },
      },
      ...(options.llb !== undefined ? { buildConfig: { llbDefinition: options.llb } } : {}),
      metadata: {
        buildInvocationID: 'x9kq3m7dwe2lq0b8v4n1c6r5t',
        buildStartedOn: '2025-06-01T10:00:00.123456789Z',
        buildFinishedOn: '2025-06-01T10:01:30.987654321Z',
        completeness: { parameters: false, environment: true, materials: false },
        reproducible: false,
        'https://mobyproject.org/buildkit@v1#metadata': options.layers !== undefined ? { layers: options.layers } : {},
      },
    },
  };
}

/** BuildKit's SLSA v1 provenance (`version=v1`), with the build graph and layer map when given (`mode=max`). */
export function provenanceV1(options: { manifestDigest: string; materials: Material[]; frontendSource?: string; llb?: unknown[]; layers?: Record<string, unknown> }) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: V1,
    subject: subject('example/app', options.manifestDigest),
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        externalParameters: {
          configSource: { path: 'Dockerfile' },
          request: {
            frontend: options.frontendSource !== undefined ? 'gateway.v0' : 'dockerfile.v0',
            ...(options.frontendSource !== undefined ? { args: { source: options.frontendSource } } : {}),
            locals: [{ name: 'context' }, { name: 'dockerfile' }],
          },
        },
        internalParameters: {
          ...(options.llb !== undefined ? { buildConfig: { llbDefinition: options.llb } } : {}),
          builderPlatform: 'linux/amd64',
        },
        resolvedDependencies: options.materials.map((material) => ({ uri: material.uri, digest: { sha256: hexOf(material.digest) } })),
      },
      runDetails: {
        builder: { id: '' },
        metadata: {
          invocationID: 'x9kq3m7dwe2lq0b8v4n1c6r5t',
          startedOn: '2025-06-01T10:00:00.123456789Z',
          finishedOn: '2025-06-01T10:01:30.987654321Z',
          buildkit_metadata: options.layers !== undefined ? { layers: options.layers } : {},
          buildkit_completeness: { request: true, resolvedDependencies: false },
        },
      },
    },
  };
}

/**
 * The LLB steps (solver/pb/json.go form) of a two-stage Dockerfile like the app images':
 *   FROM golang:1.20 AS tools / RUN go build …
 *   FROM debian:bookworm-slim / RUN apt-get … / COPY app/ /app/ / RUN rm … / COPY --from=tools …
 * `final` replaces the final stage's FROM source op (step2) when given (e.g. to start FROM scratch).
 */
export function twoStageLlb(options: { golang: string; base: string; final?: 'scratch' }): unknown[] {
  const platform = { Architecture: 'amd64', OS: 'linux' };
  const exec = (args: string[]) => ({ Op: { exec: { meta: { args, cwd: '/' }, mounts: [{ dest: '/' }] } }, platform, constraints: {} });
  const copy = (src: string, dest: string, input: number) => ({
    Op: { file: { actions: [{ input, secondaryInput: 1, output: 0, Action: { copy: { src, dest, mode: -1, followSymlink: true, dirCopyContents: true, createDestPath: true, allowWildcard: true, allowEmptyWildcard: true, timestamp: -1 } } }] } },
    platform, constraints: {},
  });
  const steps: unknown[] = [
    { id: 'step0', op: { Op: { source: { identifier: options.golang } }, platform, constraints: {} } },
    { id: 'step1', op: exec(['/bin/sh', '-c', 'go build -o /out/tool ./tool']), inputs: ['step0:0'] },
    { id: 'step2', op: { Op: { source: { identifier: options.base } }, platform, constraints: {} } },
    { id: 'step3', op: exec(['/bin/sh', '-c', 'apt-get update && apt-get install -y --no-install-recommends ca-certificates openssl curl']), inputs: ['step2:0'] },
    { id: 'step4', op: { Op: { source: { identifier: 'local://context', attrs: { 'local.sharedkeyhint': 'context' } } }, constraints: {} } },
    { id: 'step5', op: copy('/app/', '/app/', 0), inputs: ['step3:0', 'step4:0'] },
    { id: 'step6', op: exec(['/bin/sh', '-c', 'rm -rf node_modules/minimist']), inputs: ['step5:0'] },
    { id: 'step7', op: copy('/out/tool', '/usr/local/bin/tool', 0), inputs: ['step6:0', 'step1:0'] },
    { id: 'step8', op: { Op: {} }, inputs: ['step7:0'] },
  ];
  if (options.final === 'scratch') {
    // FROM scratch / COPY --from=tools: one file op whose copy lands on no input (-1).
    return [steps[0], steps[1], { id: 'step2', op: copy('/out/tool', '/tool', -1), inputs: ['step1:0'] }, { id: 'step3', op: { Op: {} }, inputs: ['step2:0'] }];
  }
  return steps;
}

/**
 * An OCI layout holding fixture image `image` (its manifest, config and layer blobs linked from the
 * fixture layout, not copied) in an index with an attestation manifest carrying `statements`.
 */
export function writeAttestedLayout(dir: string, image: string, statements: { predicateType: string }[]): { attestationDigest: string } {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const expected = expectedImage(image);
  const fixtureIndex = JSON.parse(readFileSync(join(FIXTURE_OCI, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string; annotations?: Record<string, string> }[] };
  const entry = fixtureIndex.manifests.find((manifest) => manifest.annotations?.['org.opencontainers.image.ref.name'] === image)!;
  for (const digest of [expected.manifestDigest, expected.configDigest, ...expected.layers.map((layer) => layer.digest)]) {
    symlinkSync(join(FIXTURE_OCI, 'blobs/sha256', hexOf(digest)), join(blobs, hexOf(digest)));
  }
  const put = (data: Buffer) => {
    const digest = sha256(data);
    writeFileSync(join(blobs, hexOf(digest)), data);
    return { digest, size: data.length };
  };
  const layers = statements.map((statement) => ({
    mediaType: 'application/vnd.in-toto+json',
    ...put(Buffer.from(JSON.stringify(statement))),
    annotations: { 'in-toto.io/predicate-type': statement.predicateType },
  }));
  const config = put(Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) } })));
  const attestation = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
  })));
  const index = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: entry.mediaType, digest: entry.digest, size: entry.size, platform: { architecture: 'amd64', os: 'linux' } },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json', ...attestation, platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': entry.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': image } }],
  }));
  return { attestationDigest: attestation.digest };
}
