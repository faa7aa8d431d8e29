// /orgs/{org}/members and /orgs/{org}/tokens: Owner only. An organization always keeps an Owner.
import type { FastifyInstance } from 'fastify';
import { isRole } from '../../auth/roles.ts';
import type { ServerContext } from '../../context.ts';
import { authorise } from '../auth.ts';
import { objectBody, onlyFields, optionalString, requiredString } from '../body.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function registerMemberRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/members', async (request) => {
    const { org } = await authorise(ctx, request, 'members:write');
    const members = await ctx.accounts.members(org.id);
    return { members: members.map((member) => ({ email: member.email, role: member.role, createdAt: iso(member.createdAt) })) };
  });

  const ownersOtherThan = async (orgId: string, email: string): Promise<number> =>
    (await ctx.accounts.members(orgId)).filter((member) => member.role === 'owner' && member.email !== email.toLowerCase()).length;

  app.put('/api/v1/orgs/:org/members', async (request) => {
    const { org } = await authorise(ctx, request, 'members:write');
    const body = objectBody(request.body);
    onlyFields(body, ['email', 'role']);
    const email = requiredString(body, 'email');
    const role = requiredString(body, 'role');
    if (!isRole(role)) throw badRequest(`role ${JSON.stringify(role)}: expected owner, editor or member`);
    if (role !== 'owner' && (await ownersOtherThan(org.id, email)) === 0) {
      throw new HttpError(409, `${email} is the last owner of ${org.name}; make someone else owner first`);
    }
    await ctx.accounts.setMember(org.name, email, role);
    return { email: email.toLowerCase(), role };
  });

  app.delete('/api/v1/orgs/:org/members/:email', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'members:write');
    const { email } = request.params as { email: string };
    const member = (await ctx.accounts.members(org.id)).find((m) => m.email === email.toLowerCase());
    if (member === undefined) throw notFound(`member ${email}`);
    if (member.role === 'owner' && (await ownersOtherThan(org.id, email)) === 0) {
      throw new HttpError(409, `${email} is the last owner of ${org.name}; make someone else owner first`);
    }
    await ctx.accounts.removeMember(org.id, email);
    return reply.status(204).send();
  });

  app.get('/api/v1/orgs/:org/tokens', async (request) => {
    const { org } = await authorise(ctx, request, 'tokens:write');
    const tokens = await ctx.accounts.tokens(org.id);
    return {
      tokens: tokens.map((token) => ({
        id: token.id, name: token.name, email: token.email, createdAt: iso(token.createdAt),
        revokedAt: iso(token.revokedAt), lastUsedAt: iso(token.lastUsedAt),
      })),
    };
  });

  app.post('/api/v1/orgs/:org/tokens', async (request, reply) => {
    const { org, principal } = await authorise(ctx, request, 'tokens:write');
    const body = request.body === undefined || request.body === null ? {} : objectBody(request.body);
    onlyFields(body, ['name', 'email']);
    const name = optionalString(body, 'name') ?? 'api';
    if (name.length > 100) throw badRequest('name: at most 100 characters');
    const email = optionalString(body, 'email') ?? principal.email;
    if (!(await ctx.accounts.members(org.id)).some((member) => member.email === email.toLowerCase())) {
      throw badRequest(`email ${JSON.stringify(email)}: not a member of ${org.name}`);
    }
    const created = await ctx.accounts.createToken(org.name, email, name);
    return reply.status(201).send(created);
  });

  app.delete('/api/v1/orgs/:org/tokens/:id', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'tokens:write');
    const { id } = request.params as { id: string };
    if (id.startsWith('spy_')) throw badRequest('give the token id, not the token itself, in the URL');
    if (!(await ctx.accounts.revokeToken(id, org.id))) throw notFound(`token ${id}`);
    return reply.status(204).send();
  });
}
