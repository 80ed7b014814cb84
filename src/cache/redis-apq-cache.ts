import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { RedisConnection } from './redis-connection.js';

// Apollo's own keys already start with "apq:".
const PREFIX = 'flecs-graph:';

/**
 * Apollo's automatic persisted queries in Redis: a hash registered through one replica is known
 * to all. Persisted documents are query text, never variables or headers, so nothing private
 * lands here. A Redis failure is a miss: the client is asked to send the query again.
 */
export class RedisApqCache implements KeyValueCache<string> {
  constructor(private readonly redis: RedisConnection) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.run('apq_read', (c) => c.get(PREFIX + key));
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    await this.redis.run('apq_write', (c) =>
      typeof ttl === 'number' && ttl > 0 ? c.set(PREFIX + key, value, 'EX', Math.ceil(ttl)) : c.set(PREFIX + key, value),
    );
  }

  async delete(key: string): Promise<boolean | void> {
    await this.redis.run('apq_delete', (c) => c.del(PREFIX + key));
  }
}
