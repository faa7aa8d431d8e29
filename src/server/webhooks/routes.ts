// Webhook receivers (registry push notifications), mounted on the API's HTTP app:
//   POST /webhooks/distribution/{integrationId}  Docker distribution notifications (`Authorization: Bearer SECRET`)
//   POST /webhooks/harbor/{integrationId}        Harbor (its auth header verbatim: `Bearer SECRET` or the bare secret)
//   POST /webhooks/artifactory/{integrationId}   JFrog Artifactory (`X-JFrog-Event-Auth: SECRET`)
// Unknown integration → 404; wrong or missing secret → 401; a body that is not the vendor's envelope
// → 400 with nothing stored; otherwise 202 once the pushes are committed (analysis runs later).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { secretMatches } from '../auth/secrets.ts';
import type { ServerContext } from '../context.ts';
import { optionalText } from '../db/sql.ts';
import { ARTIFACTORY_AUTH_HEADER, parseArtifactoryPayload } from './artifactory.ts';
import { DISTRIBUTION_MEDIA_TYPE, parseDistributionEnvelope } from './distribution.ts';
import { WebhookBodyError, type ParsedDelivery } from './events.ts';
import { parseHarborPayload } from './harbor.ts';
import { recordPushes } from './record-push.ts';

type Vendor = 'distribution' | 'harbor' | 'artifactory';

interface Receiver {
  parse(body: string, receivedAt: number): ParsedDelivery;
  /** The secret the request presents, or undefined. */
  presented(request: FastifyRequest): string | undefined;
  contentTypes: readonly string[];
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value.trim() : Array.isArray(value) ? value[0]?.trim() : undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1]?.trim();
}

const RECEIVERS: Record<Vendor, Receiver> = {
  distribution: { parse: parseDistributionEnvelope, presented: bearer, contentTypes: [DISTRIBUTION_MEDIA_TYPE, 'application/json'] },
  harbor: {
    parse: parseHarborPayload,
    // Harbor sends the endpoint's "Auth Header" value as Authorization, whatever it is.
    presented: (request) => bearer(request) ?? (header(request, 'authorization') || undefined),
    contentTypes: ['application/json'],
  },
  artifactory: { parse: parseArtifactoryPayload, presented: (request) => header(request, ARTIFACTORY_AUTH_HEADER) || undefined, contentTypes: ['application/json'] },
};

function fail(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.status(status).send({ error });
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: ServerContext): void {
  void app.register(async (scope) => {
    // Bodies are read as text here and parsed by each vendor's reader (so a bad body is that vendor's 400).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: ctx.options.maxBodyBytes }, (_request, body, done) => done(null, body));

    for (const vendor of Object.keys(RECEIVERS) as Vendor[]) {
      const receiver = RECEIVERS[vendor];
      scope.post<{ Params: { integrationId: string } }>(`/webhooks/${vendor}/:integrationId`, async (request, reply) => {
        const receivedAt = Date.now();
        const { integrationId } = request.params;
        const row = await ctx.sql.get('SELECT id, org_id, type, registry, secret_hash FROM integrations WHERE id = ?', [integrationId]);
        if (row === undefined || row.type !== vendor) return fail(reply, 404, `no ${vendor} integration ${integrationId}`);
        const presented = receiver.presented(request);
        const secretHash = optionalText(row.secret_hash);
        if (presented === undefined || secretHash === undefined || !secretMatches(presented, secretHash)) {
          let why = presented === undefined ? 'missing secret' : 'wrong secret';
          if (vendor === 'artifactory' && presented !== undefined && /^[a-f0-9]{64}$/.test(presented)) {
            why += ' (X-JFrog-Event-Auth looks like a payload signature: turn off "use secret for signing" so Artifactory sends the secret itself)';
          }
          return fail(reply, 401, `${vendor} webhook ${integrationId}: ${why}`);
        }
        const contentType = (header(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (contentType !== '' && !receiver.contentTypes.includes(contentType)) {
          return fail(reply, 415, `${vendor} webhook: unsupported content type ${contentType}; expected ${receiver.contentTypes.join(' or ')}`);
        }
        const body = typeof request.body === 'string' ? request.body : '';
        let parsed: ParsedDelivery;
        try {
          parsed = receiver.parse(body, receivedAt);
        } catch (error) {
          if (error instanceof WebhookBodyError) return fail(reply, 400, error.message);
          throw error;
        }
        const outcome = await recordPushes(ctx, {
          integrationId, orgId: String(row.org_id), ...(optionalText(row.registry) !== undefined ? { registry: String(row.registry) } : {}),
        }, parsed.pushes);
        return reply.status(202).send({
          accepted: outcome.recorded, duplicates: outcome.duplicates, enqueued: outcome.enqueued, ignored: parsed.ignored,
          rejected: parsed.rejected, skipped: outcome.skipped,
        });
      });
    }
  });
}
