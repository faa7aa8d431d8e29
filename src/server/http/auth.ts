// Who is asking, and may they: the bearer token names one user in one organization. A token asking
// for another organization's path gets 404, the same answer as for an organization that does not
// exist, so that no token learns which other organizations there are.
import type { FastifyRequest } from 'fastify';
import type { Org, Principal } from '../accounts.ts';
import { can, type Action } from '../auth/roles.ts';
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

/** The caller of an /orgs/{org}/… route, allowed to do `action`; throws 401, 404 or 403. */
export async function authorise(ctx: ServerContext, request: FastifyRequest, action: Action): Promise<Caller> {
  const token = bearerToken(request);
  if (token === undefined) throw new HttpError(401, 'missing API token: send Authorization: Bearer TOKEN');
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
