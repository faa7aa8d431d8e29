import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { isDigest, sha256Digest, type Digest } from '../../core/digest.ts';
import { DOCKER_HUB, DOCKER_HUB_API, formatImageRef, type ImageRef } from '../../core/reference.ts';
import { MAX_MANIFEST_BYTES } from '../blob-store.ts';
import { parseManifestDocument } from '../manifest.ts';
import { ACCEPTED_MANIFEST_TYPES, SCHEMA1_TYPES } from '../media-types.ts';
import { verifyBuffer } from '../verify.ts';
import { AuthError, RegistryAuth } from './auth.ts';
import type { Credentials } from './credentials.ts';
import { discard, readBody, sendRequest, type HttpOptions, type HttpResponse } from './http.ts';

export interface RegistryClientOptions {
  /** Registries (host[:port] or host) that may be reached over plain HTTP; loopback always may. */
  insecureRegistries?: string[];
  credentials?: Credentials;
  http?: HttpOptions;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** `Content-Type` without parameters. */
  mediaType: string;
  digest: Digest;
}

export interface ManifestHead {
  mediaType: string;
  digest?: Digest;
  size?: number;
}

export interface BlobResponse {
  body: Readable;
  size?: number;
}

/** Hostname of `host[:port]`, `[v6]:port` or `v6`, lower-case, without brackets. */
function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']')).toLowerCase();
  if (isIP(host) === 6) return host.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** 127.0.0.0/8, ::1 and localhost: plain HTTP there never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const name = hostname(host);
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/**
 * Where the registry API of `registry` lives: `https://host/`, or `http://` for loopback hosts and
 * hosts listed in `insecureRegistries` (by host:port or host). Docker Hub is served by
 * registry-1.docker.io.
 */
export function registryBaseUrl(registry: string, insecureRegistries: readonly string[] = []): URL {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const insecure = isLoopbackHost(host) || insecureRegistries.some((entry) => {
    const listed = entry.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
    return listed === host.toLowerCase() || listed === hostname(host);
  });
  return new URL(`${insecure ? 'http' : 'https'}://${host}/`);
}

function mediaTypeOf(response: HttpResponse): string {
  const value = response.headers['content-type'] ?? '';
  return value.split(';')[0]!.trim().toLowerCase();
}

function headerDigest(response: HttpResponse): Digest | undefined {
  const value = response.headers['docker-content-digest'];
  return typeof value === 'string' && isDigest(value.trim()) ? (value.trim() as Digest) : undefined;
}

