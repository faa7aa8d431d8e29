import { readFile } from 'node:fs/promises';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SpyglassError } from '../../core/errors.ts';
import { shortDigest, type Digest } from '../../core/digest.ts';
import { DOCKER_HUB, DOCKER_HUB_API, familiarImageRef, parseImageRef, type ImageRef } from '../../core/reference.ts';
import { BlobCache } from '../cache/blob-cache.ts';
import type { BlobStore, RootManifest } from '../blob-store.ts';
import type { Descriptor, Image, OpenImageOptions, ProgressSink } from '../model.ts';
import { resolveImage } from '../resolve.ts';
import { verifyBuffer } from '../verify.ts';
import { RegistryClient } from './client.ts';
import { findCredentials } from './credentials.ts';
import type { HttpOptions } from './http.ts';

/** The prefix that makes an input a registry reference explicitly (`registry://alpine:3.20`). */
export const REGISTRY_SCHEME = 'registry://';

/**
 * A BlobStore over one registry repository. Blobs come from the cache when it has them; otherwise
 * they are downloaded, verified while they stream and cached only when they match their digest.
 */
export class RegistryBlobStore implements BlobStore {
  readonly label: string;
  constructor(
    private readonly client: RegistryClient,
    private readonly cache: BlobCache,
    private readonly progress?: ProgressSink,
  ) {
    this.label = client.label;
  }

  /**
   * Manifests fetched by digest are content-addressed like blobs, so they are cached too: an image
   * pinned by digest then opens again with no network at all.
   */
  readManifest(descriptor: Descriptor): Promise<Buffer> {
    return this.manifestByDigest(descriptor.digest, descriptor.size);
  }

  /** A manifest by digest, from the cache or the registry; `size` when a descriptor gave it. */
  async manifestByDigest(digest: Digest, size?: number): Promise<Buffer> {
    const what = `${this.label} manifest ${digest}`;
    if (await this.cache.has(digest)) {
      await this.cache.touch(digest);
      return verifyBuffer(await readFile(this.cache.path(digest)), digest, size, what);
    }
    const fetched = await this.client.getManifest(digest);
    verifyBuffer(fetched.bytes, digest, size, what);
    await this.cache.write(digest, fetched.bytes.length, Readable.from([fetched.bytes]), what);
    return fetched.bytes;
  }

  async readBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    const what = `${this.label} blob ${descriptor.digest}`;
    if (descriptor.size > maxBytes) throw new SpyglassError(`${what}: ${descriptor.size} bytes is more than the ${maxBytes} allowed`);
    if (await this.cache.has(descriptor.digest)) {
      await this.cache.touch(descriptor.digest);
      return verifyBuffer(await readFile(this.cache.path(descriptor.digest)), descriptor.digest, descriptor.size, what);
    }
    const { body } = await this.client.getBlob(descriptor.digest);
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await pipeline(body, await this.cache.tee(descriptor.digest, descriptor.size, what), collect);
    return Buffer.concat(chunks);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const cached = await this.cache.openRead(descriptor.digest);
    if (cached) return cached;
    const what = `${this.label} blob ${descriptor.digest}`;
    const { body } = await this.client.getBlob(descriptor.digest);
    const verified = await this.cache.tee(descriptor.digest, descriptor.size, what);
    const progress = this.progress;
    const id = descriptor.digest;
    progress?.start(id, shortDigest(descriptor.digest), descriptor.size);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress?.advance(id, chunk.length);
        callback(null, chunk);
      },
    });
    verified.once('close', () => progress?.done(id));
    // Errors (network, digest mismatch) destroy every stage, so the reader of `verified` sees them.
    pipeline(body, counter, verified).catch(() => undefined);
    return verified;
  }

  async close(): Promise<void> {}
}

/**
 * The reference to pull from: the same repository on the registry's mirror when one is configured
 * (like dockerd's registry-mirrors); the image keeps its own name in the report.
 */
export function mirroredRef(ref: ImageRef, mirrors: Record<string, string> = {}): ImageRef {
  for (const [registry, mirror] of Object.entries(mirrors)) {
    const host = registry === 'index.docker.io' || registry === DOCKER_HUB_API ? DOCKER_HUB : registry;
    if (host === ref.registry) return { ...ref, registry: mirror };
  }
  return ref;
}

/**
 * Opens an image from a registry: the manifest or index that `ref` (`[registry://]host/repo:tag`,
 * `…@sha256:…`, Docker Hub short names) points at, then down to one platform image.
 */
export async function openRegistryImage(
  ref: string,
  options: OpenImageOptions & { input: string; http?: HttpOptions },
): Promise<Image> {
  const imageRef = parseImageRef(ref.startsWith(REGISTRY_SCHEME) ? ref.slice(REGISTRY_SCHEME.length) : ref);
  const pullRef = mirroredRef(imageRef, options.registryMirrors);
  const credentials = await findCredentials(pullRef.registry, { configPath: options.dockerConfigPath, env: options.env });
  const client = new RegistryClient(pullRef, { insecureRegistries: options.insecureRegistries, credentials, http: options.http });
  const store = new RegistryBlobStore(client, new BlobCache(options.cacheDir), options.progress);
  const names = imageRef.tag ? [familiarImageRef({ ...imageRef, digest: undefined })] : [];
  let root: RootManifest;
  if (imageRef.digest) {
    // The media type comes from the document itself (every schema 2 and OCI manifest states it).
    const bytes = await store.manifestByDigest(imageRef.digest);
    root = { descriptor: { mediaType: '', digest: imageRef.digest, size: bytes.length }, bytes, names };
  } else {
    const fetched = await client.getManifest(imageRef.tag ?? 'latest');
    root = { descriptor: { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length }, bytes: fetched.bytes, names };
  }
  return resolveImage(store, root, { source: 'registry', input: options.input, platform: options.platform });
}
