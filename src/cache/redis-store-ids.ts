import type { Redis } from 'ioredis';
import type { SharedStoreIds } from '../loaders/known-stores.js';
import type { RedisConnection } from './redis-connection.js';

const KEY = 'flecs-graph:stores:v2';

/**
 * Adds or renews a member (score: when it expires) while fewer than the bound are live, after
 * dropping the expired ones; the key itself expires with its last member. One round trip, atomic.
 */
const BOUNDED_ADD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2]))) end
return 0`;

type StoreCommands = Redis & { flecsStoresAdd(key: string, id: number, expiresAt: number, max: number): Promise<number> };

/**
 * Store ids learned by any replica from public answers, in one Redis sorted set (public data: a
 * store id is printed on every product of its public catalogue), so that every replica searches
 * the same stores and a restarted one starts with what the others learned. Each expires
 * LEARNED_STORE_TTL_MS after it was last seen. Redis away: a miss, the replica goes on with its own.
 */
export class RedisStoreIds implements SharedStoreIds {
  constructor(private readonly redis: RedisConnection) {
    redis.client.defineCommand('flecsStoresAdd', { numberOfKeys: 1, lua: BOUNDED_ADD });
  }

  async add(id: number, expiresAt: number, max: number): Promise<void> {
    await this.redis.run('stores_add', (c) => (c as StoreCommands).flecsStoresAdd(KEY, id, expiresAt, max));
  }

  async members(): Promise<Array<[number, number]> | undefined> {
    const flat = await this.redis.run('stores_read', (c) => c.zrangebyscore(KEY, Date.now(), '+inf', 'WITHSCORES'));
    if (flat === undefined) return undefined;
    const out: Array<[number, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const id = Number(flat[i]);
      if (Number.isSafeInteger(id) && id > 0) out.push([id, Number(flat[i + 1])]);
    }
    return out;
  }
}
