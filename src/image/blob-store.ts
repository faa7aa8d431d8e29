import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.ts';
import type { Descriptor } from './model.ts';

/**
 * Content-addressed access to one image source (a registry repository, an OCI layout directory or
 * archive). `resolveImage()` walks index → manifest → config → layers through it, the same way for
 * every source.
 */
export interface BlobStore {
  /** How errors name this source, e.g. `registry://127.0.0.1:5000/demo/app:v1` or `oci-dir://path`. */
  readonly label: string;
  /**
   * The bytes of a manifest or index, verified against `descriptor.digest` and at most `maxBytes`
   * long. For a registry the descriptor may come from a tag lookup (`fetchRoot`).
   */
  readManifest(descriptor: Descriptor): Promise<Buffer>;
  /** A small blob (config, attestation statement), fully read and verified. */
  readBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer>;
  /** A layer blob as a stream; the stream errors if the bytes do not match `descriptor.digest`. */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  close(): Promise<void>;
}

/** What a source starts from: the top-level descriptor (index or manifest) and the bytes behind it. */
export interface RootManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  /** Names the source gives this root (tag, ref name). */
  names: string[];
}

/** The largest manifest or index accepted (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** The largest config blob accepted. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export type { Digest };
