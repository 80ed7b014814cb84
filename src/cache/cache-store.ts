/** One cached public answer and when it was fetched from the Console. */
export interface CachedEntry {
  value: unknown;
  /** Epoch milliseconds. Each replica judges freshness from this, so entries age the same everywhere. */
  storedAt: number;
}

/**
 * Where public answers are kept: in process, or in Redis so that replicas share them. A store
 * never throws: a failure, or a store too slow to answer, is a miss (read) or a lost write.
 */
export interface CacheStore {
  read(key: string): Promise<CachedEntry | undefined>;
  /** Kept for `lifetimeMs` at most (TTL plus the stale window). */
  write(key: string, entry: CachedEntry, lifetimeMs: number): Promise<void>;
  close(): Promise<void>;
}
