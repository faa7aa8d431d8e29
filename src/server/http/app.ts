// The HTTP application: the REST API under /api/v1, /healthz, /metrics, the OpenAPI document and the
// webhook receivers (mounted from webhooks/routes.ts). Every error is `{"error": "one line"}`.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorText } from '../../core/errors.ts';
import type { ServerContext } from '../context.ts';
import { registerWebhookRoutes } from '../webhooks/routes.ts';
import { bearerToken, sessionCookie } from './auth.ts';
import { errorHandler, HttpError } from './errors.ts';
import { createMetrics } from './metrics.ts';
import { registerEnvironmentRoutes } from './routes/environments.ts';
import { registerImageRoutes } from './routes/images.ts';
import { registerIntegrationRoutes } from './routes/integrations.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerMemberRoutes } from './routes/members.ts';
import { registerNotificationRoutes } from './routes/notifications.ts';
import { registerPolicyRoutes } from './routes/policies.ts';
import { registerRepositoryRoutes } from './routes/repositories.ts';
import { registerVulnerabilityRoutes } from './routes/vulnerabilities.ts';
import { registerSessionRoutes, signedInUser } from './routes/session.ts';
import { registerWeb } from './web.ts';

export const OPENAPI_DOCUMENT = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export interface AppOptions {
  /** Where internal errors (500s) are reported; default stderr, one line. */
  log?: (line: string) => void;
  /** Told of every route as it is registered (the OpenAPI test compares them with the document). */
  onRoute?: (method: string, url: string) => void;
}

export function buildApp(ctx: ServerContext, options: AppOptions = {}): FastifyInstance {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const app = Fastify({
    bodyLimit: ctx.options.maxBodyBytes, logger: false, return503OnClosing: true,
    ...(ctx.options.trustProxy !== undefined && ctx.options.trustProxy.length > 0 ? { trustProxy: ctx.options.trustProxy } : {}),
  });
  const metrics = createMetrics(ctx);
  const onRoute = options.onRoute;
  if (onRoute !== undefined) {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') onRoute(method, route.url);
    });
  }

  app.setErrorHandler(errorHandler((error, request) => {
    log(`spyglass serve: ${request.method} ${request.url}: ${error instanceof Error && error.stack !== undefined ? error.stack : errorText(error)}`);
  }));
  const web = registerWeb(app);
  app.setNotFoundHandler((request, reply) => {
    if (web(request, reply)) return;
    void reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.sql.get('SELECT 1 AS ok');
      return { status: 'ok', database: ctx.sql.dialect };
    } catch (error) {
      return reply.status(503).send({ error: `database unavailable: ${errorText(error).split('\n')[0]}` });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
  app.get('/api/v1/openapi.json', async () => OPENAPI_DOCUMENT);
  app.get('/api/v1/me', async (request) => {
    const token = bearerToken(request);
    const cookie = token === undefined ? sessionCookie(request) : undefined;
    if (cookie !== undefined) return signedInUser(ctx, cookie);
    const principal = token === undefined ? undefined : await ctx.accounts.authenticate(token);
    if (principal === undefined) throw new HttpError(401, token === undefined ? 'missing API token: send Authorization: Bearer TOKEN' : 'invalid or revoked API token');
    return { org: principal.org, email: principal.email, role: principal.role };
  });

  registerImageRoutes(app, ctx);
  registerRepositoryRoutes(app, ctx);
  registerVulnerabilityRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerEnvironmentRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  return app;
}
