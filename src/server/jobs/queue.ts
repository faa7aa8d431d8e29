// The durable job queue, in the server database (SQLite or PostgreSQL), no home-made protocol: a job
// is a row; a worker claims one with a single UPDATE … RETURNING (PostgreSQL: the candidate row chosen
// FOR UPDATE SKIP LOCKED, so concurrent workers never take the same one) and holds it under a lease it
// renews while working. A worker that dies (kill -9) stops renewing: when the lease runs out, another
// worker takes the job over. Failures retry with exponential backoff up to the job's attempt limit;
// the last error stays on the row for the API. A dedupe key makes enqueueing idempotent (the same
// digest pushed twice, a registry retrying its notification).
import { randomUUID } from 'node:crypto';
import { toNumber, optionalText, type Row, type Sql } from '../db/sql.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Job<P = unknown> {
  id: string;
  kind: string;
  orgId?: string;
  payload: P;
  dedupeKey?: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  lockedBy?: string;
  leaseUntil?: number;
  error?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface JobSpec {
  kind: string;
  orgId?: string;
  payload: unknown;
  /** Enqueueing a second job with the same key does nothing (whatever the first one's state). */
  dedupeKey?: string;
  maxAttempts?: number;
  /** Not before this time (ms). */
  runAfter?: number;
}

/** A failure that retrying cannot mend (an image over the size limit, a manifest that does not exist). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface QueueOptions {
  /** How long a claimed job is held without a heartbeat before another worker may take it (ms). */
  leaseMs?: number;
  /** First retry delay (ms); doubled per attempt, capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

function jobOf(row: Row): Job {
  return {
    id: String(row.id),
    kind: String(row.kind),
    ...(optionalText(row.org_id) !== undefined ? { orgId: optionalText(row.org_id)! } : {}),
    payload: JSON.parse(String(row.payload)) as unknown,
    ...(optionalText(row.dedupe_key) !== undefined ? { dedupeKey: optionalText(row.dedupe_key)! } : {}),
    status: String(row.status) as JobStatus,
    attempts: toNumber(row.attempts),
    maxAttempts: toNumber(row.max_attempts),
    runAfter: toNumber(row.run_after),
    ...(optionalText(row.locked_by) !== undefined ? { lockedBy: optionalText(row.locked_by)! } : {}),
    ...(row.lease_until !== null && row.lease_until !== undefined ? { leaseUntil: toNumber(row.lease_until) } : {}),
    ...(optionalText(row.error) !== undefined ? { error: optionalText(row.error)! } : {}),
    createdAt: toNumber(row.created_at),
    ...(row.started_at !== null && row.started_at !== undefined ? { startedAt: toNumber(row.started_at) } : {}),
    ...(row.finished_at !== null && row.finished_at !== undefined ? { finishedAt: toNumber(row.finished_at) } : {}),
  };
}

export class JobQueue {
  readonly sql: Sql;
  readonly leaseMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => number;

  constructor(sql: Sql, options: QueueOptions = {}) {
    this.sql = sql;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.#backoffMs = options.backoffMs ?? 2_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  /** Adds a job (in `tx` when given, so that it commits with what caused it); `created: false` when its dedupe key was taken. */
  async enqueue(spec: JobSpec, tx: Sql = this.sql): Promise<{ id: string; created: boolean }> {
    const id = randomUUID();
    const now = this.#now();
    const changed = await tx.run(
      `INSERT INTO jobs (id, kind, org_id, payload, dedupe_key, status, attempts, max_attempts, run_after, created_at)
       VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
      [id, spec.kind, spec.orgId ?? null, JSON.stringify(spec.payload), spec.dedupeKey ?? null, spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, spec.runAfter ?? now, now],
    );
    if (changed > 0) return { id, created: true };
    const existing = await tx.get<{ id: string }>('SELECT id FROM jobs WHERE dedupe_key = ?', [spec.dedupeKey ?? null]);
    return { id: existing?.id ?? id, created: false };
  }

  /**
   * Claims the next ready job of `kinds` for `workerId`: a queued one whose time has come, or a running
   * one whose lease ran out (its worker died). Returns undefined when there is none.
   */
  async claim(workerId: string, kinds: readonly string[]): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const now = this.#now();
    const kindList = kinds.map(() => '?').join(', ');
    const lock = this.sql.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const row = await this.sql.get(
      `UPDATE jobs SET status = 'running', locked_by = ?, lease_until = ?, attempts = attempts + 1, started_at = ?
       WHERE id = (
         SELECT id FROM jobs
         WHERE kind IN (${kindList}) AND ((status = 'queued' AND run_after <= ?) OR (status = 'running' AND lease_until < ?))
         ORDER BY run_after, created_at LIMIT 1 ${lock}
       )
       RETURNING *`,
      [workerId, now + this.leaseMs, now, ...kinds, now, now],
    );
    return row === undefined ? undefined : jobOf(row);
  }

  /** Extends the lease of a job this worker holds; false when it is no longer ours (taken over). */
  async heartbeat(job: Job, workerId: string): Promise<boolean> {
    const changed = await this.sql.run("UPDATE jobs SET lease_until = ? WHERE id = ? AND locked_by = ? AND status = 'running'", [
      this.#now() + this.leaseMs, job.id, workerId,
    ]);
    return changed > 0;
  }

  async complete(job: Job, workerId: string): Promise<void> {
    await this.sql.run("UPDATE jobs SET status = 'done', lease_until = NULL, error = NULL, finished_at = ? WHERE id = ? AND locked_by = ?", [
      this.#now(), job.id, workerId,
    ]);
  }

  /** Records a failure: back in the queue after a backoff, or failed for good (last attempt, or permanent). */
  async fail(job: Job, workerId: string, message: string, permanent: boolean): Promise<JobStatus> {
    const now = this.#now();
    if (permanent || job.attempts >= job.maxAttempts) {
      await this.sql.run("UPDATE jobs SET status = 'failed', lease_until = NULL, error = ?, finished_at = ? WHERE id = ? AND locked_by = ?", [
        message, now, job.id, workerId,
      ]);
      return 'failed';
    }
    const delay = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** Math.max(0, job.attempts - 1));
    await this.sql.run("UPDATE jobs SET status = 'queued', lease_until = NULL, locked_by = NULL, error = ?, run_after = ? WHERE id = ? AND locked_by = ?", [
      message, now + delay, job.id, workerId,
    ]);
    return 'queued';
  }

  /**
   * Running jobs whose lease ran out after their last allowed attempt are failed (nobody may take them
   * again); called by workers before claiming.
   */
  async failAbandoned(): Promise<number> {
    const now = this.#now();
    return this.sql.run(
      "UPDATE jobs SET status = 'failed', error = COALESCE(error, 'the worker holding it stopped'), finished_at = ?, lease_until = NULL WHERE status = 'running' AND lease_until < ? AND attempts >= max_attempts",
      [now, now],
    );
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.sql.get('SELECT * FROM jobs WHERE id = ?', [id]);
    return row === undefined ? undefined : jobOf(row);
  }

  async list(filter: { orgId?: string; status?: JobStatus; kind?: string; limit?: number } = {}): Promise<Job[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const [column, value] of [['org_id', filter.orgId], ['status', filter.status], ['kind', filter.kind]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const rows = await this.sql.all(
      `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`,
      [...params, filter.limit ?? 100],
    );
    return rows.map(jobOf);
  }

  /** Jobs per status (for /metrics and the API). */
  async counts(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of await this.sql.all<{ status: JobStatus; n: unknown }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')) {
      counts[row.status] = toNumber(row.n);
    }
    return counts;
  }
}
