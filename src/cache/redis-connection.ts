import type { Redis } from 'ioredis';
import { ConfigError } from '../common/env.js';
import type { RedisSettings } from './redis-settings.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { createRedisClient, redisAddress } from './redis-client.js';

/** A failing Redis is up again after its commands have succeeded for this long without an error. */
const RECOVERED_AFTER_MS = 1000;

/** The oldest Redis the scripts run on: `ZADD … GT` and `SET … KEEPTTL` came with 6.2. */
const OLDEST_REDIS = [6, 2] as const;

/**
 * The one Redis connection of a gateway, shared by the limits, the login counters, the public cache
 * and the persisted-query store: a standalone server, a cluster or a primary behind sentinels
 * (REDIS_MODE, src/cache/redis-client.ts). Redis is an accelerator here, never a dependency:
 * commands are not queued while it is away (they fail at once), each one gives up after
 * REDIS_TIMEOUT_MS, and every failure becomes a miss for the caller. It is "up" only while its
 * commands succeed: a Redis that answers errors (NOAUTH, READONLY, OOM, MOVED, …) is down too. The
 * log says it once per change of state, not once per command.
 */
/**
 * The gateway stops waiting on Redis after this many timeouts in a row spanning at least two
 * REDIS_TIMEOUT_MS: a hung Redis keeps timing out, while one stall of this process's own event loop
 * (a saturated machine) times out every pending command at the same instant and is no reason.
 */
const TIMEOUTS_BEFORE_BYPASS = 3;
/** While bypassed, how often one PING asks whether Redis answers again (no request ever waits for it). */
const BYPASS_PROBE_MS = 500;

export class RedisConnection {
  readonly client: Redis;
  /** `failing`: connected, but its commands answer errors. */
  private state: 'connecting' | 'up' | 'down' | 'failing' = 'connecting';
  private consecutiveTimeouts = 0;
  private lastFailureAt = 0;
  private firstTimeoutAt = 0;
  /** Set while Redis is connected but not answering in time: commands are not sent at all. */
  private bypassProbe: NodeJS.Timeout | undefined;

  private readonly address: { host: string; port: number };
  /** The server's answer to the start's checks (version, cluster mode), once it was asked. */
  private checked: Promise<void> | undefined;

  constructor(
    private readonly settings: RedisSettings,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
    private readonly tracing?: Tracing,
  ) {
    metrics?.watchRedis();
    this.client = createRedisClient(settings, { commandTimeoutMs: timeoutMs }).client;
    this.address = redisAddress(settings);
    this.client.on('ready', () => this.changeState('up'));
    this.client.on('error', (error: Error) => this.changeState('down', error.message));
    // 'close' comes at once when Redis goes away; 'error' only once a reconnect attempt fails.
    this.client.on('close', () => this.changeState('down', 'connection closed'));
    this.client.on('end', () => this.changeState('down', 'connection closed'));
    this.client.connect().catch((error: unknown) => this.changeState('down', error instanceof Error ? error.message : String(error)));
  }

