import { SpyglassError } from './errors.ts';
import { isDigest, type Digest } from './digest.ts';

/**
 * A registry image reference, normalised the way the Docker CLI does it
 * (github.com/distribution/reference `ParseNormalizedNamed`): `alpine` is
 * `docker.io/library/alpine:latest`.
 */
export interface ImageRef {
  /** Registry host as written (with port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

export const DOCKER_HUB = 'docker.io';
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::\d+)?$/;

export function parseImageRef(text: string): ImageRef {
  const bad = (why: string) => new SpyglassError(`invalid image reference "${text}": ${why}`);
  if (text === '' || text !== text.trim()) throw bad('empty or surrounded by spaces');
  let rest = text;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const candidate = rest.slice(at + 1);
    if (!isDigest(candidate)) throw bad(`"${candidate}" is not a sha256 digest`);
    digest = candidate;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag`);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!HOST.test(first)) throw bad(`"${first}" is not a valid registry host`);
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || !repository.split('/').every((component) => COMPONENT.test(component))) {
    throw bad('repository names are lower-case letters, digits and separators');
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, repository, tag, digest };
}

export function formatImageRef(ref: ImageRef): string {
  let text = `${ref.registry}/${ref.repository}`;
  if (ref.tag) text += `:${ref.tag}`;
  if (ref.digest) text += `@${ref.digest}`;
  return text;
}

/** Docker Hub's familiar short form (`alpine:latest`), the full form elsewhere. */
export function familiarImageRef(ref: ImageRef): string {
  const full = formatImageRef(ref);
  if (ref.registry !== DOCKER_HUB) return full;
  const path = full.slice(DOCKER_HUB.length + 1);
  return path.startsWith('library/') ? path.slice('library/'.length) : path;
}
