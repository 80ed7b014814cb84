import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { CacheStore, CachedEntry } from './cache-store.js';

export interface PublicCacheOptions {
  /** Fresh for this long; 0 stores nothing but still shares in-flight calls. */
  ttlMs: number;
  /** After the TTL: served stale for this long while one background refresh runs. */
  staleMs: number;
  store: CacheStore;
  logger: Logger;
  metrics?: GatewayMetrics;
  now?: () => number;
  /** Tracing on: each lookup's outcome becomes an event on the active span (the operation's). */
  tracing?: Tracing;
}

/**
 * Across requests: PUBLIC answers only (the store catalogues, fetched without a token), never
 * anything sent with a caller's token. Fresh entries are served as they are; stale ones are served
 * while one background refresh runs; a failed refresh keeps the stale entry until its window ends;
 * an error is never stored. Concurrent misses of one key in this process share one upstream call.
 */
export class PublicCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: PublicCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The value for `key`: cached, or loaded once for all concurrent callers. `wait` says how this
   * caller waits for a load it shares (a request, only until its own deadline); a value the cache
   * holds never waits. `freshUntil` is told until when the value is fresh (epoch ms; already past for
   * a stale one): what an answer built from it may be kept for (src/cache/answer-cache.ts).
   */
  async get<T>(
    key: string,
    load: () => Promise<T>,
    wait: (shared: Promise<T>) => Promise<T> = (shared) => shared,
    freshUntil?: (epochMs: number) => void,
  ): Promise<T> {
    if (this.options.ttlMs > 0) {
      const entry = await this.read(key);
      if (entry !== undefined) {
        const age = this.now() - entry.storedAt;
        if (age < this.options.ttlMs) {
          this.count('hit');
          freshUntil?.(entry.storedAt + this.options.ttlMs);
          return entry.value as T;
        }
        if (age < this.options.ttlMs + this.options.staleMs) {
          this.count('stale');
          freshUntil?.(entry.storedAt + this.options.ttlMs);
          this.refresh(key, load);
          return entry.value as T;
        }
      }
      this.count('miss');
    }
    // Loaded now (or shared with a load that started moments ago): fresh for a TTL from here.
    freshUntil?.(this.now() + this.options.ttlMs);
    return wait(this.shared(key, load));
  }

  /** What the cache holds for `key` (fresh or stale), without ever calling upstream. */
  async peek<T>(key: string, freshUntil?: (epochMs: number) => void): Promise<T | undefined> {
    if (this.options.ttlMs === 0) return undefined;
    const entry = await this.read(key);
    if (entry === undefined || this.now() - entry.storedAt >= this.options.ttlMs + this.options.staleMs) return undefined;
    freshUntil?.(entry.storedAt + this.options.ttlMs);
    return entry.value as T;
  }

  close(): Promise<void> {
    return this.options.store.close();
  }

  private shared<T>(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending !== undefined && this.options.tracing) this.count('shared');
    if (pending === undefined) {
      pending = load().then(async (value) => {
        if (this.options.ttlMs > 0) {
          // A store that fails to keep it costs the next caller a miss, never this caller its answer.
          await this.options.store.write(key, { value, storedAt: this.now() }, this.options.ttlMs + this.options.staleMs).catch(() => undefined);
        }
        return value;
      });
      const settled = pending.finally(() => this.inFlight.delete(key));
      settled.catch(() => undefined); // the callers of `pending` see the error
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** A store that fails is a miss (RedisStore already answers undefined; any other store may throw). */
  private async read(key: string): Promise<CachedEntry | undefined> {
    try {
      return await this.options.store.read(key);
    } catch {
      return undefined;
    }
  }

  private refresh<T>(key: string, load: () => Promise<T>): void {
    if (this.inFlight.has(key)) return; // one refresh at a time per key
    this.count('refresh');
    this.shared(key, load).catch((error: unknown) => {
      this.count('refresh_failure');
      this.options.logger.warn({ key, error: error instanceof Error ? error.message : String(error) }, 'public cache refresh failed; serving the stale entry');
    });
  }

  private count(event: 'hit' | 'miss' | 'stale' | 'refresh' | 'refresh_failure' | 'shared'): void {
    if (event !== 'shared') this.options.metrics?.publicCacheEvents.inc({ event });
    this.options.tracing?.api.trace.getActiveSpan()?.addEvent('public cache', { 'flecs_graph.cache.outcome': event });
  }
}