  /**
   * Resolves once connected, or after `ms` without (Redis being away must not stop a start): a
   * replica that starts serving before its connection is up would answer persisted queries
   * registered on the others with PERSISTED_QUERY_NOT_FOUND.
   */
  async connected(ms: number): Promise<boolean> {
    const up =
      this.client.status === 'ready' ||
      (await new Promise<boolean>((resolve) => {
        const done = (ready: boolean) => {
          clearTimeout(timer);
          this.client.off('ready', onReady);
          resolve(ready);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), ms);
        this.client.once('ready', onReady);
      }));
    if (up) await this.checkServer();
    return up;
  }

  /**
   * What the start refuses (a ConfigError: the process stops with its message) once Redis answers:
   * a Redis older than 6.2, or a node of a Redis Cluster reached with REDIS_MODE=standalone (its
   * keys on other primaries would answer MOVED, which would look like misses forever).
   */
  private checkServer(): Promise<void> {
    this.checked ??= (async () => {
      const info = await this.client.info('server').catch(() => undefined);
      const cluster = await this.client.info('cluster').catch(() => undefined);
      if (info === undefined) return; // it went away meanwhile: its next start checks again
      const version = /redis_version:(\d+)\.(\d+)/.exec(info);
      if (version && (Number(version[1]) < OLDEST_REDIS[0] || (Number(version[1]) === OLDEST_REDIS[0] && Number(version[2]) < OLDEST_REDIS[1])))
        throw new ConfigError(`Redis ${version[1]}.${version[2]} is too old: flecs-graph needs Redis 6.2 or newer (ZADD GT, SET KEEPTTL)`);
      if (this.settings.mode !== 'cluster' && cluster !== undefined && /cluster_enabled:1/.test(cluster))
        throw new ConfigError(
          `REDIS_URL points at a node of a Redis Cluster: set REDIS_MODE=cluster (with REDIS_MODE=${this.settings.mode} keys held by its other primaries would answer MOVED)`,
        );
    })();
    return this.checked;
  }

  /** True while commands are sent: connected, and not bypassed for answering too slowly. */
  get available(): boolean {
    return this.client.status === 'ready' && this.bypassProbe === undefined;
  }

  /**
   * Runs a command; undefined when Redis is away, slow or refuses (the caller treats it as a miss).
   * A Redis that keeps timing out (connected, but hung) is bypassed: after TIMEOUTS_BEFORE_BYPASS
   * timeouts in a row nothing waits on it until a background PING is answered again.
   */
  async run<T>(operation: string, command: (client: Redis) => Promise<T>): Promise<T | undefined> {
    if (!this.available) {
      this.metrics?.redisErrors.inc({ operation, kind: 'unavailable' });
      return undefined;
    }
    // Tracing on: one CLIENT span per round trip (semantic conventions for databases), never a key's
    // value; only under a recorded span. An unsampled request runs outside the context manager, so
    // its round trips would otherwise start (and, at a ratio, sometimes export) traces of their own.
    const tracing = this.tracing?.api.trace.getActiveSpan()?.isRecording() ? this.tracing : undefined;
    const span = tracing?.tracer.startSpan(`redis ${operation}`, {
      kind: tracing.SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'redis',
        'db.operation.name': operation,
        'server.address': this.address.host,
        'server.port': this.address.port,
      },
    });
    try {
      const answer = await command(this.client);
      this.consecutiveTimeouts = 0;
      // Up again once commands have succeeded for a while: a cluster with one primary gone answers
      // some keys and not others, and must read as failing, not flap with every command.
      if (this.state === 'failing' && performance.now() - this.lastFailureAt >= RECOVERED_AFTER_MS) this.changeState('up');
      return answer;
    } catch (error) {
      const kind = errorKind(error);
      this.metrics?.redisErrors.inc({ operation, kind });
      if (kind === 'timeout') this.timedOut();
      // Redis answered with an error, or a cluster's node is gone while the client is connected: not up.
      else {
        this.lastFailureAt = performance.now();
        this.changeState('failing', error instanceof Error ? error.message : String(error));
      }
      this.logger.debug({ operation, error: error instanceof Error ? error.message : String(error) }, 'redis command failed');
      if (span && tracing) {
        span.setAttribute('error.type', error instanceof Error ? error.name : 'error');
        span.setStatus({ code: tracing.SpanStatusCode.ERROR });
      }
      return undefined;
    } finally {
      span?.end();
    }
  }

  private timedOut(): void {
    const now = Date.now();
    if (this.consecutiveTimeouts === 0) this.firstTimeoutAt = now;
    this.consecutiveTimeouts += 1;
    if (this.consecutiveTimeouts >= TIMEOUTS_BEFORE_BYPASS && now - this.firstTimeoutAt >= 2 * this.timeoutMs) this.bypass();
  }

  /** Stops sending commands; a PING every BYPASS_PROBE_MS ends the bypass once Redis answers it in time. */
  private bypass(): void {
    if (this.bypassProbe !== undefined) return;
    this.metrics?.redisBypassed.set(1);
    this.logger.warn(
      { timeouts: this.consecutiveTimeouts },
      'redis is not answering in time: not waiting on it (limits per process, public cache and persisted queries local) until it answers again',
    );
    this.bypassProbe = setInterval(() => {
      this.client.ping().then(
        () => this.endBypass(),
        () => undefined,
      );
    }, BYPASS_PROBE_MS);
    this.bypassProbe.unref();
  }

  private endBypass(): void {
    if (this.bypassProbe === undefined) return;
    clearInterval(this.bypassProbe);
    this.bypassProbe = undefined;
    this.consecutiveTimeouts = 0;
    this.metrics?.redisBypassed.set(0);
    this.logger.info('redis answers in time again: shared cache and limits resume');
  }

  async close(): Promise<void> {
    if (this.bypassProbe !== undefined) clearInterval(this.bypassProbe);
    this.bypassProbe = undefined;
    this.state = 'down'; // a deliberate close is no outage: no log line
    this.client.removeAllListeners('end');
    // QUIT lets Redis close the connection; a plain disconnect leaves a 2 s socket timer behind.
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private changeState(next: 'up' | 'down' | 'failing', reason?: string): void {
    if (this.state === next) return;
    const previous = this.state;
    this.state = next;
    this.metrics?.redisUp.set(next === 'up' ? 1 : 0);
    if (next === 'up') this.logger.info({ previous, mode: this.settings.mode }, 'redis connected: limits, public cache and persisted queries are shared');
    else if (next === 'failing')
      this.logger.warn({ previous, reason }, 'redis answers errors: its commands count as misses, limits per process, until one succeeds again');
    else this.logger.warn({ previous, reason }, 'redis unavailable: serving from the Console and this process until it is back');
  }
}

/**
 * What kind of failure a command met, for `flecs_graph_redis_errors_total{kind}`: `timeout` (no
 * answer in REDIS_TIMEOUT_MS), `connection` (not connected, or it closed), or Redis's own error
 * word (`noauth`, `wrongpass`, `readonly`, `oom`, `moved`, `crossslot`, `clusterdown`, `err`, …).
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return 'other';
  if (error.message === 'Command timed out') return 'timeout';
  if (error.name === 'ReplyError') {
    const word = /^([A-Z]+)\b/.exec(error.message)?.[1];
    return word ? word.toLowerCase() : 'other';
  }
  if (
    /connection|stream isn't writeable|offline queue|closed|ECONN|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Failed to refresh slots|None of startup nodes/i.test(
      error.message,
    )
  )
    return 'connection';
  if (error.name === 'ClusterAllFailedError' || error.name === 'MaxRetriesPerRequestError') return 'connection';
  return 'other';
}
