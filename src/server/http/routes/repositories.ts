// /orgs/{org}/repositories: list, add by hand, and activation as a sub-resource
// (PUT …/activation activates, DELETE …/activation deactivates; both idempotent).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { addRepository, listRepositories, RepositoryLimitError, setActivation, type Repository } from '../../repositories.ts';
import { authorise } from '../auth.ts';
import { objectBody, onlyFields, requiredString } from '../body.ts';
import { HttpError, notFound } from '../errors.ts';

export function repositoryView(repository: Repository) {
  return {
    id: repository.id,
    registry: repository.registry,
    name: repository.name,
    repository: repository.reference,
    enabled: repository.enabled,
    enabledAt: repository.enabledAt === undefined ? null : new Date(repository.enabledAt).toISOString(),
    lastPushedAt: repository.lastPushedAt === undefined ? null : new Date(repository.lastPushedAt).toISOString(),
    integrationId: repository.integrationId ?? null,
  };
}

export function registerRepositoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/repositories', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const repositories = await listRepositories(ctx.sql, org.id);
    const limit = ctx.accounts.repositoryLimit(org);
    return {
      repositories: repositories.map(repositoryView),
      activated: repositories.filter((repository) => repository.enabled).length,
      limit,
      plan: org.plan,
    };
  });

  app.post('/api/v1/orgs/:org/repositories', async (request, reply) => {
    const { org } = await authorise(ctx, request, 'repositories:write');
    const body = objectBody(request.body);
    onlyFields(body, ['registry', 'name']);
    const { repository, created } = await addRepository(ctx.sql, org.id, requiredString(body, 'registry'), requiredString(body, 'name'));
    return reply.status(created ? 201 : 200).send(repositoryView(repository));
  });

  const activation = (enabled: boolean) => async (request: import('fastify').FastifyRequest) => {
    const { org } = await authorise(ctx, request, 'repositories:write');
    const { id } = request.params as { id: string };
    try {
      const repository = await setActivation(ctx.sql, ctx.queue, org, ctx.accounts.repositoryLimit(org), id, enabled);
      if (repository === undefined) throw notFound(`repository ${id}`);
      if (enabled) ctx.wake();
      return repositoryView(repository);
    } catch (error) {
      // 409: the request conflicts with the organization's current state (its activated repositories).
      if (error instanceof RepositoryLimitError) throw new HttpError(409, error.message);
      throw error;
    }
  };
  app.put('/api/v1/orgs/:org/repositories/:id/activation', activation(true));
  app.delete('/api/v1/orgs/:org/repositories/:id/activation', activation(false));
}
