// An image tag read as a release and a variant, for the updated-base-image rule (docs/base-images.md,
// "Recommendations"): `bookworm-20230904-slim` is release `bookworm` (Debian 12) stamped 20230904,
// variant `slim`. Which words are codenames, floating names or unstable markers is data
// (data/tag-words.json), not code.
import words from './data/tag-words.json' with { type: 'json' };

export type ReleaseForm = 'number' | 'codename' | 'floating' | 'none';

export interface TagAnatomy {
  tag: string;
  /**
   * The release numbers the tag names: `[3, 12]` for `3.12-slim`, `[12]` for `bookworm-slim` (a codename is
   * its release number). Undefined when the tag names no orderable release (`latest`, `stable-slim`, `slim`).
   */
  version?: number[];
  /** How the release is written. */
  form: ReleaseForm;
  /** Date stamps after the release (`20230904` in `bookworm-20230904-slim`), joined by `-`. */
  stamp?: string;
  /** What remains after the release part; `''` is the default variant. */
  variant: string;
  /** No pre-release version and no unstable word anywhere in the tag. */
  stable: boolean;
}

const RELEASES: ReadonlyMap<string, number[]> = new Map(
  Object.values(words.releases).flatMap((table) => Object.entries(table).map(([codename, release]) => [codename, numbersOf(release)] as const)),
);
const FLOATING: ReadonlySet<string> = new Set(words.floating);
const UNSTABLE: ReadonlySet<string> = new Set(words.unstable);
const NUMBER = /^v?(\d+(?:\.\d+)*)$/;
const PRERELEASE = new RegExp(`^v?(\\d+(?:\\.\\d+)*)[.]?(?:${words.prerelease.join('|')})[.]?\\d*$`);
/** A build date after the release: `jammy-20251001`, `bookworm-20230904-slim`. */
const STAMP = /^\d{8}$/;

function numbersOf(text: string): number[] {
  return text.split('.').map(Number);
}

/** Reads a tag; see TagAnatomy. Case-insensitive for the words, the tag itself is kept as given. */
export function tagAnatomy(tag: string): TagAnatomy {
  const parts = tag.toLowerCase().split('-');
  const first = parts[0] ?? '';
  let version: number[] | undefined;
  let form: ReleaseForm = 'none';
  let prerelease = false;
  const number = NUMBER.exec(first) ?? PRERELEASE.exec(first);
  if (number) {
    version = numbersOf(number[1]!);
    form = 'number';
    prerelease = !NUMBER.test(first);
  } else if (RELEASES.has(first)) {
    version = RELEASES.get(first);
    form = 'codename';
  } else if (FLOATING.has(first) || UNSTABLE.has(first)) {
    form = 'floating';
  }
  let next = form === 'none' ? 0 : 1;
  const stamps: string[] = [];
  while (next > 0 && next < parts.length && STAMP.test(parts[next]!)) stamps.push(parts[next++]!);
  const tokens = tag.toLowerCase().split(/[-._]/).map((token) => token.replace(/^\d+|\d+$/g, ''));
  return {
    tag,
    ...(version ? { version } : {}),
    form,
    ...(stamps.length > 0 ? { stamp: stamps.join('-') } : {}),
    variant: tag.split('-').slice(next).join('-'),
    stable: !prerelease && !tokens.some((token) => UNSTABLE.has(token)),
  };
}

/** `version` cut or padded with zeros to `precision` components: the key versions are ordered by. */
export function versionKey(version: readonly number[], precision: number): number[] {
  return Array.from({ length: precision }, (_, i) => version[i] ?? 0);
}

/** Component by component, numerically; keys of one precision. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
