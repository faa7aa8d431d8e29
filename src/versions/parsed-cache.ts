import { InvalidVersionError, type VersionScheme } from './scheme.ts';

// Parsed versions, kept by their text: matching compares the same few thousand version strings millions
// of times, so each is parsed once. Bounded: cleared when full rather than tracking recency, which is
// cheaper and enough for a working set that fits.
export class ParsedCache<T> {
  private readonly entries = new Map<string, T | null>();

  constructor(
    private readonly parse: (text: string) => T | undefined,
    private readonly limit = 50_000,
  ) {}

  /** The parsed form, or undefined when `text` does not parse. */
  get(text: string): T | undefined {
    const hit = this.entries.get(text);
    if (hit !== undefined) return hit ?? undefined;
    const parsed = this.parse(text);
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(text, parsed ?? null);
    return parsed;
  }
}

/**
 * A scheme from a parser and a comparison of parsed versions: each text is parsed once, and a text
 * that does not parse is invalid (`compare` throws InvalidVersionError, `valid` is false).
 */
export function cachedScheme<T>(name: string, parse: (text: string) => T | undefined, compare: (a: T, b: T) => -1 | 0 | 1): VersionScheme {
  const cache = new ParsedCache<T>(parse);
  const parsed = (text: string): T => {
    const result = cache.get(text);
    if (result === undefined) throw new InvalidVersionError(name, text);
    return result;
  };
  return { name, compare: (a, b) => compare(parsed(a), parsed(b)), valid: (text) => cache.get(text) !== undefined };
}
