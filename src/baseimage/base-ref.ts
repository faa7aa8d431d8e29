// Base image references as detection reports them: the repository normalised the way the catalog stores
// it (`docker.io/library/debian`, `127.0.0.1:5000/library/debian`), so a reference from an annotation,
// from a provenance material and from a catalog record compare equal.
import { isDigest } from '../core/digest.ts';
import { parsePlatform, platformMatches } from '../core/platform.ts';
import { DOCKER_HUB, parseImageRef } from '../core/reference.ts';
import type { BaseImageRef } from './model.ts';

/** `debian:bullseye-slim`, `docker.io/debian@sha256:…` → a normalised reference; undefined when it is none. */
export function parseBaseRef(text: string): BaseImageRef | undefined {
  try {
    const ref = parseImageRef(text);
    return {
      repository: `${ref.registry}/${ref.repository}`,
      ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
      ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Docker Hub's familiar short form (`debian:bullseye-slim`), the full repository elsewhere; `@digest` without a tag. */
export function baseRefName(ref: BaseImageRef): string {
  let repository = ref.repository;
  if (repository.startsWith(`${DOCKER_HUB}/`)) {
    repository = repository.slice(DOCKER_HUB.length + 1);
    if (repository.startsWith('library/')) repository = repository.slice('library/'.length);
  }
  if (ref.tag !== undefined) return `${repository}:${ref.tag}`;
  return ref.digest !== undefined ? `${repository}@${ref.digest}` : repository;
}

/** `sha256:<hex>` from an in-toto digest set (`{ "sha256": "<hex>" }`), when it has a valid one. */
export function sha256FromDigestSet(set: unknown): BaseImageRef['digest'] {
  if (typeof set !== 'object' || set === null) return undefined;
  const hex = (set as Record<string, unknown>).sha256;
  const digest = typeof hex === 'string' ? `sha256:${hex.toLowerCase()}` : undefined;
  return isDigest(digest) ? digest : undefined;
}

/** Whether two `os/arch[/variant]` strings name the same platform (arm64 is arm64/v8, as containerd normalises). */
export function samePlatform(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const left = parsePlatform(a);
    const right = parsePlatform(b);
    return platformMatches(left, right) && platformMatches(right, left);
  } catch {
    return false;
  }
}
