// Environments (docs/server.md, "Environments"): GET /orgs/{org}/environments (each with the image it
// runs per repository), GET /orgs/{org}/environments/{env} (with the previous image of each repository
// in that environment and the trend), PUT /orgs/{org}/environments/{env}/images (records an analysed
// image: Editors and Owners) and GET /orgs/{org}/environments/{env}/sbom?repository=registry/name (the
// stored SBOM and report of the image the environment runs for a repository: `compare --to-env`,
// `cves --env`). Members read.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { environmentDetail, environmentSbom, EnvironmentNotFound, listEnvironments, recordImage } from '../../environments.ts';
import { authorise } from '../auth.ts';
import { objectBody, onlyFields, queryString, requiredString } from '../body.ts';
import { badRequest, HttpError } from '../errors.ts';

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EnvironmentNotFound) throw new HttpError(404, error.message);
    throw error;
  }
}

export function registerEnvironmentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/environments', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    return { environments: await listEnvironments(ctx.sql, org.id) };
  });

  app.get('/api/v1/orgs/:org/environments/:env', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const { env } = request.params as { env: string };
    return answer(() => environmentDetail(ctx.sql, org.id, org.name, env));
  });

  app.put('/api/v1/orgs/:org/environments/:env/images', async (request) => {
    const { org, principal } = await authorise(ctx, request, 'environments:write');
    const { env } = request.params as { env: string };
    const body = objectBody(request.body);
    onlyFields(body, ['image']);
    const image = requiredString(body, 'image');
    return answer(() => recordImage(ctx.sql, org.id, org.name, env, image, principal.email));
  });

  app.get('/api/v1/orgs/:org/environments/:env/sbom', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const { env } = request.params as { env: string };
    const repository = queryString(request.query, 'repository');
    if (repository === undefined || repository === '') throw badRequest('?repository: required, the repository as registry/name');
    return answer(() => environmentSbom(ctx.sql, org.id, org.name, env, repository));
  });
}
