// The dashboard's static files (dist/web, built by `npm run build`), served without a registered route:
// the not-found handler answers GET/HEAD of any path outside /api, /webhooks, /healthz and /metrics with
// the file when it exists, else with index.html (the single-page app routes in the browser). Everything
// else keeps the JSON 404. Without a build, `/` answers 503 with one line saying how to build it.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The security headers of every dashboard answer: nothing but our own scripts, never framed. */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_WEB = /^\/(?:api|webhooks|healthz|metrics)(?:[/?#]|$)/;

/** The folder holding package.json, walking up from this file (src/server/http or dist/server/http). */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

export function defaultWebRoot(): string {
  return join(packageRoot(), 'dist', 'web');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file under root a URL path names, relative to root, or undefined (not a file, or outside root). */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = normalize(decoded).replace(/^[/\\]+/, '');
  if (relative === '' || relative.split(/[/\\]/).includes('..')) return undefined;
  const absolute = join(root, relative);
  if (!absolute.startsWith(root + sep)) return undefined;
  return isFile(absolute) ? relative : undefined;
}

/**
 * Registers @fastify/static (no route of its own) and returns the part of the not-found handler that serves
 * the dashboard: true when it answered the request.
 */
export function registerWeb(app: FastifyInstance, root: string = defaultWebRoot()): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const built = () => isFile(join(root, 'index.html'));
  // The static plugin needs its folder at start: a build made later is served after a restart.
  const registered = existsSync(root);
  if (registered) void app.register(fastifyStatic, { root, serve: false, index: false });
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url.split(/[?#]/)[0] ?? '/';
    if (NOT_WEB.test(path)) return false;
    void reply.headers(WEB_HEADERS);
    if (!registered || !built()) {
      void reply.status(503).type('text/plain; charset=utf-8').send('dashboard not built: run npm run build\n');
      return true;
    }
    const file = fileFor(root, path);
    if (file === undefined || file === 'index.html') {
      void reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    } else if (file.startsWith(`assets${sep}`) || file.startsWith('assets/')) {
      // Vite names assets by their content hash: they never change under the same name.
      void reply.sendFile(file, { maxAge: 31_536_000_000, immutable: true });
    } else {
      void reply.sendFile(file);
    }
    return true;
  };
}
