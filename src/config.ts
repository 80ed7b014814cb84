import type { EdgeLimitConfig } from './edge/edge-limits.js';
import type { ConcurrencySetting } from './edge/admission.js';
import { ConfigError, readBool, readChoice, readHttpUrl, readInt, readString } from './common/env.js';
import type { RedisSettings } from './cache/redis-settings.js';
import { LOG_LEVELS, type LogLevel } from './observability/logger.js';
import {
  readConcurrency,
  readCursorSecrets,
  readRedisSettings,
  readStoreIds,
  readTrustedDocuments,
  type CursorSecrets,
  type TrustedDocumentsSetting,
} from './config-readers.js';

export interface GatewayConfig {
  consoleUrl: URL;
  port: number;
  host: string;
  upstreamTimeoutMs: number;
  logLevel: LogLevel;
  /** Exact origins allowed by CORS; "*" allows any. */
  corsOrigins: string[];
  nodeEnv: 'development' | 'production' | 'test';
  /** Stack traces and internal messages in error responses: only when NODE_ENV=development is set explicitly. */
  stackTraces: boolean;
  /** Compress answers of at least `minBytes` when the client accepts br or gzip. */
  compression: { enabled: boolean; minBytes: number };
  /** PREPARED_OPERATIONS: documents that already ran compiled skip Apollo's per-request pipeline. */
  preparedOperations: boolean;
  /** APOLLO_KEY and APOLLO_GRAPH_REF are set: Apollo Server installs its usage reporting, which must see every operation. */
  apolloUsageReporting: boolean;
  /** Landing page (Apollo Sandbox) and introspection. */
  sandbox: boolean;
  /** GRAPHQL_EXPLORER: `sandbox` (Apollo's, falling back to the local GraphiQL offline) or `graphiql`. */
  explorer: 'sandbox' | 'graphiql';
  /** TRUSTED_DOCUMENTS_FILE and TRUSTED_DOCUMENTS; undefined without a file. */
  trustedDocuments: TrustedDocumentsSetting | undefined;
  /** `bearer`: GET queries need no preflight header (auth is a Bearer header only); `strict`: Apollo's CSRF prevention. */
  csrfPrevention: 'bearer' | 'strict';
  maxBodyBytes: number;
  /** Deadline of one whole GraphQL operation's upstream work. */
  operationTimeoutMs: number;
  /** How many GraphQL operations run at once (src/edge/admission.ts). */
  operationConcurrency: ConcurrencySetting;
  /** Longest wait for a slot under that limit; then the operation is refused with 503 OVERLOADED. */
  operationQueueTimeoutMs: number;
  /** Most operations waiting for a slot; one more is refused at once with 503 OVERLOADED. */
  operationQueueMax: number;
  /** Largest variables object of a request, as JSON bytes. */
  maxVariablesBytes: number;
  /** V8's old-generation growth after each full collection, in percent; 0 leaves V8's own heuristic. */
  heapGrowingPercent: number;
  upstreamMaxBytes: number;
  circuitFailureThreshold: number;
  circuitResetMs: number;
  /** Connections to the Console: its capacity through this gateway is this many calls at once. */
  consoleMaxConnections: number;
  /** Longest a Console call waits for a free connection, and the admission's horizon. */
  consoleQueueTimeoutMs: number;
  limits: OperationLimits;
  shutdownTimeoutMs: number;
  /** After SIGTERM, keep serving this long with /readyz false, so load balancers stop sending first. */
  shutdownDelayMs: number;
  publicCache: PublicCacheConfig;
  lookup: LookupLimits;
  /** Caches that grow with distinct client input, each bounded by its estimated heap cost. */
  memory: MemoryBudgets;
  /** How long a registered persisted query (APQ) is kept, in process and in Redis. */
  persistedQueryTtlSeconds: number;
  /** The public edge's limits (src/edge/). */
  edge: EdgeLimitConfig;
  /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted. */
  trustProxyHops: number;
  /** Most keys the in-process limit counters hold (least recently used dropped first); failed logins get as many again, apart. */
  limitMaxKeys: number;
  /** How long a token the Console accepted keeps a budget of its own after its last acceptance. */
  acceptedTokenTtlMs: number;
  /** CURSOR_SECRET and CURSOR_SECRET_PREVIOUS: the keys cursors are signed with; unsigned (positions only) when unset. */
  cursorSecrets: CursorSecrets | undefined;
  /** Port of the listener that serves /metrics; equal to `port`, /metrics is served on the main port. */
  metricsPort: number;
  /** PROBE_PORT: /healthz and /readyz on a listener of their own, answered by a thread of their own; undefined: only on the main port. */
  probePort: number | undefined;
}

