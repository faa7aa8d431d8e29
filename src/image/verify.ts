import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SpyglassError } from '../core/errors.ts';
import { digestAlgorithm, digestHex, type Digest } from '../core/digest.ts';

/** The hash that computes a digest of this algorithm. */
export function hashFor(digest: Digest, what: string): Hash {
  const algorithm = digestAlgorithm(digest);
  if (algorithm !== 'sha256' && algorithm !== 'sha512' && algorithm !== 'sha384') {
    throw new SpyglassError(`${what}: unsupported digest algorithm ${algorithm}`);
  }
  return createHash(algorithm);
}

export function digestMismatch(what: string, expected: Digest, actualHex: string): SpyglassError {
  return new SpyglassError(`${what}: content does not match its digest ${expected} (got ${digestAlgorithm(expected)}:${actualHex}); rejected`);
}

/** Throws unless `data` has exactly the expected digest and size. */
export function verifyBuffer(data: Buffer, expected: Digest, size: number | undefined, what: string): Buffer {
  const actual = hashFor(expected, what).update(data).digest('hex');
  if (actual !== digestHex(expected)) throw digestMismatch(what, expected, actual);
  if (size !== undefined && data.length !== size) {
    throw new SpyglassError(`${what}: ${data.length} bytes where the descriptor says ${size}; rejected`);
  }
  return data;
}

/**
 * A pass-through stream that fails at the end, before signalling completion, when the bytes that
 * went through do not have the expected digest and size. Whoever reads it never sees a clean end of
 * bad content.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private bytes = 0;
  constructor(
    private readonly expected: Digest,
    private readonly size: number | undefined,
    private readonly what: string,
  ) {
    super();
    this.hash = hashFor(expected, what);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.size !== undefined && this.bytes > this.size) {
      callback(new SpyglassError(`${this.what}: more than the ${this.size} bytes its descriptor says; rejected`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual !== digestHex(this.expected)) callback(digestMismatch(this.what, this.expected, actual));
    else if (this.size !== undefined && this.bytes !== this.size) {
      callback(new SpyglassError(`${this.what}: ${this.bytes} bytes where its descriptor says ${this.size}; rejected`));
    } else callback();
  }
}
