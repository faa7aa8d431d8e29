// Which of several tags that name the same image is the most specific one (docs/base-images.md,
// "Detection"): when layer detection finds a digest that `12.5-slim`, `12-slim`, `bookworm-slim` and
// `stable-slim` all point at, the base is reported under the tag that will keep meaning this image the
// longest. The order is total, so the choice never depends on the order the catalog returned them in.
import type { BaseImageRef } from './model.ts';
import { tagAnatomy } from './tag-anatomy.ts';

/** How specific a tag is, from least to most: a floating word, a name, a version, a dated build. */
export type TagKind = 'floating' | 'named' | 'versioned' | 'dated';

const KIND_RANK: Record<TagKind, number> = { floating: 0, named: 1, versioned: 2, dated: 3 };

export interface TagSpecificity {
  kind: TagKind;
  /** Version components of a versioned tag (`12.5-slim` → 2), 0 otherwise. */
  versionComponents: number;
}

/**
 * Read with the same tag words as the updated-base-image rule (tag-anatomy.ts, data/tag-words.json):
 * a build date after the release (`bookworm-20240612-slim`) is a dated build; a leading version
 * (`12.5-slim`, `v1.21`) a versioned tag; a floating or unstable word first (`stable-slim`, `latest`,
 * `edge`) moves between releases; anything else (`bookworm-slim`, `slim`) is a name.
 */
export function tagSpecificity(tag: string): TagSpecificity {
  const anatomy = tagAnatomy(tag);
  if (anatomy.stamp !== undefined) return { kind: 'dated', versionComponents: 0 };
  if (anatomy.form === 'number') return { kind: 'versioned', versionComponents: anatomy.version?.length ?? 0 };
  return { kind: anatomy.form === 'floating' ? 'floating' : 'named', versionComponents: 0 };
}

/**
 * Negative when `a` is more specific than `b`: dated build tags, then versioned tags with more
 * components (`12.5.1` > `12.5` > `12`), then named tags (`bookworm-slim`), then floating ones
 * (`stable-slim`, `latest`); a tag-less reference (a bare digest) last. Ties go to the shorter tag
 * text, then code-point order of tag and repository, so the result is the same on every run.
 */
export function compareSpecificity(a: BaseImageRef, b: BaseImageRef): number {
  if (a.tag === undefined || b.tag === undefined) {
    if (a.tag !== b.tag) return a.tag === undefined ? 1 : -1;
  } else {
    const left = tagSpecificity(a.tag);
    const right = tagSpecificity(b.tag);
    if (left.kind !== right.kind) return KIND_RANK[right.kind] - KIND_RANK[left.kind];
    if (left.versionComponents !== right.versionComponents) return right.versionComponents - left.versionComponents;
    if (a.tag.length !== b.tag.length) return a.tag.length - b.tag.length;
    if (a.tag !== b.tag) return a.tag < b.tag ? -1 : 1;
  }
  if (a.repository !== b.repository) return a.repository < b.repository ? -1 : 1;
  const left = a.digest ?? '';
  const right = b.digest ?? '';
  return left === right ? 0 : left < right ? -1 : 1;
}

/** The references ordered most specific first (a new array). */
export function bySpecificity<T extends BaseImageRef>(refs: readonly T[]): T[] {
  return [...refs].sort(compareSpecificity);
}
