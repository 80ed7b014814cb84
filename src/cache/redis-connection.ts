import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';

/**
 * The one Redis connection of a gateway, shared by the public cache and the persisted-query store.
 * Redis is an accelerator here, never a dependency: commands are not queued while it is away
 * (they fail at once), each one gives up after REDIS_TIMEOUT_MS, and every failure becomes a
 * miss for the caller. The log says it once per change of state, not once per command.
 */
/**
 * ioredis, loaded the first time a connection is made: a gateway without REDIS_URL never loads it
 * (about 7 MB of resident memory at start). It is CommonJS, so a synchronous require works.
 */
function loadRedis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

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
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private consecutiveTimeouts = 0;
  private firstTimeoutAt = 0;
  /** Set while Redis is connected but not answering in time: commands are not sent at all. */
  private bypassProbe: NodeJS.Timeout | undefined;

  constructor(
    url: URL,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
    private readonly tracing?: Tracing,
  ) {
    metrics?.watchRedis();
    const RedisClient = loadRedis();
    this.client = new RedisClient(url.toString(), {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      connectTimeout: Math.max(1000, timeoutMs * 10),
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
      // A failover's READONLY error: reconnect to the new primary.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    });
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
  connected(ms: number): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (up: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(up);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.client.once('ready', onReady);
    });
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
      this.metrics?.redisErrors.inc({ operation });
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
        'server.address': this.client.options.host ?? '',
        'server.port': this.client.options.port ?? 6379,
      },
    });
    try {
      const answer = await command(this.client);
      this.consecutiveTimeouts = 0;
      return answer;
    } catch (error) {
      this.metrics?.redisErrors.inc({ operation });
      if (isTimeout(error)) this.timedOut();
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

  private changeState(next: 'up' | 'down', reason?: string): void {
    if (this.state === next) return;
    const previous = this.state;
    this.state = next;
    this.metrics?.redisUp.set(next === 'up' ? 1 : 0);
    if (next === 'up') this.logger.info({ previous }, 'redis connected: public cache and persisted queries are shared');
    else this.logger.warn({ previous, reason }, 'redis unavailable: serving from the Console and this process until it is back');
  }
}

/** ioredis's `commandTimeout` rejection: the command was sent and no answer came in time. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}