/** The first `errors[].message` of a registry error body (distribution spec's error format). */
async function registryErrorDetail(response: HttpResponse): Promise<string> {
  try {
    const body = JSON.parse((await readBody(response, 64 * 1024)).toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    return first ? `: ${first.message ?? first.code ?? ''}` : '';
  } catch {
    return '';
  }
}

/** An OCI Distribution API client for one repository, reads only. */
export class RegistryClient {
  /** How messages name the image: `registry://HOST/REPO:TAG`. */
  readonly label: string;
  readonly baseUrl: URL;
  private readonly auth: RegistryAuth;
  private readonly scope: string;

  constructor(readonly ref: ImageRef, private readonly options: RegistryClientOptions = {}) {
    this.label = `registry://${formatImageRef(ref)}`;
    this.baseUrl = registryBaseUrl(ref.registry, options.insecureRegistries);
    this.auth = new RegistryAuth(options.credentials, options.http);
    this.scope = `repository:${ref.repository}:pull`;
  }

  unauthorized(status: number, detail?: string): SpyglassError {
    const login = this.ref.registry === DOCKER_HUB ? 'docker login' : `docker login ${this.ref.registry}`;
    const why = detail ? `${status}: ${detail}` : String(status);
    return new SpyglassError(`${this.label}: unauthorized (${why}); log in with "${login}" or check the credentials`, { hint: `run ${login}` });
  }

  private networkError(error: unknown): SpyglassError {
    if (error instanceof SpyglassError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const host = this.baseUrl.host;
    let why: string;
    if (code === 'ECONNREFUSED') why = `cannot connect to ${host} (connection refused)`;
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') why = `cannot resolve the registry host ${this.baseUrl.hostname}`;
    else if (code === 'ETIMEDOUT') why = errorText(error);
    else if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO') {
      why = `TLS failed with ${host} (${errorText(error)}); if it serves plain HTTP, list it in insecure registries`;
    } else why = `network error talking to ${host} (${errorText(error)})`;
    return new SpyglassError(`${this.label}: ${why}`, { cause: error });
  }

  /** Sends one request, answering auth challenges; any status but 401 is returned to the caller. */
  private async send(method: 'GET' | 'HEAD', path: string, accept?: string): Promise<HttpResponse> {
    const url = new URL(`v2/${this.ref.repository}/${path}`, this.baseUrl);
    try {
      await this.auth.prepare(this.scope);
      for (;;) {
        const headers: Record<string, string> = { 'user-agent': 'spyglass' };
        if (accept) headers.accept = accept;
        const authorization = this.auth.authorization(this.scope);
        if (authorization) headers.authorization = authorization;
        const response = await sendRequest({ method, url, headers }, this.options.http);
        if (response.status !== 401) return response;
        discard(response);
        if (!(await this.auth.answer(response.headers['www-authenticate'], this.scope))) throw this.unauthorized(401);
      }
    } catch (error) {
      if (error instanceof AuthError) throw this.unauthorized(error.status === 403 ? 403 : 401, error.message);
      throw this.networkError(error);
    }
  }

  private async failure(response: HttpResponse, what: string): Promise<SpyglassError> {
    if (response.status === 403) {
      discard(response);
      return this.unauthorized(403);
    }
    const detail = await registryErrorDetail(response);
    return new SpyglassError(`${this.label}: the registry answered ${response.status} ${response.statusText} for ${what}${detail}`);
  }

  private notFound(response: HttpResponse, what: string): SpyglassError {
    discard(response);
    return new SpyglassError(`${this.label}: ${what} unknown (not found in the registry)`);
  }

  /**
   * A manifest or index by tag or digest. By digest the bytes are verified against it; by tag the
   * digest is the sha256 of the bytes, and must equal `Docker-Content-Digest` when the registry sends it.
   */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const what = isDigest(reference) ? `manifest ${reference}` : 'manifest';
    const response = await this.send('GET', `manifests/${reference}`, ACCEPTED_MANIFEST_TYPES.join(', '));
    if (response.status === 404) throw this.notFound(response, 'manifest');
    if (response.status !== 200) throw await this.failure(response, what);
    let bytes: Buffer;
    try {
      bytes = await readBody(response, MAX_MANIFEST_BYTES);
    } catch (error) {
      throw new SpyglassError(`${this.label}: ${what}: ${errorText(error)}`);
    }
    const mediaType = mediaTypeOf(response);
    // Schema 1 digests cover the payload without its signatures, so say what it is before any digest check.
    if (SCHEMA1_TYPES.includes(mediaType)) parseManifestDocument(bytes, this.label, mediaType);
    const announced = headerDigest(response);
    let digest: Digest;
    if (isDigest(reference)) {
      verifyBuffer(bytes, reference, undefined, `${this.label} ${what}`);
      digest = reference;
    } else {
      digest = sha256Digest(bytes);
    }
    if (announced && announced.startsWith('sha256:') && announced !== sha256Digest(bytes)) {
      throw new SpyglassError(`${this.label}: the registry says the manifest is ${announced}, but its bytes are ${sha256Digest(bytes)}; rejected`);
    }
    return { bytes, mediaType, digest };
  }

  /** What a tag or digest points at, without downloading the manifest; undefined when unknown. */
  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    const response = await this.send('HEAD', `manifests/${reference}`, ACCEPTED_MANIFEST_TYPES.join(', '));
    discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await this.failure(response, `manifest ${reference}`);
    const length = Number(response.headers['content-length']);
    return { mediaType: mediaTypeOf(response), digest: headerDigest(response), size: Number.isFinite(length) ? length : undefined };
  }

  /** A blob's bytes as the registry (or the storage it redirects to) sends them: unverified. */
  async getBlob(digest: Digest): Promise<BlobResponse> {
    const response = await this.send('GET', `blobs/${digest}`);
    if (response.status === 404) throw this.notFound(response, `blob ${digest}`);
    if (response.status !== 200) throw await this.failure(response, `blob ${digest}`);
    const length = Number(response.headers['content-length']);
    return { body: response.body, size: Number.isFinite(length) ? length : undefined };
  }

  /**
   * Every tag of the repository, in the registry's order, following the `Link: <…>; rel="next"` pages of
   * `GET /v2/<name>/tags/list?n=` (distribution spec, "Listing Tags").
   */
  async tags(pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let path = `tags/list?n=${pageSize}`;
    const seen = new Set<string>();
    while (!seen.has(path)) {
      seen.add(path);
      const response = await this.send('GET', path, 'application/json');
      if (response.status === 404) throw this.notFound(response, 'repository');
      if (response.status !== 200) throw await this.failure(response, 'the tag list');
      let page: { tags?: unknown };
      try {
        page = JSON.parse((await readBody(response, MAX_MANIFEST_BYTES)).toString('utf8')) as { tags?: unknown };
      } catch (error) {
        throw new SpyglassError(`${this.label}: the tag list is not JSON (${errorText(error)})`);
      }
      // A repository without tags answers `"tags": null`.
      if (Array.isArray(page.tags)) tags.push(...page.tags.filter((tag): tag is string => typeof tag === 'string'));
      const link = response.headers.link;
      const next = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      if (next === undefined) break;
      // The next page is this repository's tag list again with another `last`; only its query is taken.
      path = `tags/list${new URL(next, this.baseUrl).search}`;
    }
    return tags;
  }

  /** A blob's size, or undefined when the registry does not have it. */
  async headBlob(digest: Digest): Promise<number | undefined> {
    const response = await this.send('HEAD', `blobs/${digest}`);
    discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await this.failure(response, `blob ${digest}`);
    return Number(response.headers['content-length']);
  }
}
