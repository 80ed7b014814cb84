import type { CacheStore, CachedEntry } from './cache-store.js';
import type { RedisConnection } from './redis-connection.js';

const PREFIX = 'flecs-graph:public:v1:';

/**
 * Public answers in Redis, shared by every replica. Entries expire in Redis after TTL + stale window.
 * While Redis is away or bypassed (hung), `local` serves instead (bounded, this process only), so
 * that replicas keep a cache of their own rather than sending every catalogue read to the Console.
 */
export class RedisStore implements CacheStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local?: CacheStore,
  ) {}

  async read(key: string): Promise<CachedEntry | undefined> {
    if (this.local && !this.redis.available) return this.local.read(key);
    const raw = await this.redis.run('read', (c) => c.get(PREFIX + key));
    if (typeof raw !== 'string') return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<CachedEntry>;
      return typeof parsed.storedAt === 'number' && 'value' in parsed ? { value: parsed.value, storedAt: parsed.storedAt } : undefined;
    } catch {
      return undefined; // not ours, or cut short: a miss, and the next write replaces it
    }
  }

  async write(key: string, entry: CachedEntry, lifetimeMs: number): Promise<void> {
    if (this.local && !this.redis.available) return this.local.write(key, entry, lifetimeMs);
    await this.redis.run('write', (c) => c.set(PREFIX + key, JSON.stringify(entry), 'PX', Math.max(1, Math.round(lifetimeMs))));
  }

  async close(): Promise<void> {
    // The connection belongs to the gateway, which closes it.
  }
}
