// /api/v1/session: the dashboard's sign-in (POST), who is signed in (GET) and sign-out (DELETE). The
// session lives in a cookie the page's scripts cannot read (HttpOnly) and the browser sends only from
// this site's own pages (SameSite=Strict); changes also need the CSRF token the sign-in answer carries
// (auth.ts). Wrong email and wrong password answer alike, and failures are rate-limited in the database.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { stringifySetCookie } from 'cookie';
import { checkCredentials, MAX_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { SESSION_COOKIE, SessionStore, type OrgMembership } from '../../auth/sessions.ts';
import type { ServerContext } from '../../context.ts';
import { checkCsrf, sessionCookie } from '../auth.ts';
import { objectBody, onlyFields } from '../body.ts';
import { badRequest, HttpError } from '../errors.ts';

export interface SignedIn {
  email: string;
  orgs: OrgMembership[];
  csrfToken: string;
}

function cookieOptions(ctx: ServerContext): { httpOnly: true; sameSite: 'strict'; path: '/'; secure: boolean } {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: ctx.options.publicUrl.startsWith('https://') };
}

function clearCookie(ctx: ServerContext, reply: FastifyReply): void {
  void reply.header('set-cookie', stringifySetCookie(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0, expires: new Date(0) }));
}

/** `GET /api/v1/me` with the session cookie: the user and their organizations; throws 401. */
export async function signedInUser(ctx: ServerContext, cookie: string): Promise<{ email: string; orgs: OrgMembership[] }> {
  const store = new SessionStore(ctx.sql, ctx.options);
  const found = await store.lookup(cookie);
  if (found.state === 'expired') throw new HttpError(401, 'session expired: sign in again');
  if (found.state === 'missing') throw new HttpError(401, 'not signed in');
  return { email: found.session.email, orgs: await store.memberships(found.session.userId) };
}

export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/session', async (request, reply): Promise<SignedIn | undefined> => {
    const body = objectBody(request.body);
    onlyFields(body, ['email', 'password']);
    const { email, password } = body;
    if (typeof email !== 'string' || email.trim() === '') throw badRequest('email: required, a non-empty string');
    if (typeof password !== 'string' || password === '') throw badRequest('password: required, a non-empty string');
    if (email.length > 320 || [...password].length > MAX_PASSWORD_LENGTH) throw new HttpError(401, 'wrong email or password');
    const store = new SessionStore(ctx.sql, ctx.options);
    const address = request.ip;
    const login = email.trim();
    const wait = await store.retryAfter(login, address);
    if (wait !== undefined) {
      void reply.status(429).header('retry-after', String(wait)).header('cache-control', 'no-store');
      return reply.send({ error: `too many failed sign-ins; try again in ${wait} seconds` });
    }
    const user = await checkCredentials(ctx.sql, login, password);
    if (user === undefined) {
      await store.recordFailure(login, address);
      throw new HttpError(401, 'wrong email or password');
    }
    await store.clearFailures(user.email);
    const created = await store.create(user.userId);
    const maxAge = Math.max(1, Math.round((created.expiresAt - Date.now()) / 1000));
    void reply
      .header('set-cookie', stringifySetCookie(SESSION_COOKIE, created.cookie, { ...cookieOptions(ctx), maxAge }))
      .header('cache-control', 'no-store');
    return { email: user.email, orgs: await store.memberships(user.userId), csrfToken: created.csrf };
  });

  app.get('/api/v1/session', async (request, reply): Promise<SignedIn | undefined> => {
    void reply.header('cache-control', 'no-store');
    const cookie = sessionCookie(request);
    if (cookie === undefined) throw new HttpError(401, 'not signed in');
    const store = new SessionStore(ctx.sql, ctx.options);
    const found = await store.lookup(cookie);
    if (found.state !== 'active') {
      clearCookie(ctx, reply);
      return reply.status(401).send({ error: found.state === 'expired' ? 'session expired: sign in again' : 'not signed in' });
    }
    return { email: found.session.email, orgs: await store.memberships(found.session.userId), csrfToken: found.session.csrf };
  });

  app.delete('/api/v1/session', async (request, reply) => {
    const cookie = sessionCookie(request);
    if (cookie === undefined) throw new HttpError(401, 'not signed in');
    const store = new SessionStore(ctx.sql, ctx.options);
    const found = await store.lookup(cookie);
    if (found.state === 'missing') {
      clearCookie(ctx, reply);
      return reply.status(401).send({ error: 'not signed in' });
    }
    // An expired session is gone whoever asks; an active one is ended only by its own pages.
    if (found.state === 'active') checkCsrf(request, found.session);
    await store.delete(cookie);
    clearCookie(ctx, reply);
    return reply.status(204).send();
  });
}
