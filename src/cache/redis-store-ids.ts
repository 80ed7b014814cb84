import type { Redis } from 'ioredis';
import type { SharedStoreIds } from '../loaders/known-stores.js';
import type { RedisConnection } from './redis-connection.js';

const KEY = 'flecs-graph:stores:v1';

/** Adds a member only while the set is under its bound: one round trip, atomic. */
const BOUNDED_ADD = `if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then return redis.call('SADD', KEYS[1], ARGV[1]) end return 0`;

type StoreCommands = Redis & { flecsStoresAdd(key: string, id: number, max: number): Promise<number> };

/**
 * Store ids learned by any replica, in one Redis set (public data: a store id is printed on every
 * product of its public catalogue), so that every replica searches the same stores and a restarted
 * one starts with what the others learned. Redis away: a miss, the replica goes on with its own.
 */
export class RedisStoreIds implements SharedStoreIds {
  constructor(private readonly redis: RedisConnection) {
    redis.client.defineCommand('flecsStoresAdd', { numberOfKeys: 1, lua: BOUNDED_ADD });
  }

  async add(id: number, max: number): Promise<void> {
    await this.redis.run('stores_add', (c) => (c as StoreCommands).flecsStoresAdd(KEY, id, max));
  }

  async members(): Promise<number[] | undefined> {
    const members = await this.redis.run('stores_read', (c) => c.smembers(KEY));
    return members?.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  }
}
