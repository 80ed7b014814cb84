import type { CacheStore, CachedEntry } from './cache-store.js';
import type { RedisConnection } from './redis-connection.js';

const PREFIX = 'flecs-graph:public:v1:';

/** Public answers in Redis, shared by every replica. Entries expire in Redis after TTL + stale window. */
export class RedisStore implements CacheStore {
  constructor(private readonly redis: RedisConnection) {}

  async read(key: string): Promise<CachedEntry | undefined> {
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
    await this.redis.run('write', (c) => c.set(PREFIX + key, JSON.stringify(entry), 'PX', Math.max(1, Math.round(lifetimeMs))));
  }

  async close(): Promise<void> {
    // The connection belongs to the gateway, which closes it.
  }
}
