// /orgs/{org}/integrations: registry integrations (Owner writes; every member reads, without secrets).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { createIntegration, IntegrationExistsError, listIntegrations, removeIntegration } from '../../integrations.ts';
import { authorise } from '../auth.ts';
import { objectBody, onlyFields, optionalInteger, optionalString, requiredString } from '../body.ts';
import { HttpError, notFound } from '../errors.ts';

export function registerIntegrationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/integrations', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    return { integrations: await listIntegrations(ctx.sql, org.id, ctx.options.publicUrl) };
  });

  app.post('/api/v1/orgs/:org/integrations', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'integrations:write');
    const body = objectBody(request.body);
    onlyFields(body, ['type', 'name', 'registry', 'username', 'password', 'pollIntervalSeconds']);
    try {
      const created = await createIntegration(ctx.sql, ctx.options, org.id, {
        type: requiredString(body, 'type'),
        name: requiredString(body, 'name'),
        registry: optionalString(body, 'registry'),
        username: optionalString(body, 'username'),
        password: optionalString(body, 'password'),
        pollIntervalSeconds: optionalInteger(body, 'pollIntervalSeconds'),
      });
      return await reply.status(201).send(created);
    } catch (error) {
      if (error instanceof IntegrationExistsError) throw new HttpError(409, error.message);
      throw error;
    }
  });

  app.delete('/api/v1/orgs/:org/integrations/:id', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'integrations:write');
    const { id } = request.params as { id: string };
    if (!(await removeIntegration(ctx.sql, org.id, id))) throw notFound(`integration ${id}`);
    return reply.status(204).send();
  });
}
