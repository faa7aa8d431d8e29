// /orgs/{org}/notifications: where the organization is told about newly disclosed vulnerabilities.
// Owner only, reads included: a Slack incoming-webhook URL is itself a credential.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { createTarget, isNotificationKind, listTargets, removeTarget, NOTIFICATION_KINDS } from '../../notifications-store.ts';
import { findRepository } from '../../repositories.ts';
import { authorise } from '../auth.ts';
import { objectBody, onlyFields, optionalString, requiredString } from '../body.ts';
import { badRequest, notFound } from '../errors.ts';

export function registerNotificationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/notifications', async (request) => {
    const { org } = await authorise(ctx, request, 'notifications:write');
    return { targets: await listTargets(ctx.sql, org.id) };
  });

  app.post('/api/v1/orgs/:org/notifications', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'notifications:write');
    const body = objectBody(request.body);
    onlyFields(body, ['url', 'kind', 'repository']);
    const kind = optionalString(body, 'kind') ?? 'webhook';
    if (!isNotificationKind(kind)) throw badRequest(`kind ${JSON.stringify(kind)}: expected one of ${NOTIFICATION_KINDS.join(', ')}`);
    const repositoryName = optionalString(body, 'repository');
    let repositoryId: string | undefined;
    if (repositoryName !== undefined) {
      const repository = await findRepository(ctx.sql, org.id, repositoryName);
      if (repository === undefined) throw badRequest(`repository ${JSON.stringify(repositoryName)}: no such repository in ${org.name} (give registry/name or an id)`);
      repositoryId = repository.id;
    }
    const created = await createTarget(ctx.sql, ctx.options.secretKey, org.id, { url: requiredString(body, 'url'), kind, repositoryId });
    return reply.status(201).send(created);
  });

  app.delete('/api/v1/orgs/:org/notifications/:id', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'notifications:write');
    const { id } = request.params as { id: string };
    if (!(await removeTarget(ctx.sql, org.id, id))) throw notFound(`notification target ${id}`);
    return reply.status(204).send();
  });
}
