// What every part of the server is handed: the database, accounts, the job queue, the vulnerability
// database's data directory, the operator's secret key and the limits. One value, built by
// `spyglass serve` / `spyglass worker` (server.ts) and by tests.
import type { Accounts } from './accounts.ts';
import type { Sql } from './db/sql.ts';
import type { JobQueue } from './jobs/queue.ts';

export interface ServerOptions {
  /** Where the vulnerability database (spyglass.db), the blob cache and, with SQLite, server.db live. */
  dataDir: string;
  /** Blob cache directory for image pulls. */
  cacheDir: string;
  /** `postgres://…`; absent: SQLite in dataDir. */
  databaseUrl?: string;
  /** The URL clients and registries reach this server by (webhook URLs are built from it). */
  publicUrl: string;
  /** AES-256-GCM key for registry credentials and notification secrets; absent: they cannot be stored. */
  secretKey?: Buffer;
  /** Largest image analysed, in bytes (compressed layers + config); default 3 GB as Docker Desktop's limit. */
  maxImageBytes: number;
  /** Largest request body accepted, in bytes (webhooks, API). */
  maxBodyBytes: number;
  /** Jobs one worker runs at once. */
  concurrency: number;
  /** Seconds between scheduled `db update` runs; 0 = never (updates made with the CLI are still noticed). */
  dbUpdateIntervalSeconds: number;
  /** Where the scheduled `db update` reads (`db update --source` locations: mirrors, local folders); absent: every feed's default location. */
  dbUpdateSources?: { name: string; location: string }[];
  /** How often the server checks the vulnerability database for a new generation (ms). */
  dbWatchIntervalMs: number;
  /** Allow registries over plain HTTP (loopback registries in tests and labs). */
  insecureRegistries: boolean;
  /** A claimed job's lease (ms) before another worker may take it over; default: the queue's (30 s). */
  jobLeaseMs?: number;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges), so that the sign-in rate limit
   * counts the client's address rather than the proxy's; absent: the connection's own address.
   */
  trustProxy?: string[];
  /** A dashboard session ends after this long without a request (ms); default 12 hours. */
  sessionIdleMs?: number;
  /** A dashboard session ends this long after sign-in whatever happens (ms); default 7 days. */
  sessionMaxMs?: number;
}

export const DEFAULT_MAX_IMAGE_BYTES = 3 * 1000 ** 3;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SESSION_IDLE_MS = 12 * 3600_000;
export const DEFAULT_SESSION_MAX_MS = 7 * 24 * 3600_000;

export interface ServerContext {
  options: ServerOptions;
  sql: Sql;
  accounts: Accounts;
  queue: JobQueue;
  /** Wakes this process's worker (if it runs one) after enqueueing. */
  wake(): void;
}
