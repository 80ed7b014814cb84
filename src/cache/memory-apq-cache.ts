import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { ByteLru } from './byte-lru.js';

/** A string costs ~1 byte per character (one-byte strings) plus its header; the key and map entry ~200 bytes. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Apollo's automatic persisted queries in this process (without REDIS_URL): query text by hash,
 * bounded by bytes (APQ_CACHE_MAX_BYTES) and expiring after PERSISTED_QUERY_TTL_SECONDS. Apollo's
 * default store counted only the text's length, so 30,000 tiny registrations held ~10 MB in map
 * entries its budget never saw. Query text only, never variables or headers.
 */
export class MemoryApqCache implements KeyValueCache<string> {
  private readonly entries: ByteLru<string, { query: string; expiresAt: number }>;

  constructor(
    maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new ByteLru(maxBytes);
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.query;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttlSeconds = options?.ttl;
    const expiresAt = typeof ttlSeconds === 'number' && ttlSeconds > 0 ? this.now() + ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
    this.entries.set(key, { query: value, expiresAt }, ENTRY_OVERHEAD_BYTES + key.length + value.length);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  stats(): { entries: number; bytes: number } {
    return this.entries.stats();
  }
}
