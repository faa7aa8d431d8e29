// Secrets the server keeps. API tokens and webhook secrets are random, shown once, stored as SHA-256
// (they are 256-bit random, so a plain hash is enough: no dictionary to guard against) and compared in
// constant time. Registry credentials and notification signing secrets must be read back, so they are
// encrypted with AES-256-GCM under a key the operator provides (`SPYGLASS_SECRET_KEY`, or
// `--secret-key-file`): 32 bytes as 64 hex digits or base64.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SpyglassError } from '../../core/errors.ts';

export const TOKEN_PREFIX = 'spy_';

/** A new API token: `spy_` + 43 base64url characters (256 bits). */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseSecretKey(text: string, where: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new SpyglassError(`${where}: the secret key must be 32 bytes, as 64 hex digits or base64`);
  return key;
}

/** Encrypts with AES-256-GCM: `v1.` + base64url(iv | tag | ciphertext). */
export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

export function decryptSecret(key: Buffer, sealed: string): string {
  if (!sealed.startsWith('v1.')) throw new SpyglassError('a stored secret is not in a known format');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SpyglassError('a stored secret cannot be decrypted with this secret key (was the key changed?)');
  }
}
