// `local://REF`: an image from the local Docker Engine (or podman's Docker-compatible service) over
// its unix socket (https://docs.docker.com/reference/api/engine/). The image is exported with
// `GET /images/{name}/get` — a `docker save` tar — to a temporary file and read like `archive://`.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { openDockerArchive } from '../archive/docker-save.ts';
import type { Image, OpenImageOptions } from '../model.ts';
import { temporaryPath } from '../tar/archive-file.ts';

const DEFAULT_SOCKET = '/var/run/docker.sock';
/** Inspecting an image answers in milliseconds; a silent engine should not hang a scan. */
const INSPECT_TIMEOUT_MS = 30_000;

type EngineOptions = Pick<OpenImageOptions, 'dockerHost' | 'env'>;

/** The socket path: options.dockerHost, else DOCKER_HOST, else /var/run/docker.sock; only `unix://` hosts are supported. */
export function engineSocket(options: EngineOptions): string {
  const host = options.dockerHost ?? (options.env ?? process.env).DOCKER_HOST ?? `unix://${DEFAULT_SOCKET}`;
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.startsWith('/')) return host;
  throw new SpyglassError(`Docker host ${host}: only unix:// sockets are supported`);
}

function get(socketPath: string, path: string, timeoutMs?: number): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers: { Host: 'docker' } }, resolvePromise);
    if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

async function readBody(response: IncomingMessage, maxBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response) {
    total += (chunk as Buffer).length;
    if (total <= maxBytes) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unreachable(label: string, socketPath: string, error: unknown): SpyglassError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such socket' : code === 'ECONNREFUSED' ? 'connection refused' : code === 'EACCES' ? 'permission denied' : errorText(error);
  return new SpyglassError(`${label}: cannot reach the local Docker engine at unix://${socketPath} (${why})`);
}

/** The image's `/images/{name}/json`, or undefined when the engine does not know it. */
async function inspect(socketPath: string, ref: string, label: string): Promise<{ repoTags: string[] } | undefined> {
  let response: IncomingMessage;
  try {
    response = await get(socketPath, `/images/${encodeURIComponent(ref)}/json`, INSPECT_TIMEOUT_MS);
  } catch (error) {
    throw unreachable(label, socketPath, error);
  }
  const body = await readBody(response);
  if (response.statusCode === 404) return undefined;
  if (response.statusCode !== 200) {
    throw new SpyglassError(`${label}: the local Docker engine answered ${response.statusCode} to an image inspect (${body.trim().slice(0, 200)})`);
  }
  const parsed = JSON.parse(body) as { RepoTags?: unknown };
  const repoTags = Array.isArray(parsed.RepoTags) ? parsed.RepoTags.filter((tag): tag is string => typeof tag === 'string') : [];
  return { repoTags };
}

/** Whether the local engine has `ref`; false when there is no engine to ask (the bare-reference rule: local first, else registry). */
export async function engineHasImage(ref: string, options: EngineOptions): Promise<boolean> {
  let socketPath: string;
  try {
    socketPath = engineSocket(options);
  } catch {
    return false;
  }
  try {
    return (await inspect(socketPath, ref, ref)) !== undefined;
  } catch (error) {
    if (error instanceof SpyglassError) return false;
    throw error;
  }
}

/** `local://REF`. */
export async function openEngineImage(ref: string, options: OpenImageOptions & { input: string }): Promise<Image> {
  const label = options.input;
  const socketPath = engineSocket(options);
  const found = await inspect(socketPath, ref, label);
  if (!found) throw new SpyglassError(`${label}: image "${ref}" not found in the local Docker engine`);
  const temporary = await temporaryPath(options.cacheDir, 'engine');
  const remove = () => rm(temporary, { force: true });
  try {
    let response: IncomingMessage;
    try {
      response = await get(socketPath, `/images/${encodeURIComponent(ref)}/get`);
    } catch (error) {
      throw unreachable(label, socketPath, error);
    }
    if (response.statusCode !== 200) {
      const body = await readBody(response);
      throw new SpyglassError(`${label}: the local Docker engine answered ${response.statusCode} to an image export (${body.trim().slice(0, 200)})`);
    }
    try {
      await pipeline(response, createWriteStream(temporary));
    } catch (error) {
      throw new SpyglassError(`${label}: exporting the image from the local Docker engine failed (${errorText(error)})`);
    }
    // The export holds just this image; --ref is not needed to pick it.
    const image = await openDockerArchive(temporary, { ...options, ref: undefined }, 'local', remove);
    return { ...image, names: found.repoTags.length > 0 ? found.repoTags : image.names };
  } catch (error) {
    await remove();
    throw error;
  }
}
