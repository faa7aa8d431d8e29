import { createHash } from 'node:crypto';
import { SpyglassError } from './errors.ts';

/** An OCI content digest, `algorithm:hex` (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests). */
export type Digest = `${string}:${string}`;

const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}|sha384:[a-f0-9]{96})$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

export function parseDigest(value: unknown, what: string): Digest {
  if (!isDigest(value)) throw new SpyglassError(`${what}: invalid digest ${JSON.stringify(value)}`);
  return value;
}

export function digestAlgorithm(digest: Digest): string {
  return digest.slice(0, digest.indexOf(':'));
}

export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function sha256Digest(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function shortDigest(digest: string, length = 12): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, length);
}
