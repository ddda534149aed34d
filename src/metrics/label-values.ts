/**
 * Keeps label values low-cardinality: reasons, sources and routes come from code paths that may
 * one day put client input or error messages into them, and each distinct value is a new series.
 */
export class BoundedLabelValues {
  readonly #known = new Set<string>();

  constructor(
    private readonly maxDistinct: number,
    private readonly fallback = 'other',
    private readonly shape = /^[a-z0-9][a-z0-9_-]{0,47}$/,
  ) {}

  /** The value itself if it has the expected shape and there is room for it, else the fallback. */
  accept(value: string): string {
    if (this.#known.has(value)) return value;
    if (!this.shape.test(value) || this.#known.size >= this.maxDistinct) return this.fallback;
    this.#known.add(value);
    return value;
  }
}
