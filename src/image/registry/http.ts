import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request of the registry client: GET or HEAD for registry reads, POST only for an OAuth2 token exchange. */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Only for POST (the OAuth2 token exchange). */
  body?: string;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: URL;
  body: IncomingMessage;
}

export interface HttpOptions {
  /** Retries after the first attempt on 429, 5xx and network errors. */
  retries?: number;
  /** First backoff delay; doubles each retry. */
  baseDelayMs?: number;
  /** Longest wait between attempts, also the cap on `Retry-After`. */
  maxDelayMs?: number;
  /** Socket idle timeout (connect, headers, and any pause while reading the body). */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Called before each retry wait, for logs and tests. */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

const DEFAULTS = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 60_000, maxRedirects: 10 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Network errors that a later attempt will not fix: retrying them only delays the message. */
const PERMANENT_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO']);

export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(url: URL, ms: number) {
    super(`no answer from ${url.host} within ${ms / 1000} s`);
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function once(request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const { url } = request;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method: request.method, headers: request.headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, url, body: res });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new HttpTimeoutError(url, timeoutMs)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Discards a response body we will not read, so the connection can be reused. */
export function discard(response: HttpResponse): void {
  response.body.resume();
}

export async function readBody(response: HttpResponse, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.body.destroy();
      throw new Error(`response from ${response.url.host} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Follows redirects; drops credentials when a redirect leaves the host (blob storage, CDNs). */
async function followRedirects(request: HttpRequest, options: Required<Omit<HttpOptions, 'onRetry'>>): Promise<HttpResponse> {
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await once(current, options.timeoutMs);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.status) || !location) return response;
    discard(response);
    if (hop >= options.maxRedirects) throw new Error(`more than ${options.maxRedirects} redirects from ${request.url.host}`);
    const next = new URL(location, current.url);
    const headers = { ...current.headers };
    if (next.host !== current.url.host || next.protocol !== current.url.protocol) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    const method = response.status === 303 && current.method === 'POST' ? 'GET' : current.method;
    current = { method, url: next, headers, body: method === 'POST' ? current.body : undefined };
  }
}

/**
 * One request with redirects, timeouts and bounded retries with exponential backoff on 429, 5xx and
 * transient network errors, honouring `Retry-After`. The final response is returned whatever its
 * status; the caller reads or discards its body.
 */
export async function sendRequest(request: HttpRequest, options: HttpOptions = {}): Promise<HttpResponse> {
  const o = { ...DEFAULTS, ...options };
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    let retryAfter: number | undefined;
    try {
      const response = await followRedirects(request, o);
      if (!isRetryableStatus(response.status) || attempt >= o.retries) return response;
      discard(response);
      reason = `${response.status} ${response.statusText}`;
      retryAfter = parseRetryAfter(response.headers['retry-after'] as string | undefined);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (attempt >= o.retries || PERMANENT_NETWORK_ERRORS.has(code)) throw error;
      reason = (error as Error).message;
    }
    const backoff = o.baseDelayMs * 2 ** attempt;
    const delay = Math.min(o.maxDelayMs, retryAfter ?? backoff);
    options.onRetry?.(attempt + 1, delay, reason);
    await sleep(delay);
  }
}
