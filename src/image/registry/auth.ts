import { discard, readBody, sendRequest, type HttpOptions } from './http.ts';
import type { Credentials } from './credentials.ts';

/** One `WWW-Authenticate` challenge (RFC 9110 §11.6.1), e.g. `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses the first challenge of a `WWW-Authenticate` value; scopes with commas stay whole when quoted. */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const rest = match[2]!;
  let param: RegExpExecArray | null;
  while ((param = pattern.exec(rest)) !== null) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** Why the registry would not let us in; the client turns it into a message naming the image. */
export class AuthError extends Error {
  constructor(readonly status: number, detail: string) {
    super(detail);
  }
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens are refreshed this long before they expire, so a request never carries a dying one. */
const EXPIRY_MARGIN_MS = 10_000;
/** Lifetime when the token server does not say (the distribution token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Authorization for one registry: anonymous, Basic, or Bearer tokens from the realm the registry
 * names (https://distribution.github.io/distribution/spec/auth/token/), cached per scope.
 */
export class RegistryAuth {
  private basic = false;
  private readonly tokens = new Map<string, CachedToken>();
  /** The last Bearer challenge: where tokens for further scopes come from. */
  private bearerRealm?: Challenge;

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly http: HttpOptions = {},
  ) {}

  private basicHeader(): string | undefined {
    const c = this.credentials;
    if (!c || c.username === undefined || c.password === undefined) return undefined;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  /** The Authorization header to send for `scope` now, from what earlier challenges taught us. */
  authorization(scope: string): string | undefined {
    if (this.basic) return this.basicHeader();
    const cached = this.tokens.get(scope);
    if (cached && cached.expiresAt > Date.now() + EXPIRY_MARGIN_MS) return `Bearer ${cached.token}`;
    return undefined;
  }

  /**
   * Answers a 401 challenge. Returns true when a retry with `authorization(scope)` can succeed,
   * false when there is nothing more to try (no credentials for a Basic realm).
   */
  async answer(header: string | undefined, scope: string): Promise<boolean> {
    const challenge = header ? parseChallenge(header) : undefined;
    if (!challenge) return false;
    if (challenge.scheme === 'basic') {
      if (this.basic || !this.basicHeader()) return false;
      this.basic = true;
      return true;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return false;
    this.bearerRealm = challenge;
    const cached = this.tokens.get(scope);
    if (cached && cached.expiresAt > Date.now() + EXPIRY_MARGIN_MS) {
      // A token we already had was refused: fetching it again would get the same answer.
      this.tokens.delete(scope);
      return false;
    }
    this.tokens.set(scope, await this.fetchToken(challenge, challenge.params.scope || scope));
    return true;
  }

  /** Proactively fetches a token for a new scope once the realm is known (saves one 401 per repo). */
  async prepare(scope: string): Promise<void> {
    if (this.bearerRealm && !this.authorization(scope)) this.tokens.set(scope, await this.fetchToken(this.bearerRealm, scope));
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<CachedToken> {
    const realm = new URL(challenge.params.realm!);
    const service = challenge.params.service;
    const c = this.credentials;
    let response;
    if (c?.identityToken) {
      // An identity token is an OAuth2 refresh token: exchange it with a POST (docker/cli does the same).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.identityToken, client_id: 'spyglass', scope });
      if (service) form.set('service', service);
      response = await sendRequest({
        method: 'POST', url: realm, body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }, this.http);
    } else {
      if (service) realm.searchParams.set('service', service);
      for (const one of scope.split(' ').filter(Boolean)) realm.searchParams.append('scope', one);
      const headers: Record<string, string> = {};
      const basic = this.basicHeader();
      if (basic) headers.authorization = basic;
      response = await sendRequest({ method: 'GET', url: realm, headers }, this.http);
    }
    if (response.status === 401 || response.status === 403) {
      discard(response);
      throw new AuthError(response.status, `the token server ${realm.host} refused the credentials`);
    }
    if (response.status !== 200) {
      discard(response);
      throw new AuthError(response.status, `the token server ${realm.host} answered ${response.status} ${response.statusText}`);
    }
    let answer: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      answer = JSON.parse((await readBody(response, 1024 * 1024)).toString('utf8')) as typeof answer;
    } catch {
      throw new AuthError(502, `the token server ${realm.host} did not answer JSON`);
    }
    const token = typeof answer.token === 'string' && answer.token ? answer.token
      : typeof answer.access_token === 'string' ? answer.access_token : '';
    if (!token) throw new AuthError(502, `the token server ${realm.host} answered no token`);
    const seconds = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    const issued = typeof answer.issued_at === 'string' ? Date.parse(answer.issued_at) : NaN;
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    return { token, expiresAt: start + seconds * 1000 };
  }
}
