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
  private readonly entries: ByteLru<string, string>;

  constructor(maxBytes: number, now?: () => number) {
    this.entries = new ByteLru(maxBytes, Number.POSITIVE_INFINITY, now);
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttlSeconds = options?.ttl;
    const ttlMs = typeof ttlSeconds === 'number' && ttlSeconds > 0 ? ttlSeconds * 1000 : undefined;
    this.entries.set(key, value, ENTRY_OVERHEAD_BYTES + key.length + value.length, ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  stats(): { entries: number; bytes: number } {
    return this.entries.stats();
  }
}
