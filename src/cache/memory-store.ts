import { ByteLru } from './byte-lru.js';
import type { CacheStore, CachedEntry } from './cache-store.js';

/**
 * The in-process store of public answers (PUBLIC_CACHE_MAX_BYTES): least recently used first out,
 * each entry weighed at its key plus the JSON length of its answer (measured once when written:
 * writes happen once per TTL per key, reads on every request), and gone after its lifetime. Values
 * are shared between requests as they are: the mappers never change what they read.
 */
export class MemoryStore implements CacheStore {
  private readonly entries: ByteLru<string, CachedEntry>;

  constructor(maxBytes: number, now?: () => number) {
    this.entries = new ByteLru(maxBytes, Number.POSITIVE_INFINITY, now);
  }

  async read(key: string): Promise<CachedEntry | undefined> {
    return this.entries.get(key);
  }

  async write(key: string, entry: CachedEntry, lifetimeMs: number): Promise<void> {
    this.entries.set(key, entry, key.length + JSON.stringify(entry.value).length, lifetimeMs);
  }

  /** Approximate bytes held, for tests and metrics. */
  size(): { entries: number; bytes: number } {
    return this.entries.stats();
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
