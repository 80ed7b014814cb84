import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { MemoryStore } from './cache/memory-store.js';
import { PublicCache } from './cache/public-cache.js';
import { MemoryApqCache } from './cache/memory-apq-cache.js';
import { RedisApqCache } from './cache/redis-apq-cache.js';
import { RedisConnection } from './cache/redis-connection.js';
import { RedisStore } from './cache/redis-store.js';
import { RedisStoreIds } from './cache/redis-store-ids.js';
import type { LookupLimits, MemoryBudgets, PublicCacheConfig } from './config.js';
import type { ConsoleTransport } from './console/http-transport.js';
import { ConsoleClient } from './console/console-client.js';
import { EdgeLimits, type EdgeLimitConfig } from './edge/edge-limits.js';
import { TokenVerifications, type TokenVerifier } from './edge/token-verification.js';
import { MemoryLimitStore } from './edge/limit-store.js';
import { RedisLimitStore } from './edge/redis-limit-store.js';
import { VouchedTokens } from './edge/vouched-tokens.js';
import { KnownStores } from './loaders/known-stores.js';
import { PublicSnapshot } from './loaders/public-snapshot.js';
import type { Logger } from './observability/logger.js';
import type { GatewayMetrics } from './observability/metrics.js';

/**
 * What every request of one gateway shares: connections and route health (transport), public
 * answers (publicCache), public store ids (knownStores). Nothing here is ever tied to a token.
 */
export interface SharedServices {
  transport: ConsoleTransport;
  publicCache: PublicCache;
  knownStores: KnownStores;
  /** A recent complete pass over the public catalogues, for product searches. */
  publicSnapshot: PublicSnapshot;
  lookup: LookupLimits;
  /** The public edge's limits (per-client budgets, failed logins), in Redis when it is configured. */
  edge: EdgeLimits;
}

/** How long a complete pass over the public catalogues serves product searches (at most the TTL). */
const PUBLIC_SNAPSHOT_MS = 5000;

export interface SharedServicesOptions {
  transport: ConsoleTransport;
  publicCache: PublicCacheConfig;
  lookup: LookupLimits;
  memory: MemoryBudgets;
  persistedQueryTtlSeconds: number;
  edge: EdgeLimitConfig;
  limitMaxKeys: number;
  /** ACCEPTED_TOKEN_TTL_SECONDS; its default when left out. */
  acceptedTokenTtlMs?: number;
  /** How long a token's verification may take (OPERATION_TIMEOUT_MS); its default when left out. */
  verificationTimeoutMs?: number;
  logger: Logger;
  metrics?: GatewayMetrics;
}

export interface RunningServices extends SharedServices {
  /** Apollo's persisted-query store: in process (bounded), or in Redis with an in-process part. */
  apqCache: KeyValueCache<string>;
  /** The in-process persisted queries, for metrics. */
  localApq: MemoryApqCache;
  /** Waits (at most `ms`) for the shared store to be reachable; at once without Redis. */
  ready(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The public cache in process, or in Redis (with the persisted queries) when REDIS_URL is set. */
export function createSharedServices(options: SharedServicesOptions): RunningServices {
  const { publicCache: cacheConfig, logger, metrics } = options;
  const redis = cacheConfig.redis ? new RedisConnection(cacheConfig.redis, cacheConfig.redisTimeoutMs, logger, metrics, options.transport.tracing) : undefined;
  // With Redis, the memory store serves only while Redis is away or hung.
  const memoryStore = new MemoryStore(cacheConfig.maxBytes);
  const store = redis ? new RedisStore(redis, memoryStore) : memoryStore;
  metrics?.caches.set('public', () => memoryStore.size());
  const localApq = new MemoryApqCache(options.memory.apqCacheMaxBytes);
  const localLimits = new MemoryLimitStore(options.limitMaxKeys);
  const limitStore = redis ? new RedisLimitStore(redis, localLimits, logger, metrics) : localLimits;
  // Failed logins apart from the budgets: a flood of new clients evicts buckets, never a lockout.
  const localLogins = new MemoryLimitStore(options.limitMaxKeys);
  const loginStore = redis ? new RedisLimitStore(redis, localLogins, logger, metrics, 'kept') : localLogins;
  const vouchedTokens = new VouchedTokens(options.acceptedTokenTtlMs ?? 900_000, options.limitMaxKeys, redis);
  const publicCache = new PublicCache({
    ttlMs: cacheConfig.ttlMs,
    staleMs: cacheConfig.staleMs,
    store,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(options.transport.tracing ? { tracing: options.transport.tracing } : {}),
  });
  return {
    transport: options.transport,
    publicCache,
    knownStores: new KnownStores(options.lookup.storeIds, undefined, redis ? new RedisStoreIds(redis) : undefined),
    publicSnapshot: new PublicSnapshot(Math.min(PUBLIC_SNAPSHOT_MS, cacheConfig.ttlMs)),
    lookup: options.lookup,
    edge: new EdgeLimits(
      options.edge,
      limitStore,
      loginStore,
      vouchedTokens,
      new TokenVerifications(
        tokenVerifier({ transport: options.transport, publicCache }, options.verificationTimeoutMs ?? 15_000),
        limitStore,
        options.edge.consoleCallsPerSecond,
        metrics,
      ),
      logger,
      metrics,
    ),
    apqCache: redis ? new RedisApqCache(redis, localApq, options.persistedQueryTtlSeconds) : localApq,
    localApq,
    async ready(ms) {
      await redis?.connected(ms);
    },
    async close() {
      await publicCache.close();
      await redis?.close();
    },
  };
}

/**
 * One validate call for a token nobody vouched for yet (src/edge/edge-limits.ts): valid, invalid,
 * or unknown when the Console failed (the request then runs on its network's budget, never a 5xx).
 */
function tokenVerifier(services: Pick<SharedServices, 'transport' | 'publicCache'>, timeoutMs: number): TokenVerifier {
  return async (token, requestId) => {
    const console = new ConsoleClient(services, undefined, { requestId, deadline: Date.now() + timeoutMs, budgetMs: timeoutMs, firstInLine: true });
    try {
      const answer = await console.validate(token);
      return { verdict: answer.isValid === true ? 'valid' : 'invalid', answer };
    } catch {
      return { verdict: 'unknown' };
    }
  };
}