/** Byte budgets of the caches keyed by what clients send (docs/performance.md, Memory). */
export interface MemoryBudgets {
  /** Parsed and validated documents (Apollo's document store); 0 parses every request. */
  documentCacheMaxBytes: number;
  /** Persisted-query text held in this process. */
  apqCacheMaxBytes: number;
  /** Compiled operations (graphql-jit). */
  compiledCacheMaxBytes: number;
  /** Whole answers of public operations (src/cache/answer-cache.ts); 0 turns them off. */
  answerCacheMaxBytes: number;
}

/** The cross-request cache of public catalogue answers (src/cache/). */
export interface PublicCacheConfig {
  /** Fresh for this long; 0 turns caching off but keeps the sharing of in-flight calls. */
  ttlMs: number;
  /** After the TTL, served stale for this long while one background refresh runs. */
  staleMs: number;
  /** Bound of the in-process store (approximate bytes of the answers kept). */
  maxBytes: number;
  /** Shared store for replicas (limits, logins, public cache, persisted queries); in process when undefined. */
  redis: RedisSettings | undefined;
  /** How long a Redis command may take before it counts as a miss. */
  redisTimeoutMs: number;
}

/** Bounds of a product search (LineItem.product, Query.product). */
export interface LookupLimits {
  /** Pages read per list (the caller's products, apps, one store's catalogue). */
  maxPages: number;
  /** Stores whose public catalogues are searched. */
  maxStores: number;
  /** CONSOLE_STORE_IDS: stores always searched, in this order, besides the default one; empty when unset. */
  storeIds: number[];
}

/** Operation limits, checked before any upstream call (src/edge/). */
export interface OperationLimits {
  maxDocumentBytes: number;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxUpstreamCost: number;
}

/** Origins of the Apollo Sandbox / Studio, which call the gateway from the browser. */
export const APOLLO_SANDBOX_ORIGINS = ['https://sandbox.embed.apollographql.com', 'https://studio.apollographql.com'];

