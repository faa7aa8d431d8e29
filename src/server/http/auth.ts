// Who is asking, and may they: the bearer token names one user in one organization. A token asking
// for another organization's path gets 404, the same answer as for an organization that does not
// exist, so that no token learns which other organizations there are.
//
// The dashboard signs in instead (routes/session.ts): its session cookie stands for a user, whose role in
// {org} is their membership there (not a member: the same 404). A cookie alone is sent by the browser
// whoever made the page, so every change (any method but GET and HEAD) also needs the session's CSRF token
// in X-CSRF-Token, which only the dashboard's own pages have read.
import type { FastifyRequest } from 'fastify';
import { parseCookie } from 'cookie';
import type { Org, Principal } from '../accounts.ts';
import { can, isRole, type Action } from '../auth/roles.ts';
import { constantTimeEqual, SESSION_COOKIE, SessionStore, type Session } from '../auth/sessions.ts';
import type { ServerContext } from '../context.ts';
import { HttpError } from './errors.ts';

export interface Caller {
  principal: Principal;
  org: Org;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header === '') return undefined;
  const value = parseCookie(header)[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/** The signed-in session of a request with the cookie; throws 401 (none, unknown or expired). */
export async function requireSession(ctx: ServerContext, cookie: string): Promise<Session> {
  const found = await new SessionStore(ctx.sql, ctx.options).lookup(cookie);
  if (found.state === 'expired') throw new HttpError(401, 'session expired: sign in again');
  if (found.state === 'missing') throw new HttpError(401, 'not signed in');
  return found.session;
}

/** Changes made with the session cookie carry the session's CSRF token; throws 403. */
export function checkCsrf(request: FastifyRequest, session: Session): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !constantTimeEqual(header, session.csrf)) throw new HttpError(403, 'invalid or missing CSRF token');
}

async function authoriseSession(ctx: ServerContext, request: FastifyRequest, cookie: string, action: Action): Promise<Caller> {
  const session = await requireSession(ctx, cookie);
  checkCsrf(request, session);
  const orgName = (request.params as { org?: string }).org ?? '';
  const row = await ctx.sql.get(
    'SELECT o.id AS org_id, m.role FROM orgs o JOIN memberships m ON m.org_id = o.id WHERE o.name = ? AND m.user_id = ?',
    [orgName, session.userId],
  );
  if (row === undefined || !isRole(row.role)) throw new HttpError(404, `organization ${orgName} not found`);
  const principal: Principal = { tokenId: '', orgId: String(row.org_id), org: orgName, userId: session.userId, email: session.email, role: row.role };
  if (!can(principal.role, action)) {
    throw new HttpError(403, `your role in ${principal.org} is ${principal.role}, which may not do this (${action})`);
  }
  const org = await ctx.accounts.org(orgName);
  if (org === undefined) throw new HttpError(404, `organization ${orgName} not found`);
  return { principal, org };
}

/**
 * The caller of an /orgs/{org}/… route, allowed to do `action`; throws 401, 404 or 403. A bearer token wins
 * over a session cookie (a request with both is the CLI's or a script's).
 */
export async function authorise(ctx: ServerContext, request: FastifyRequest, action: Action): Promise<Caller> {
  const token = bearerToken(request);
  if (token === undefined) {
    const cookie = sessionCookie(request);
    if (cookie !== undefined) return authoriseSession(ctx, request, cookie, action);
    throw new HttpError(401, 'missing API token: send Authorization: Bearer TOKEN');
  }
  const principal = await ctx.accounts.authenticate(token);
  if (principal === undefined) throw new HttpError(401, 'invalid or revoked API token');
  const orgName = (request.params as { org?: string }).org ?? '';
  if (orgName !== principal.org) throw new HttpError(404, `organization ${orgName} not found`);
  if (!can(principal.role, action)) {
    throw new HttpError(403, `your role in ${principal.org} is ${principal.role}, which may not do this (${action})`);
  }
  const org = await ctx.accounts.org(principal.org);
  if (org === undefined) throw new HttpError(404, `organization ${orgName} not found`);
  // At most one write a minute per token, not one per request.
  const now = Date.now();
  await ctx.sql.run('UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [now, principal.tokenId, now - 60_000]).catch(() => undefined);
  return { principal, org };
}
