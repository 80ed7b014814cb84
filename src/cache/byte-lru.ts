import { LRUCache } from 'lru-cache';

/**
 * The one bounded cache of the gateway (lru-cache keeps the order): least recently used dropped
 * first, bounded by what its entries cost in memory as the caller estimates it (measured per kind
 * of value: a parsed document ~110 bytes per character of its source, a compiled operation ~2.5 kB
 * per field, a limit counter ~200 bytes; see the performance docs), and optionally by a number of
 * entries and a lifetime per entry. Counting entries or JSON length bounded the wrong thing:
 * distinct tiny documents filled a 30 MiB "JSON size" budget with 150 MB.
 */
export class ByteLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  /** Undefined when the budget is 0: nothing is kept. */
  private readonly cache: LRUCache<K, V> | undefined;
  /** Whether entries are weighed (a byte budget); with only an entry bound their estimate is not needed. */
  private readonly sized: boolean;

  /** `now`: the clock lifetimes are measured by (tests move one by hand). */
  constructor(
    readonly maxBytes: number,
    maxEntries = Number.POSITIVE_INFINITY,
    now?: () => number,
  ) {
    if (!Number.isFinite(maxBytes) && !Number.isFinite(maxEntries)) throw new RangeError('a ByteLru needs a bound: bytes, entries or both');
    this.sized = Number.isFinite(maxBytes);
    this.cache =
      maxBytes <= 0 || maxEntries <= 0
        ? undefined
        : new LRUCache<K, V>({
            // With only an entry bound, each entry weighs 1: lru-cache preallocates its lists for a
            // `max`, which for LIMIT_MAX_KEYS would be megabytes held from the start.
            maxSize: Math.floor(this.sized ? maxBytes : maxEntries),
            ...(this.sized && Number.isFinite(maxEntries) ? { max: Math.floor(maxEntries) } : {}),
            // A given clock is read every time (lru-cache otherwise reuses one reading for a millisecond).
            ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
          });
  }

  get(key: K): V | undefined {
    return this.cache?.get(key);
  }

  /** Without making the entry recently used. */
  has(key: K): boolean {
    return this.cache?.has(key) ?? false;
  }

  /** Stores `value` at its estimated cost, for `ttlMs` when given; one larger than the whole budget is not kept at all. */
  set(key: K, value: V, bytes: number, ttlMs?: number): void {
    if (!this.cache) return;
    if (this.sized && bytes > this.maxBytes) {
      this.cache.delete(key);
      return;
    }
    // Gone once its whole lifetime has passed: lru-cache would keep it through that last millisecond.
    const ttl = ttlMs !== undefined && Number.isFinite(ttlMs) ? { ttl: Math.max(1, Math.ceil(ttlMs) - 1) } : {};
    this.cache.set(key, value, { size: this.sized ? Math.max(1, Math.ceil(bytes)) : 1, ...ttl });
  }

  delete(key: K): boolean {
    return this.cache?.delete(key) ?? false;
  }

  clear(): void {
    this.cache?.clear();
  }

  /** Entries and their estimated bytes, for metrics. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.cache?.size ?? 0, bytes: this.cache?.calculatedSize ?? 0 };
  }
}
