import { ByteLru } from '../cache/byte-lru.js';
import type { RedisConnection } from '../cache/redis-connection.js';

const PREFIX = 'flecs-graph:accepted:';

/**
 * Token hashes the Console has accepted lately: a `/my/` route answered 2xx with the token, or the
 * gateway's own login returned it. Only such a token buys a budget of its own; any other is charged
 * to its address, so inventing tokens buys nothing. Remembered for `ttlMs` after the last
 * acceptance, at most `maxEntries` in this process (a dropped one is charged to its address until
 * the Console accepts it again), and in Redis when it is configured, so that every replica knows
 * what one has seen. A refusal (401/403 on a `/my/` route) forgets the token everywhere.
 */
export class AcceptedTokens {
  /** Hash → when it was last written to Redis (epoch ms), so that a busy token is not rewritten per request. */
  private readonly local: ByteLru<string, number>;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly redis?: RedisConnection,
  ) {
    this.local = new ByteLru<string, number>(Number.POSITIVE_INFINITY, maxEntries);
  }

  get size(): number {
    return this.local.stats().entries;
  }

  /** True when the Console accepted this token within the TTL (here or, with Redis, on any replica). */
  async has(hash: string): Promise<boolean> {
    if (this.local.has(hash)) return true;
    if (!this.redis) return false;
    const found = await this.redis.run('accepted_token_read', (c) => c.pttl(PREFIX + hash));
    if (found === undefined || found <= 0) return false;
    // Kept here for what is left of its time in Redis; written at 0, so the next acceptance renews it there.
    this.local.set(hash, 0, 0, found);
    return true;
  }

  accepted(hash: string): void {
    const now = Date.now();
    const written = this.local.get(hash);
    // A token in use is renewed at most once per half TTL: one write, not one per request.
    if (written !== undefined && now - written < this.ttlMs / 2) return;
    this.local.set(hash, now, 0, this.ttlMs);
    void this.redis?.run('accepted_token_write', (c) => c.set(PREFIX + hash, '1', 'PX', this.ttlMs));
  }

  refused(hash: string): void {
    this.local.delete(hash);
    void this.redis?.run('accepted_token_delete', (c) => c.del(PREFIX + hash));
  }
}
