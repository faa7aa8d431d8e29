// The client side of the server's API for `spyglass repo|integration|notification`: where the server
// is (--server / SPYGLASS_SERVER / the config file's server, which `spyglass login` writes), the token
// (--token / SPYGLASS_TOKEN / the config file's token), and one request function that
// turns every failure into one line (server unreachable, 401, 403, 404, 409…).
import type { Command } from 'commander';
import { SpyglassError, errorText } from '../core/errors.ts';
import { loadConfig, type SpyglassConfig } from './config.ts';

export interface ClientOptions {
  server?: string;
  token?: string;
  org?: string;
}

export function addClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the Spyglass server (default $SPYGLASS_SERVER)')
    .option('--token <token>', 'API token (default $SPYGLASS_TOKEN)')
    .option('--org <org>', "organization (default: the token's)");
}

export class ApiClient {
  readonly #server: string;
  readonly #token: string;
  #org: string | undefined;

  constructor(options: ClientOptions, env: NodeJS.ProcessEnv = process.env, configured: SpyglassConfig = loadConfig(env).values) {
    const server = options.server ?? (env.SPYGLASS_SERVER || configured.server);
    const token = options.token ?? (env.SPYGLASS_TOKEN || configured.token);
    if (server === undefined || server === '') throw new SpyglassError('no server: give --server URL or set SPYGLASS_SERVER');
    if (token === undefined || token === '') throw new SpyglassError('no API token: give --token TOKEN or set SPYGLASS_TOKEN');
    try {
      new URL(server);
    } catch {
      throw new SpyglassError(`--server ${server}: not a URL (expected e.g. http://127.0.0.1:8080)`);
    }
    this.#server = server.replace(/\/+$/, '');
    this.#token = token;
    this.#org = options.org;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#server}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw new SpyglassError(`cannot reach the server at ${this.#server}: ${errorText(cause ?? error)}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const message = (parsed as { error?: unknown } | undefined)?.error;
      const reason = typeof message === 'string' ? message : `${response.statusText || 'error'}`;
      const hint = response.status === 401 ? ' (check --token or SPYGLASS_TOKEN)' : '';
      throw new SpyglassError(`${method} ${path}: ${reason}${hint} (HTTP ${response.status})`);
    }
    return parsed as T;
  }

  /** The organization: --org, else the one the token belongs to. */
  async org(): Promise<string> {
    this.#org ??= (await this.request<{ org: string }>('GET', '/api/v1/me')).org;
    return this.#org;
  }

  async orgPath(rest: string): Promise<string> {
    return `/api/v1/orgs/${encodeURIComponent(await this.org())}${rest}`;
  }
}

/** Columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** All of stdin as text (for --password-stdin). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
