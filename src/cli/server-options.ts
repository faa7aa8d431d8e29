// Options `spyglass serve` and `spyglass worker` share: the database, the secret key, the limits.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { SpyglassError, errorText } from '../core/errors.ts';
import type { ServerOptions } from '../server/context.ts';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IMAGE_BYTES } from '../server/context.ts';
import { parseSecretKey } from '../server/auth/secrets.ts';
import type { GlobalOptions } from './context.ts';
import { parseSourceOption } from './db.ts';

export interface ServerCommandOptions {
  database?: string;
  publicUrl?: string;
  secretKeyFile?: string;
  maxImageBytes?: string;
  maxBodyBytes?: string;
  concurrency?: string;
  dbUpdateInterval?: string;
  dbSource?: string[];
  insecureRegistry?: boolean;
  leaseSeconds?: string;
  trustProxy?: string;
}

export function addDatabaseOption(command: Command): Command {
  return command.option('--database <url>', 'postgres://… (default $SPYGLASS_DATABASE_URL, else SQLite in the data directory)');
}

export function addWorkerOptions(command: Command): Command {
  return addDatabaseOption(command)
    .option('--secret-key-file <file>', 'the 32-byte key (64 hex digits or base64) that encrypts registry credentials and notification secrets (default $SPYGLASS_SECRET_KEY)')
    .option('--max-image-bytes <n>', `largest image analysed, in bytes (default ${DEFAULT_MAX_IMAGE_BYTES})`)
    .option('--concurrency <n>', 'jobs run at once (default 2)')
    .option('--lease-seconds <n>', 'how long a job stays with a worker that stopped renewing it (killed) before another takes it over (default 30)')
    .option('--insecure-registry', 'allow registries over plain HTTP');
}

function positiveInteger(value: string | undefined, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new SpyglassError(`${flag} ${value}: expected a whole number of at least ${min}`);
  return n;
}

export function databaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag ?? env.SPYGLASS_DATABASE_URL;
  return url === '' ? undefined : url;
}

export function secretKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new SpyglassError(`--secret-key-file ${file}: ${errorText(error)}`);
    }
    return parseSecretKey(text, `--secret-key-file ${file}`);
  }
  const fromEnv = env.SPYGLASS_SECRET_KEY;
  return fromEnv === undefined || fromEnv === '' ? undefined : parseSecretKey(fromEnv, 'SPYGLASS_SECRET_KEY');
}

export function serverOptions(options: ServerCommandOptions, global: GlobalOptions, publicUrl: string): ServerOptions {
  const url = databaseUrl(options.database);
  const key = secretKey(options.secretKeyFile);
  return {
    dataDir: global.dataDir,
    cacheDir: global.cacheDir,
    ...(url !== undefined ? { databaseUrl: url } : {}),
    publicUrl,
    ...(key !== undefined ? { secretKey: key } : {}),
    maxImageBytes: positiveInteger(options.maxImageBytes, '--max-image-bytes', DEFAULT_MAX_IMAGE_BYTES),
    maxBodyBytes: positiveInteger(options.maxBodyBytes, '--max-body-bytes', DEFAULT_MAX_BODY_BYTES),
    concurrency: positiveInteger(options.concurrency, '--concurrency', 2),
    dbUpdateIntervalSeconds: positiveInteger(options.dbUpdateInterval, '--db-update-interval', 0, 0),
    ...(options.dbSource !== undefined && options.dbSource.length > 0 ? { dbUpdateSources: options.dbSource.map(parseSourceOption) } : {}),
    dbWatchIntervalMs: 5_000,
    insecureRegistries: options.insecureRegistry === true,
    ...(options.leaseSeconds !== undefined ? { jobLeaseMs: positiveInteger(options.leaseSeconds, '--lease-seconds', 30) * 1000 } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: proxyList(options.trustProxy) } : {}),
  };
}

/** `--trust-proxy 10.0.0.0/8,192.0.2.7`: addresses or CIDR ranges (IPv4 or IPv6). */
export function proxyList(value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new SpyglassError(`--trust-proxy ${JSON.stringify(value)}: expected addresses or CIDR ranges separated by commas`);
  for (const item of items) {
    const [address = '', bits, extra] = item.split('/');
    const family = isIP(address);
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
    if (family === 0 || !bitsOk || extra !== undefined) throw new SpyglassError(`--trust-proxy ${item}: not an IP address or CIDR range`);
  }
  return items;
}
