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
  /** Takes `cost` tokens from a bucket refilled at `ratePerSecond` up to `burst`. */
  take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer>;
  /** Adds `by` (may be negative) to a counter whose window of `windowMs` starts at its first count. */
  add(key: string, by: number, windowMs: number): Promise<WindowCount>;
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

/**
 * Counters in this process, bounded: at most `maxKeys` keys (least recently used dropped first), so
 * a client sending a million distinct tokens or addresses costs at most ~`maxKeys` × 200 bytes. A
 * dropped key starts afresh: under such a flood the limits of the oldest clients reset, which is the
 * price of a bounded memory (README, "Security").
 */
export class MemoryLimitStore implements LimitStore {
  private readonly entries = new Map<string, Bucket | Counter>(); // insertion order = least recently used first

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer> {
    const now = this.now();
    const found = this.touch(key) as Bucket | undefined;
    const bucket = found ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000);
    bucket.at = now;
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    this.put(key, bucket);
    return { allowed, retryAfterMs: allowed ? 0 : Math.ceil(((cost - bucket.tokens) * 1000) / ratePerSecond) };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    let counter = this.touch(key) as Counter | undefined;
    if (!counter || counter.endsAt <= now) counter = { count: 0, endsAt: now + windowMs };
    counter.count = Math.max(0, counter.count + by);
    this.put(key, counter);
    return { count: counter.count, resetInMs: counter.endsAt - now };
  }

  async remove(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private touch(key: string): Bucket | Counter | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.entries.delete(key);
    return entry;
  }

  private put(key: string, entry: Bucket | Counter): void {
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}
