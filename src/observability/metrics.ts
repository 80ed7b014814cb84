import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const MAX_OPERATION_LABELS = 200;
const LABEL_AFTER_USES = 20;
const MAX_CANDIDATES = 5000;

/**
 * Prometheus metrics of one gateway. A registry per gateway rather than prom-client's global one:
 * tests (and the demo) run several gateways in one process, and each must count only its own.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'flecs_graph_http_request_duration_seconds',
    help: 'HTTP requests served by the gateway, by path and status.',
    labelNames: ['method', 'path', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'flecs_graph_http_requests_in_flight',
    help: 'HTTP requests being served right now.',
    registers: [this.registry],
  });

  /** Read when /metrics is scraped: the admission gate's limit (0 = none) and its queue. */
  admission: { limit: number; queued: number } | undefined;

  readonly concurrencyLimit: Gauge = new Gauge({
    name: 'flecs_graph_operation_concurrency_limit',
    help: 'GraphQL operations allowed to run at once (OPERATION_CONCURRENCY; moves with the load in auto mode; 0 = no limit).',
    registers: [this.registry],
    collect: (): void => {
      const limit = this.admission?.limit ?? 0;
      this.concurrencyLimit.set(Number.isFinite(limit) ? limit : 0);
    },
  });

  readonly operationsWaiting: Gauge = new Gauge({
    name: 'flecs_graph_operations_waiting',
    help: 'GraphQL operations waiting for a slot under the concurrency limit.',
    registers: [this.registry],
    collect: (): void => this.operationsWaiting.set(this.admission?.queued ?? 0),
  });

  readonly operationsNotRun = new Counter({
    name: 'flecs_graph_operations_not_run_total',
    help: 'GraphQL operations never run: their client left while they waited for a slot (client_left), they waited OPERATION_QUEUE_TIMEOUT_MS (waited_too_long, 503), or the Console was too slow to take their calls soon (console_busy, 503).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly operations = new Counter({
    name: 'flecs_graph_graphql_operations_total',
    help: 'GraphQL operations by operation name and outcome (success, partial, error, rejected).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly preparedOperations = new Counter({
    name: 'flecs_graph_prepared_operations_total',
    help: "GraphQL operations run on the prepared path: a document that already ran compiled here, answered without Apollo Server's per-request pipeline (PREPARED_OPERATIONS).",
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'flecs_graph_upstream_request_duration_seconds',
    help: 'Console calls by route and outcome (HTTP status, or timeout / unavailable / circuit_open / too_large).',
    labelNames: ['route', 'status'] as const,
    buckets: [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'flecs_graph_upstream_circuit_state',
    help: 'Circuit breaker state per Console route: 0 closed, 1 half-open, 2 open.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly publicCacheEvents = new Counter({
    name: 'flecs_graph_public_cache_events_total',
    help: 'Public cache lookups and refreshes: hit, miss, stale (served stale), refresh, refresh_failure.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly answerCacheEvents = new Counter({
    name: 'flecs_graph_answer_cache_events_total',
    help: 'Public operations on the prepared path, by how they were answered: hit (whole answer from the answer cache), stale (served stale while one request rebuilds it), miss (executed).',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: 'flecs_graph_redis_errors_total',
    help: 'Redis commands that failed or timed out (each counted as a miss), by operation and kind (timeout, connection, unavailable, or the Redis error word: noauth, readonly, oom, moved, ...).',
    labelNames: ['operation', 'kind'] as const,
    registers: [this.registry],
  });

  readonly redisBypassed = new Gauge({
    name: 'flecs_graph_redis_bypassed',
    help: '1 while Redis is connected but not answering in time, so that nothing waits on it (only with REDIS_URL).',
    registers: [],
  });

  /** Registered only with REDIS_URL (`watchRedis`): without Redis a 0 here would fire a "Redis down" alert. */
  readonly redisUp = new Gauge({
    name: 'flecs_graph_redis_up',
    help: '1 while the shared Redis store is connected and its commands succeed, 0 while it is away or answers errors (only with REDIS_URL).',
    registers: [],
  });

  watchRedis(): void {
    if (!this.registry.getSingleMetric('flecs_graph_redis_up')) this.registry.registerMetric(this.redisUp);
    if (!this.registry.getSingleMetric('flecs_graph_redis_bypassed')) this.registry.registerMetric(this.redisBypassed);
  }

  readonly rateLimited = new Counter({
    name: 'flecs_graph_rate_limited_total',
    help: 'Refusals by the edge limits, by kind: operations, console_calls (per-caller budgets), login_user_address, login_address, login_account (failed logins).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly tokenVerifications: Counter<'outcome'> = new Counter({
    name: 'flecs_graph_token_verifications_total',
    help: "Verifications of bearer tokens nobody had vouched for yet, by outcome: valid, invalid, failed (the Console did not answer), skipped (its network had no Console calls left; the request ran on its network's budget).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly limitFallbacks = new Counter({
    name: 'flecs_graph_rate_limit_fallbacks_total',
    help: 'Limit checks counted in this process because Redis was away or slow (with REDIS_URL).',
    registers: [this.registry],
  });

  /** Read when /metrics is scraped: caches that grow with distinct client input, by name. */
  readonly caches = new Map<string, () => { entries: number; bytes: number }>();

  readonly cacheEntries: Gauge<'cache'> = new Gauge({
    name: 'flecs_graph_cache_entries',
    help: 'Entries held by each in-process cache keyed by client input (documents, persisted_queries, compiled_operations, prepared_sources, public, answers).',
    labelNames: ['cache'] as const,
    registers: [this.registry],
    collect: (): void => {
      for (const [cache, stats] of this.caches) this.cacheEntries.set({ cache }, stats().entries);
    },
  });

  readonly cacheBytes: Gauge<'cache'> = new Gauge({
    name: 'flecs_graph_cache_bytes',
    help: 'Estimated heap bytes held by each of those caches; each is bounded by its *_MAX_BYTES variable.',
    labelNames: ['cache'] as const,
    registers: [this.registry],
    collect: (): void => {
      for (const [cache, stats] of this.caches) this.cacheBytes.set({ cache }, stats().bytes);
    },
  });

  /** Operation names come from clients: keep the label set bounded. */
  private readonly knownOperations = new Set<string>();
  /** Names not (yet) labelled, with how often they were seen; bounded, least recently seen dropped. */
  private readonly candidates = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'flecs_graph_' });
  }

  /**
   * The label for an operation name: the name once it has been seen LABEL_AFTER_USES times, `other`
   * before that and for good once 200 names are labelled. A client sending junk names has to repeat
   * each of them that often (against its budget) to take a slot, instead of taking all 200 with its
   * first 200 requests; an app's real operations reach the threshold in its first minutes.
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    if (this.knownOperations.has(name)) return name;
    if (this.knownOperations.size >= MAX_OPERATION_LABELS) return 'other';
    const seen = (this.candidates.get(name) ?? 0) + 1;
    this.candidates.delete(name);
    if (seen < LABEL_AFTER_USES) {
      this.candidates.set(name, seen);
      if (this.candidates.size > MAX_CANDIDATES) this.candidates.delete(this.candidates.keys().next().value!);
      return 'other';
    }
    this.knownOperations.add(name);
    return name;
  }
}
