// Dashboard passwords: scrypt (RFC 7914) from node:crypto with a random 16-byte salt, stored as
// `scrypt$N$r$p$salt_b64$hash_b64` so that the cost can be raised later without breaking old hashes.
// Verification always does the same work, also for an unknown user (a fixed dummy hash), so that the
// answer's timing does not tell which emails have accounts.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SpyglassError } from '../../core/errors.ts';
import type { Sql } from '../db/sql.ts';

export const MIN_PASSWORD_LENGTH = 8;
/** scrypt reads the whole password: a bound keeps one request from costing much more than another. */
export const MAX_PASSWORD_LENGTH = 1024;

// N = 2^14, r = 8, p = 1: the scrypt paper's parameters for interactive logins (16 MiB, tens of milliseconds per
// check), so that several sign-ins at once fit a small server; stored hashes name their own cost.
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Refuses a password the server would not accept, naming the rule. */
export function checkPassword(password: string): void {
  if (password === '') throw new SpyglassError('the password is empty');
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw new SpyglassError(`the password is too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) throw new SpyglassError(`the password is too long: at most ${MAX_PASSWORD_LENGTH} characters`);
}

export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, COST, KEY_LENGTH);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface ParsedHash {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || (N & (N - 1)) !== 0 || N > 2 ** 20 || r > 32 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || hash.length < 16) return undefined;
  return { cost: { N, r, p }, salt, hash };
}

// What an unknown user's sign-in is checked against: the same cost as a real hash, never matching.
const DUMMY: ParsedHash = { cost: COST, salt: Buffer.alloc(SALT_LENGTH), hash: Buffer.alloc(KEY_LENGTH) };

/** Whether `password` matches `stored` (undefined: no such user; the same work is done and false returned). */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = (stored === undefined ? undefined : parseHash(stored)) ?? DUMMY;
  const candidate = await derive(password.slice(0, MAX_PASSWORD_LENGTH * 4), parsed.salt, parsed.cost, parsed.hash.length);
  const same = timingSafeEqual(candidate, parsed.hash);
  return same && parsed !== DUMMY;
}

/** Sets (or replaces) a user's password; the user must exist. Their sessions end (a changed password signs everyone out). */
export async function setPassword(sql: Sql, email: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await sql.transaction(async (tx) => {
    const user = await tx.get<{ id: string }>('SELECT id FROM users WHERE email = ?', [email.toLowerCase()]);
    if (user === undefined) throw new SpyglassError(`no user ${email} (add one with spyglass admin create-user)`);
    await tx.run(
      'INSERT INTO user_passwords (user_id, hash, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at',
      [user.id, hash, Date.now()],
    );
    await tx.run('DELETE FROM sessions WHERE user_id = ?', [user.id]);
  });
}

/** The user whose email and password these are, or undefined (unknown email, no password set, wrong password: the same work each time). */
export async function checkCredentials(sql: Sql, email: string, password: string): Promise<{ userId: string; email: string } | undefined> {
  const row = await sql.get<{ id: string; email: string; hash: string }>(
    'SELECT u.id, u.email, p.hash FROM users u JOIN user_passwords p ON p.user_id = u.id WHERE u.email = ?',
    [email.toLowerCase()],
  );
  const matches = await verifyPassword(password, row?.hash);
  return matches && row !== undefined ? { userId: row.id, email: row.email } : undefined;
}
