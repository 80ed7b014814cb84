import type { Redis } from 'ioredis';
import type { RedisConnection } from '../cache/redis-connection.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { BucketAnswer, LimitStore, MemoryLimitStore, WindowCount } from './limit-store.js';

const PREFIX = 'flecs-graph:limit:';

/** One round trip, atomic: refill by Redis's own clock, take, remember, expire when full again. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, cost = tonumber(ARGV[1]) / 1000, tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, 0
if tokens >= cost then tokens = math.min(burst, tokens - cost); allowed = 1 else wait = math.ceil((cost - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, wait}`;

/** One round trip, atomic: the window starts with the first count and is never extended. */
const ADD = `
local c = redis.call('INCRBY', KEYS[1], ARGV[1])
if c < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL'); c = 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {c, ttl}`;

/**
 * The same counter for what must survive memory pressure (failed logins): no Redis TTL, so that
 * `volatile-lru` (docs/deploying.md) never evicts it; its window's end is kept beside the count and
 * in an index sorted by that end, from which each call deletes up to 16 counters whose window is
 * over. Counters at 0 are deleted at once. A counter and its index share a hash tag (keptKeys below).
 */
const ADD_KEPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'count', 'ends')
local count, ends = tonumber(v[1]), tonumber(v[2])
if count == nil or ends == nil or ends <= now then count = 0; ends = now + tonumber(ARGV[2]) end
count = math.max(0, count + tonumber(ARGV[1]))
if count == 0 then
  redis.call('DEL', KEYS[1]); redis.call('ZREM', KEYS[2], KEYS[1])
else
  redis.call('HSET', KEYS[1], 'count', count, 'ends', ends)
  redis.call('ZADD', KEYS[2], ends, KEYS[1])
end
local over = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 16)
for _, k in ipairs(over) do redis.call('DEL', k); redis.call('ZREM', KEYS[2], k) end
return {count, ends - now}`;

/** A kept counter's count, 0 once its window is over (the next ADD_KEPT deletes it). */
const PEEK_KEPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'count', 'ends')
local count, ends = tonumber(v[1]), tonumber(v[2])
if count == nil or ends == nil or ends <= now then return 0 end
return count`;

type LimitCommands = Redis & {
  flecsLimitTake(key: string, rate: number, burst: number, cost: number): Promise<[number, number]>;
  flecsLimitAdd(key: string, by: number, windowMs: number): Promise<[number, number]>;
  flecsLimitAddKept(key: string, index: string, by: number, windowMs: number): Promise<[number, number]>;
  flecsLimitPeekKept(key: string): Promise<number>;
};

/** Where a store's keys go: budgets expire (and may be evicted); kept counters never are. */
export type LimitKeyspace = 'expiring' | 'kept';
/**
 * Kept counters are spread over KEPT_SHARDS hash tags (`{logins:0}` … `{logins:15}`), each with its
 * own index: a script touches one counter and its index, which must share a slot in a Redis
 * Cluster, while the counters of every account together must not (one slot lives on one primary).
 */
const KEPT_SHARDS = 16;

export function keptKeys(key: string): { counter: string; index: string } {
  // FNV-1a: an even spread, the same on every replica, is all it needs.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  const prefix = `flecs-graph:{logins:${(hash >>> 0) % KEPT_SHARDS}}:`;
  return { counter: prefix + key, index: `${prefix}index` };
}

/**
 * The edge's counters in Redis, shared by every replica (one atomic script per check). When Redis
 * is away or slow the same check runs on this process's own counters (`fallback`): limits go on per
 * process, never an error and never an open door; they return to Redis when it is back.
 */
export class RedisLimitStore implements LimitStore {
  private usingFallback = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly fallback: MemoryLimitStore,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
    private readonly keyspace: LimitKeyspace = 'expiring',
  ) {
    redis.client.defineCommand('flecsLimitTake', { numberOfKeys: 1, lua: TAKE });
    redis.client.defineCommand('flecsLimitAdd', { numberOfKeys: 1, lua: ADD });
    redis.client.defineCommand('flecsLimitAddKept', { numberOfKeys: 2, lua: ADD_KEPT });
    redis.client.defineCommand('flecsLimitPeekKept', { numberOfKeys: 1, lua: PEEK_KEPT });
  }

  async take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer> {
    const answer = await this.redis.run('limit', (c) => (c as LimitCommands).flecsLimitTake(PREFIX + key, ratePerSecond, burst, cost));
    if (answer === undefined) return this.fellBack().take(key, cost, ratePerSecond, burst);
    this.backInRedis();
    return { allowed: answer[0] === 1, retryAfterMs: answer[1] };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const answer = await this.redis.run('limit', (c) =>
      this.keyspace === 'kept'
        ? (c as LimitCommands).flecsLimitAddKept(keptKeys(key).counter, keptKeys(key).index, by, windowMs)
        : (c as LimitCommands).flecsLimitAdd(PREFIX + key, by, windowMs),
    );
    if (answer === undefined) return this.fellBack().add(key, by, windowMs);
    this.backInRedis();
    return { count: answer[0], resetInMs: answer[1] };
  }

  async peek(key: string): Promise<number> {
    const answer = await this.redis.run('limit', async (c) =>
      this.keyspace === 'kept' ? (c as LimitCommands).flecsLimitPeekKept(keptKeys(key).counter) : Number((await c.get(PREFIX + key)) ?? 0),
    );
    if (answer === undefined) return this.fellBack().peek(key);
    this.backInRedis();
    return answer;
  }

  async remove(key: string): Promise<void> {
    await this.fallback.remove(key);
    if (this.keyspace === 'kept') {
      const { counter, index } = keptKeys(key);
      await this.redis.run('limit', (c) => c.multi().del(counter).zrem(index, counter).exec());
    } else await this.redis.run('limit', (c) => c.del(PREFIX + key));
  }

  private fellBack(): MemoryLimitStore {
    this.metrics?.limitFallbacks.inc();
    if (!this.usingFallback) {
      this.usingFallback = true;
      this.logger.warn('rate limits: redis unavailable, counting in this process until it is back');
    }
    return this.fallback;
  }

  private backInRedis(): void {
    if (!this.usingFallback) return;
    this.usingFallback = false;
    this.logger.info('rate limits: counting in redis again, shared by every replica');
  }
}
