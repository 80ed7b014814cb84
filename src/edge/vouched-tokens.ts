import { ByteLru } from '../cache/byte-lru.js';
import type { RedisConnection } from '../cache/redis-connection.js';

const PREFIX = 'flecs-graph:accepted:';

/**
 * With Redis, how long this process trusts its own copy of a vouched token before asking Redis
 * again: a 401 on one replica deletes the token in Redis, and the others forget it within this.
 */
export const LOCAL_RECHECK_MS = 5000;

/**
 * How long a token the Console refused is taken at its word: an app with an expired token tends to
 * retry it, and each retry would otherwise cost a verification. In this process only.
 */
export const REFUSED_MEMORY_MS = 5 * 60_000;
/** Refused tokens remembered at most (their hashes: ~200 bytes each); the oldest go first. */
const REFUSED_MAX_ENTRIES = 10_000;

/** A vouched token, as this process keeps it: whose it is, and when that was last written to Redis. */
interface Vouched {
  principal: string;
  writtenAt: number;
}

/**
 * Tokens the Console has vouched for lately (its login issued one through this gateway, a `/my/`
 * route answered 2xx, or one verification said valid), each mapped to the user it belongs to: the
 * budget key (`u:<account id>` where the token names its account, `t:<token hash>` otherwise), so
 * that every token of one account spends one budget. Keyed by the token's hash, never the token.
 * Remembered for `ttlMs` after the last time the Console vouched, at most `maxEntries` in this
 * process (a dropped one is verified again on its next request), and in Redis when it is
 * configured, so that every replica knows what one has seen. A refusal (401/403, or a validate that
 * says invalid) forgets the token here at once and in Redis, and other replicas within
 * LOCAL_RECHECK_MS; a validate that said invalid is taken as the answer for REFUSED_MEMORY_MS here.
 */
export class VouchedTokens {
  private readonly local: ByteLru<string, Vouched>;
  private readonly localTtlMs: number;
  /** Hashes of tokens a verification found invalid lately. */
  private readonly refusedLately = new ByteLru<string, true>(Number.POSITIVE_INFINITY, REFUSED_MAX_ENTRIES);

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly redis?: RedisConnection,
  ) {
    this.local = new ByteLru<string, Vouched>(Number.POSITIVE_INFINITY, maxEntries);
    this.localTtlMs = redis ? Math.min(ttlMs, LOCAL_RECHECK_MS) : ttlMs;
  }

  get size(): number {
    return this.local.stats().entries;
  }

  /** The user a token belongs to, when the Console vouched for it within the TTL (here or, with Redis, on any replica). */
  async principalOf(hash: string): Promise<string | undefined> {
    const known = this.local.get(hash);
    if (known !== undefined) return known.principal;
    if (!this.redis) return undefined;
    const found = await this.redis.run('accepted_token_read', (c) => c.get(PREFIX + hash));
    if (found === undefined || found === null) return undefined;
    // Written before principals were kept: the token is its own user.
    const principal = found === '1' ? `t:${hash}` : found;
    // writtenAt 0: the next time the Console vouches for it, Redis's copy is renewed.
    this.local.set(hash, { principal, writtenAt: 0 }, 0, this.localTtlMs);
    return principal;
  }

  /** True when a verification found this token invalid within REFUSED_MEMORY_MS (in this process). */
  refusedLatelyHere(hash: string): boolean {
    return this.refusedLately.has(hash);
  }

  vouched(hash: string, principal: string): void {
    this.refusedLately.delete(hash);
    const now = Date.now();
    const known = this.local.get(hash);
    // A token in use is renewed at most once per half TTL: one write, not one per request.
    if (known !== undefined && known.principal === principal && now - known.writtenAt < this.ttlMs / 2) return;
    this.local.set(hash, { principal, writtenAt: now }, 0, this.localTtlMs);
    void this.redis?.run('accepted_token_write', (c) => c.set(PREFIX + hash, principal, 'PX', this.ttlMs));
  }

  /** The Console refused the token on a route (401/403): forgotten, so that its next request verifies it again. */
  refused(hash: string): void {
    this.local.delete(hash);
    void this.redis?.run('accepted_token_delete', (c) => c.del(PREFIX + hash));
  }

  /** A verification said the token is not valid: forgotten, and that answer kept for REFUSED_MEMORY_MS. */
  invalid(hash: string): void {
    this.refused(hash);
    this.refusedLately.set(hash, true, 0, REFUSED_MEMORY_MS);
  }
}
