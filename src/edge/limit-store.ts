import { ByteLru } from '../cache/byte-lru.js';

/** What a token bucket said: allowed, or how long until enough tokens are back. */
export interface BucketAnswer {
  allowed: boolean;
  retryAfterMs: number;
}

/** A fixed-window counter after a change: its count and how long until the window ends. */
export interface WindowCount {
  count: number;
  resetInMs: number;
}

/**
 * Where the edge's counters live: in this process, or in Redis so that every replica enforces one
 * limit. Keys are hashes or addresses, never a token, a password or a username in clear.
 */
export interface LimitStore {
  /** Takes `cost` tokens from a bucket refilled at `ratePerSecond` up to `burst`; a negative cost gives tokens back (up to `burst`). */
  take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer>;
  /** Adds `by` (may be negative) to a counter whose window of `windowMs` starts at its first count. */
  add(key: string, by: number, windowMs: number): Promise<WindowCount>;
  /** A counter's count, 0 when it is absent or its window is over; changes nothing. */
  peek(key: string): Promise<number>;
  remove(key: string): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}
interface Counter {
  count: number;
  endsAt: number;
}

/** What one counter costs in memory (key, object, the cache's entry): the estimate behind LIMIT_MAX_KEYS's docs. */
export const LIMIT_ENTRY_BYTES = 200;

/**
 * Counters in this process, bounded: at most `maxKeys` keys (least recently used dropped first), so
 * a client sending a million distinct addresses costs at most `maxKeys` × LIMIT_ENTRY_BYTES. A
 * dropped key starts afresh: under such a flood some budgets reset, which is the price of a bounded
 * memory; lockouts live in a store of their own that such traffic never fills.
 */
export class MemoryLimitStore implements LimitStore {
  private readonly entries: ByteLru<string, Bucket | Counter>;

  constructor(
    maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new ByteLru(Number.POSITIVE_INFINITY, maxKeys);
  }

  get size(): number {
    return this.entries.stats().entries;
  }

  async take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer> {
    const now = this.now();
    const bucket = (this.entries.get(key) as Bucket | undefined) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000);
    bucket.at = now;
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens = Math.min(burst, bucket.tokens - cost);
    this.entries.set(key, bucket, LIMIT_ENTRY_BYTES);
    return { allowed, retryAfterMs: allowed ? 0 : Math.ceil(((cost - bucket.tokens) * 1000) / ratePerSecond) };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    let counter = this.entries.get(key) as Counter | undefined;
    if (!counter || counter.endsAt <= now) counter = { count: 0, endsAt: now + windowMs };
    counter.count = Math.max(0, counter.count + by);
    this.entries.set(key, counter, LIMIT_ENTRY_BYTES);
    return { count: counter.count, resetInMs: counter.endsAt - now };
  }

  async peek(key: string): Promise<number> {
    const counter = this.entries.get(key) as Counter | undefined;
    return counter !== undefined && counter.endsAt > this.now() ? counter.count : 0;
  }

  async remove(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
