import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { MemoryApqCache } from './memory-apq-cache.js';
import type { RedisConnection } from './redis-connection.js';

// Apollo's own keys already start with "apq:".
const PREFIX = 'flecs-graph:';

/** True when a document has a string literal (or a quote in a comment: counted too, to be safe). */
export function hasStringLiteral(query: string): boolean {
  return query.includes('"');
}

/**
 * Apollo's automatic persisted queries in Redis: a hash registered through one replica is known
 * to all, for PERSISTED_QUERY_TTL_SECONDS. Persisted documents are query text, never variables or
 * headers, but a document may have a value written into it — `validateToken(token: "eyJ…")` — so a
 * document with a string literal never goes to the shared store: it is kept in this process only
 * (bounded, gone with the process), and another replica asks for its text again. A Redis failure
 * is a miss: the client is asked to send the query again.
 */
export class RedisApqCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: RedisConnection,
    private readonly local: MemoryApqCache,
    private readonly ttlSeconds: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const local = await this.local.get(key);
    if (local !== undefined) return local;
    const value = await this.redis.run('apq_read', (c) => c.get(PREFIX + key));
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (hasStringLiteral(value)) return this.local.set(key, value, options);
    const ttl = typeof options?.ttl === 'number' && options.ttl > 0 ? Math.ceil(options.ttl) : this.ttlSeconds;
    await this.redis.run('apq_write', (c) => c.set(PREFIX + key, value, 'EX', ttl));
  }

  async delete(key: string): Promise<boolean | void> {
    await this.local.delete(key);
    await this.redis.run('apq_delete', (c) => c.del(PREFIX + key));
  }
}
