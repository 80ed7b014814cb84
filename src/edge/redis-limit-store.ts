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
if tokens >= cost then tokens = tokens - cost; allowed = 1 else wait = math.ceil((cost - tokens) / rate) end
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

type LimitCommands = Redis & {
  flecsLimitTake(key: string, rate: number, burst: number, cost: number): Promise<[number, number]>;
  flecsLimitAdd(key: string, by: number, windowMs: number): Promise<[number, number]>;
};

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
  ) {
    redis.client.defineCommand('flecsLimitTake', { numberOfKeys: 1, lua: TAKE });
    redis.client.defineCommand('flecsLimitAdd', { numberOfKeys: 1, lua: ADD });
  }

  async take(key: string, cost: number, ratePerSecond: number, burst: number): Promise<BucketAnswer> {
    const answer = await this.redis.run('limit', (c) => (c as LimitCommands).flecsLimitTake(PREFIX + key, ratePerSecond, burst, cost));
    if (answer === undefined) return this.fellBack().take(key, cost, ratePerSecond, burst);
    this.backInRedis();
    return { allowed: answer[0] === 1, retryAfterMs: answer[1] };
  }

  async add(key: string, by: number, windowMs: number): Promise<WindowCount> {
    const answer = await this.redis.run('limit', (c) => (c as LimitCommands).flecsLimitAdd(PREFIX + key, by, windowMs));
    if (answer === undefined) return this.fellBack().add(key, by, windowMs);
    this.backInRedis();
    return { count: answer[0], resetInMs: answer[1] };
  }

  async remove(key: string): Promise<void> {
    await this.fallback.remove(key);
    await this.redis.run('limit', (c) => c.del(PREFIX + key));
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
