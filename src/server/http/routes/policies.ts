// GET/PUT /orgs/{org}/policies: the organization's policy document (docs/policy.md, the same document
// as the CLI's --policy-file, as JSON). Members read; Editors and Owners replace it. A document with a
// problem is refused whole with the validator's one line (400). Without a stored one: the defaults.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { defaultPolicyDocument, savePolicyDocument, storedPolicyDocument } from '../../policies.ts';
import { authorise } from '../auth.ts';
import { objectBody } from '../body.ts';

export function registerPolicyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/policies', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const stored = await storedPolicyDocument(ctx.sql, org.id);
    return stored === undefined ? { source: 'default', ...defaultPolicyDocument() } : { source: 'organization', ...(JSON.parse(stored) as object) };
  });

  app.put('/api/v1/orgs/:org/policies', async (request) => {
    const { org } = await authorise(ctx, request, 'policies:write');
    const document = objectBody(request.body);
    const policies = await savePolicyDocument(ctx.sql, org.id, document);
    return { source: 'organization', ...document, evaluated: policies.map((policy) => policy.name) };
  });
}