/** Reads and validates the gateway's environment; throws ConfigError naming the bad variable. */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const nodeEnv = readChoice(env, 'NODE_ENV', 'development', ['development', 'production', 'test'] as const);
  const production = nodeEnv === 'production';
  const corsRaw = env.CORS_ORIGINS;
  const corsOrigins =
    corsRaw === undefined
      ? production
        ? []
        : [...APOLLO_SANDBOX_ORIGINS, 'localhost']
      : corsRaw
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (origin !== '*' && origin !== 'localhost' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS entries must be origins like https://app.example.com, "localhost" or "*" (got "${origin}")`);
    }
  }
  return {
    consoleUrl: readHttpUrl(env, 'CONSOLE_URL', 'https://console.flecs.tech'),
    port: readInt(env, 'PORT', 4000, 0, 65535),
    host: readString(env, 'HOST', '0.0.0.0'),
    upstreamTimeoutMs: readInt(env, 'UPSTREAM_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    corsOrigins,
    nodeEnv,
    stackTraces: env.NODE_ENV?.trim() === 'development',
    preparedOperations: readBool(env, 'PREPARED_OPERATIONS', true),
    apolloUsageReporting: Boolean(env.APOLLO_KEY && env.APOLLO_GRAPH_REF),
    compression: { enabled: readBool(env, 'COMPRESSION', true), minBytes: readInt(env, 'COMPRESSION_MIN_BYTES', 1024, 0, 64 * 1_048_576) },
    sandbox: readBool(env, 'GRAPHQL_SANDBOX', !production),
    explorer: readChoice(env, 'GRAPHQL_EXPLORER', 'sandbox', ['sandbox', 'graphiql'] as const),
    csrfPrevention: readChoice(env, 'CSRF_PREVENTION', 'bearer', ['bearer', 'strict'] as const),
    trustedDocuments: readTrustedDocuments(env, readBool(env, 'GRAPHQL_SANDBOX', !production)),
    maxBodyBytes: readInt(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    operationTimeoutMs: readInt(env, 'OPERATION_TIMEOUT_MS', 15_000, 1, 600_000),
    operationConcurrency: readConcurrency(env),
    operationQueueTimeoutMs: readInt(env, 'OPERATION_QUEUE_TIMEOUT_MS', 10_000, 1, 600_000),
    operationQueueMax: readInt(env, 'OPERATION_QUEUE_MAX', 1000, 1, 1_000_000),
    maxVariablesBytes: readInt(env, 'MAX_VARIABLES_BYTES', 65_536, 64, 64 * 1_048_576),
    heapGrowingPercent: readInt(env, 'HEAP_GROWING_PERCENT', 0, 0, 1000),
    upstreamMaxBytes: readInt(env, 'UPSTREAM_MAX_BYTES', 5 * 1_048_576, 1024, 512 * 1_048_576),
    circuitFailureThreshold: readInt(env, 'CIRCUIT_FAILURE_THRESHOLD', 5, 1, 1000),
    circuitResetMs: readInt(env, 'CIRCUIT_RESET_MS', 10_000, 10, 3_600_000),
    consoleMaxConnections: readInt(env, 'CONSOLE_MAX_CONNECTIONS', 256, 1, 4096),
    consoleQueueTimeoutMs: readInt(env, 'CONSOLE_QUEUE_TIMEOUT_MS', 1000, 1, 60_000),
    limits: {
      maxDocumentBytes: readInt(env, 'MAX_DOCUMENT_BYTES', 32_768, 64, 64 * 1_048_576),
      maxTokens: readInt(env, 'MAX_TOKENS', 5000, 50, 1_000_000),
      maxDepth: readInt(env, 'MAX_DEPTH', 15, 1, 1000),
      maxAliases: readInt(env, 'MAX_ALIASES', 30, 0, 100_000),
      maxRootFields: readInt(env, 'MAX_ROOT_FIELDS', 10, 1, 1000),
      maxUpstreamCost: readInt(env, 'MAX_UPSTREAM_COST', 100, 1, 100_000),
    },
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    shutdownDelayMs: readInt(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    publicCache: {
      ttlMs: readInt(env, 'PUBLIC_CACHE_TTL_MS', 60_000, 0, 86_400_000),
      staleMs: readInt(env, 'PUBLIC_CACHE_STALE_MS', 300_000, 0, 86_400_000),
      maxBytes: readInt(env, 'PUBLIC_CACHE_MAX_BYTES', 16 * 1_048_576, 0, 1024 * 1_048_576),
      redis: readRedisSettings(env),
      redisTimeoutMs: readInt(env, 'REDIS_TIMEOUT_MS', 100, 1, 10_000),
    },
    lookup: {
      maxPages: readInt(env, 'LOOKUP_MAX_PAGES', 20, 1, 500),
      maxStores: readInt(env, 'LOOKUP_MAX_STORES', 25, 1, 1000),
      storeIds: readStoreIds(env),
    },
    memory: {
      documentCacheMaxBytes: readInt(env, 'DOCUMENT_CACHE_MAX_BYTES', 8 * 1_048_576, 0, 1024 * 1_048_576),
      apqCacheMaxBytes: readInt(env, 'APQ_CACHE_MAX_BYTES', 4 * 1_048_576, 0, 1024 * 1_048_576),
      compiledCacheMaxBytes: readInt(env, 'COMPILED_CACHE_MAX_BYTES', 8 * 1_048_576, 0, 1024 * 1_048_576),
      answerCacheMaxBytes: readInt(env, 'ANSWER_CACHE_MAX_BYTES', 8 * 1_048_576, 0, 1024 * 1_048_576),
    },
    persistedQueryTtlSeconds: readInt(env, 'PERSISTED_QUERY_TTL_SECONDS', 86_400, 1, 31_536_000),
    edge: {
      operationsPerSecond: readInt(env, 'CLIENT_OPERATIONS_PER_SECOND', 50, 0, 100_000),
      consoleCallsPerSecond: readInt(env, 'CLIENT_CONSOLE_CALLS_PER_SECOND', 200, 0, 100_000),
      loginMaxFailuresPerUserAddress: readInt(env, 'LOGIN_MAX_FAILURES_PER_USER_ADDRESS', 10, 0, 100_000),
      loginUserAddressWindowMs: readInt(env, 'LOGIN_USER_ADDRESS_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
      loginMaxFailuresPerAddress: readInt(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 0, 1_000_000),
      loginAddressWindowMs: readInt(env, 'LOGIN_ADDRESS_WINDOW_SECONDS', 3600, 1, 86_400) * 1000,
      loginMaxFailuresPerAccount: readInt(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 50, 0, 1_000_000),
      loginAccountWindowMs: readInt(env, 'LOGIN_ACCOUNT_WINDOW_SECONDS', 3600, 1, 86_400) * 1000,
      loginKnownNetworkMs: readInt(env, 'LOGIN_KNOWN_NETWORK_DAYS', 30, 1, 365) * 86_400_000,
      networkPrefixes: { ipv4: readInt(env, 'NETWORK_PREFIX_IPV4', 32, 8, 32), ipv6: readInt(env, 'NETWORK_PREFIX_IPV6', 64, 16, 128) },
    },
    trustProxyHops: readInt(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    limitMaxKeys: readInt(env, 'LIMIT_MAX_KEYS', 100_000, 1000, 10_000_000),
    acceptedTokenTtlMs: readInt(env, 'ACCEPTED_TOKEN_TTL_SECONDS', 900, 1, 86_400) * 1000,
    cursorSecrets: readCursorSecrets(env),
    metricsPort: readInt(env, 'METRICS_PORT', 9464, 0, 65535),
    probePort: (env.PROBE_PORT ?? '').trim() === '' ? undefined : readInt(env, 'PROBE_PORT', 0, 0, 65535),
  };
}
