// Webhook receivers (registry push notifications), mounted on the API's HTTP app.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';

export function registerWebhookRoutes(_app: FastifyInstance, _ctx: ServerContext): void {
  // filled in by the webhook work
}
