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
