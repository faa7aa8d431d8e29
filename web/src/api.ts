// The dashboard's only way to the server: fetch with the session cookie, the CSRF token on every change,
// and one error type carrying the API's own one-line message. A 401 outside sign-in sends the browser to
// /sign-in with the page it was on, so that signing in again returns there.
import { navigate, currentPath } from './router.ts';

export interface SessionOrg {
  name: string;
  role: 'owner' | 'editor' | 'member';
  plan: string;
}

export interface Session {
  email: string;
  orgs: SessionOrg[];
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly retryAfter?: number) {
    super(message);
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Where /sign-in sends the user back to: a path of this site only. */
export function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

export function signInUrl(next: string = currentPath()): string {
  return next === '/' || next.startsWith('/sign-in') ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
}

export async function request<T>(method: string, path: string, body?: unknown, options: { on401?: 'redirect' | 'throw' } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken !== '') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'the server cannot be reached; check the connection and try again');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const message = typeof (parsed as { error?: unknown } | undefined)?.error === 'string'
      ? (parsed as { error: string }).error
      : `${method} ${path}: HTTP ${response.status}`;
    const retry = Number(response.headers.get('retry-after') ?? '');
    const error = new ApiError(response.status, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
    if (response.status === 401 && (options.on401 ?? 'redirect') === 'redirect') {
      csrfToken = '';
      navigate(signInUrl(), { replace: true, state: { reason: message } });
    }
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

export function orgPath(org: string, rest: string): string {
  return `/orgs/${encodeURIComponent(org)}${rest}`;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unspecified';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'unspecified'];
export type Counts = Record<Severity, number>;

export interface ImageSummary {
  repository: string;
  repositoryId: string;
  tags: string[];
  digest: string;
  indexDigest: string | null;
  platform: string | null;
  size: number | null;
  pushedAt: string | null;
  analysedAt: string | null;
  vulnerabilities: Counts | null;
  baseImage?: unknown;
  policy?: { met: number; total: number; unknown: number } | null;
  previous?: { digest: string; vulnerabilities: Counts | null; policy?: { met: number; total: number; unknown: number } | null } | null;
}

export interface ImageList {
  images: ImageSummary[];
  total?: number;
  offset?: number;
  limit?: number | null;
}

export interface FindingView {
  id: string;
  aliases: string[];
  package: string;
  version: string | null;
  type: string | null;
  severity: Severity;
  fixedVersion: string | null;
  status: string;
  suppressed?: string;
  cvss?: { score: number; vector?: string; source?: string } | null;
  epss?: { score: number; percentile: number } | null;
  kev?: boolean;
  layer?: string | null;
  description?: string | null;
}

export interface PackageView {
  id?: string;
  name: string;
  version: string;
  type: string;
  purl?: string;
  layer?: string | null;
}

export interface LayerView {
  digest: string;
  diffId: string;
  size: number;
  createdBy?: string;
  packages?: number;
}

export interface ChangeItem {
  id: string;
  package?: string;
  severity?: string;
}

export interface EvaluationView {
  at: string | null;
  reason: string;
  generation: number | null;
  added: ChangeItem[];
  removed: ChangeItem[];
  changed: ChangeItem[];
}

export interface RecommendationView {
  kind: 'refreshed' | 'updated' | 'alternative';
  name: string;
  counts?: Counts;
  delta?: Counts;
  size?: number;
  sizeDelta?: number;
  reason?: string;
}

export interface ImageDetail extends ImageSummary {
  configDigest: string | null;
  distro: { name?: string; version?: string; id?: string; versionId?: string } | null;
  layers: LayerView[];
  baseImage: unknown;
  recommendations: { recommendations?: RecommendationView[]; notes?: string[]; current?: { counts?: Counts } } | null;
  packages: PackageView[];
  findings: FindingView[];
  evaluations: EvaluationView[];
}

export interface VulnerabilityView {
  id: string;
  aliases: string[];
  description: string | null;
  severity: Severity | null;
  sources: { source: string; severity: string | null; cvss: { score: number; vector: string; version: string } | null }[];
  epss: { score: number; percentile: number } | null;
  kev: boolean;
  references: string[];
  images: { repository: string; digest: string; tags: string[]; platform: string | null; packages: { name: string; version: string; fixedVersion: string | null }[] }[];
}

export interface RepositoryView {
  id: string;
  registry: string;
  name: string;
  repository: string;
  enabled: boolean;
  enabledAt: string | null;
  lastPushedAt: string | null;
  integrationId: string | null;
}

export interface RepositoryList {
  repositories: RepositoryView[];
  activated: number;
  limit: number | null;
  plan: string;
}

export interface HistoryView {
  repository: string;
  points: { at: string; digest: string; reason: string; vulnerabilities: Counts }[];
}
