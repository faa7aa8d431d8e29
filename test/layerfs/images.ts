// Test-only image loaders: the image sources are written elsewhere at the same time, so the layerfs
// tests take layer blobs straight out of `docker save` tars (unpacked by the system `tar`) and OCI
// layouts, and wrap them in the shared `Image` model.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../../src/core/digest.ts';
import type { Image, Layer } from '../../src/image/model.ts';

interface OciDescriptor {
  digest: Digest;
  size: number;
  mediaType: string;
  annotations?: Record<string, string>;
}

function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', digest.replace(':', '/'));
}

function makeImage(input: string, configBytes: Buffer, layerFiles: { path: string; digest: Digest; mediaType: string }[], cleanup?: () => void): Image {
  const config = JSON.parse(configBytes.toString('utf8')) as { rootfs: { diff_ids: Digest[] }; os?: string; architecture?: string };
  const diffIds = config.rootfs.diff_ids;
  const layers: Layer[] = layerFiles.map((file, index) => ({
    index,
    digest: file.digest,
    diffId: diffIds[index],
    size: statSync(file.path).size,
    mediaType: file.mediaType,
    open: async () => createReadStream(file.path),
  }));
  const platform = { os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64' };
  return {
    source: 'archive',
    input,
    names: [],
    configDigest: 'sha256:0',
    rawConfig: configBytes,
    config: {
      os: platform.os,
      architecture: platform.architecture,
      env: [],
      labels: {},
      exposedPorts: [],
      volumes: [],
      diffIds,
      history: [],
    },
    platform,
    platforms: [platform],
    layers,
    annotations: {},
    indexAnnotations: {},
    attestations: [],
    close: async () => cleanup?.(),
  };
}

/** An image of an OCI layout directory, chosen by `org.opencontainers.image.ref.name` (or the only one). */
export function imageFromOciLayout(dir: string, refName?: string, input = dir): Image {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: OciDescriptor[] };
  const chosen = refName === undefined
    ? index.manifests[0]
    : index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === refName);
  if (chosen === undefined) throw new Error(`no image ${refName} in ${dir}`);
  const manifest = JSON.parse(readFileSync(blobPath(dir, chosen.digest), 'utf8')) as { config: OciDescriptor; layers: OciDescriptor[] };
  return makeImage(
    input,
    readFileSync(blobPath(dir, manifest.config.digest)),
    manifest.layers.map((layer) => ({ path: blobPath(dir, layer.digest), digest: layer.digest, mediaType: layer.mediaType })),
  );
}

/** An image of a `docker save` tar (classic or Docker 25 OCI style) or an OCI archive, unpacked to a temp dir. */
export function imageFromArchive(tarPath: string): Image {
  const dir = mkdtempSync(join(tmpdir(), 'layerfs-test-'));
  const untar = spawnSync('tar', ['-xf', tarPath, '-C', dir]);
  if (untar.status !== 0) throw new Error(`tar -xf ${tarPath}: ${untar.stderr.toString()}`);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  if (!existsSync(join(dir, 'manifest.json'))) {
    const image = imageFromOciLayout(dir, undefined, tarPath);
    return { ...image, close: async () => cleanup() };
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  const first = manifest[0];
  return makeImage(
    tarPath,
    readFileSync(join(dir, first.Config)),
    first.Layers.map((path) => ({ path: join(dir, path), digest: `sha256:${path.replace(/[^0-9a-f]/g, '').slice(-64)}` as Digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar' })),
    cleanup,
  );
}
