// /orgs/{org}/jobs: analysis jobs of the organization, with their status, attempts and last error.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import type { Job, JobStatus } from '../../jobs/queue.ts';
import { authorise } from '../auth.ts';
import { queryString } from '../body.ts';
import { badRequest, notFound } from '../errors.ts';

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed'];

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function jobView(job: Job) {
  return {
    id: job.id, kind: job.kind, status: job.status, attempts: job.attempts, maxAttempts: job.maxAttempts,
    error: job.error ?? null, payload: job.payload,
    createdAt: iso(job.createdAt), startedAt: iso(job.startedAt), finishedAt: iso(job.finishedAt),
    runAfter: job.status === 'queued' ? iso(job.runAfter) : null,
  };
}

export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/orgs/:org/jobs', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const status = queryString(request.query, 'status');
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw badRequest(`?status=${status}: expected one of ${STATUSES.join(', ')}`);
    const kind = queryString(request.query, 'kind');
    const limitText = queryString(request.query, 'limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest(`?limit=${limitText}: expected a whole number from 1 to 1000`);
    const jobs = await ctx.queue.list({ orgId: org.id, limit, ...(status !== undefined ? { status: status as JobStatus } : {}), ...(kind !== undefined ? { kind } : {}) });
    return { jobs: jobs.map(jobView) };
  });

  app.get('/api/v1/orgs/:org/jobs/:id', async (request) => {
    const { org } = await authorise(ctx, request, 'read');
    const { id } = request.params as { id: string };
    const job = await ctx.queue.get(id);
    if (job === undefined || job.orgId !== org.id) throw notFound(`job ${id}`);
    return jobView(job);
  });
}
