// Prometheus metrics of this process (its own registry, so that several apps in one test process do
// not collide): HTTP requests by route and status, and, read from the database when scraped, jobs by
// status, webhook events received and images analysed.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerContext } from '../context.ts';
import { toNumber } from '../db/sql.ts';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
}

export function createMetrics(ctx: ServerContext): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'spyglass_' });
  const httpRequests = new Counter({
    name: 'spyglass_http_requests_total', help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  new Gauge({
    name: 'spyglass_jobs', help: 'Jobs in the queue by status (all processes sharing the database)',
    labelNames: ['status'] as const, registers: [registry],
    async collect() {
      const counts = await ctx.queue.counts();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'spyglass_webhook_events', help: 'Registry webhook events recorded (distinct event ids)', registers: [registry],
    async collect() {
      this.set(toNumber((await ctx.sql.get('SELECT COUNT(*) AS n FROM webhook_events'))?.n));
    },
  });
  new Gauge({
    name: 'spyglass_images_analysed', help: 'Stored images with an analysis result', registers: [registry],
    async collect() {
      this.set(toNumber((await ctx.sql.get('SELECT COUNT(*) AS n FROM images WHERE analysed_at IS NOT NULL'))?.n));
    },
  });
  return { registry, httpRequests };
}
