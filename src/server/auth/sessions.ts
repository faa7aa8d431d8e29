// Dashboard sessions and the sign-in rate limit, both in the server database so that every API process
// agrees. The cookie holds 32 random bytes; the table keeps only their SHA-256 (like API tokens), with the
// session's CSRF token, its absolute end (sign-in + sessionMaxMs) and when it was last used (the idle end
// is last use + sessionIdleMs, read from the options at each request so that a change applies at once).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SESSION_IDLE_MS, DEFAULT_SESSION_MAX_MS, type ServerOptions } from '../context.ts';
import { toNumber, type Sql } from '../db/sql.ts';
import { hashSecret } from './secrets.ts';
import { isRole, type Role } from './roles.ts';

export const SESSION_COOKIE = 'spyglass_session';

/** Failed sign-ins counted over this window… */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
/** …for one email before it is refused… */
export const LOGIN_FAILURES_PER_EMAIL = 5;
/** …and from one client address (many emails tried from one place). */
export const LOGIN_FAILURES_PER_ADDRESS = 20;

export interface Session {
  id: string;
  userId: string;
  email: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

export type SessionLookup = { state: 'active'; session: Session } | { state: 'expired' } | { state: 'missing' };

export interface OrgMembership {
  name: string;
  role: Role;
  plan: string;
}

type SessionLimits = Pick<ServerOptions, 'sessionIdleMs' | 'sessionMaxMs'>;

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SessionStore {
  /** `limits` is read at every call (the server's options object: tests shorten the lifetimes of a running server). */
  constructor(readonly sql: Sql, readonly limits: SessionLimits = {}) {}

  get idleMs(): number {
    return this.limits.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  }

  get maxMs(): number {
    return this.limits.sessionMaxMs ?? DEFAULT_SESSION_MAX_MS;
  }

  /** A new session for the user: the cookie value (only its hash is stored) and the CSRF token. */
  async create(userId: string, now = Date.now()): Promise<{ cookie: string; csrf: string; expiresAt: number }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = now + this.maxMs;
    // Sessions that ended more than a day ago go (until then they still answer "expired", not "not signed in").
    await this.sql.run('DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?', [now - 86_400_000, now - this.idleMs - 86_400_000]);
    await this.sql.run('INSERT INTO sessions (id, user_id, csrf, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)', [
      hashSecret(cookie), userId, csrf, now, expiresAt, now,
    ]);
    return { cookie, csrf, expiresAt };
  }

  /** The session a cookie value stands for; an active one is touched (its idle end moves on). */
  async lookup(cookie: string, now = Date.now()): Promise<SessionLookup> {
    if (!COOKIE_VALUE.test(cookie)) return { state: 'missing' };
    const row = await this.sql.get(
      'SELECT s.id, s.user_id, u.email, s.csrf, s.created_at, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?',
      [hashSecret(cookie)],
    );
    if (row === undefined) return { state: 'missing' };
    const session: Session = {
      id: String(row.id), userId: String(row.user_id), email: String(row.email), csrf: String(row.csrf),
      createdAt: toNumber(row.created_at), expiresAt: toNumber(row.expires_at), lastSeenAt: toNumber(row.last_seen_at),
    };
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.idleMs) return { state: 'expired' };
    await this.touch(session, now);
    return { state: 'active', session };
  }

  /** Moves the idle end on; at most one write per tenth of the idle lifetime (and per minute), not one per request. */
  async touch(session: Session, now = Date.now()): Promise<void> {
    if (now - session.lastSeenAt < Math.min(60_000, this.idleMs / 10)) return;
    await this.sql.run('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [now, session.id, now]);
    session.lastSeenAt = now;
  }

  /** Signs out: the session row goes (whether it was active or expired). */
  async delete(cookie: string): Promise<boolean> {
    if (!COOKIE_VALUE.test(cookie)) return false;
    return (await this.sql.run('DELETE FROM sessions WHERE id = ?', [hashSecret(cookie)])) > 0;
  }

  /** The organizations the user belongs to, with their role and plan, by name. */
  async memberships(userId: string): Promise<OrgMembership[]> {
    const rows = await this.sql.all(
      'SELECT o.name, m.role, o.plan FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.name',
      [userId],
    );
    return rows.filter((row) => isRole(row.role)).map((row) => ({ name: String(row.name), role: row.role as Role, plan: String(row.plan) }));
  }

  /**
   * Seconds until a sign-in for `email` from `address` is allowed again, or undefined when it is allowed now:
   * refused after LOGIN_FAILURES_PER_EMAIL failures for the email, or LOGIN_FAILURES_PER_ADDRESS from the address,
   * within LOGIN_FAILURE_WINDOW_MS.
   */
  async retryAfter(email: string, address: string, now = Date.now()): Promise<number | undefined> {
    const since = now - LOGIN_FAILURE_WINDOW_MS;
    const until = async (column: 'email' | 'address', value: string, limit: number): Promise<number> => {
      // The limit-th most recent failure in the window: when it leaves the window, fewer than `limit` remain.
      const rows = await this.sql.all(`SELECT at FROM login_failures WHERE ${column} = ? AND at > ? ORDER BY at DESC LIMIT ?`, [value, since, limit]);
      return rows.length < limit ? 0 : toNumber(rows[limit - 1]!.at) + LOGIN_FAILURE_WINDOW_MS;
    };
    const blockedUntil = Math.max(
      await until('email', email.toLowerCase(), LOGIN_FAILURES_PER_EMAIL),
      await until('address', address, LOGIN_FAILURES_PER_ADDRESS),
    );
    return blockedUntil > now ? Math.max(1, Math.ceil((blockedUntil - now) / 1000)) : undefined;
  }

  async recordFailure(email: string, address: string, now = Date.now()): Promise<void> {
    await this.sql.run('DELETE FROM login_failures WHERE at <= ?', [now - LOGIN_FAILURE_WINDOW_MS]);
    await this.sql.run('INSERT INTO login_failures (id, email, address, at) VALUES (?, ?, ?, ?)', [randomUUID(), email.toLowerCase(), address, now]);
  }

  /**
   * A successful sign-in forgets the email's failures. They still count for the address (other emails may have been
   * tried from it, and one good account must not reset that): the rows stay with the email blanked.
   */
  async clearFailures(email: string): Promise<void> {
    await this.sql.run("UPDATE login_failures SET email = '' WHERE email = ?", [email.toLowerCase()]);
  }
}
