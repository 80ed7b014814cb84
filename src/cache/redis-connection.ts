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
 * (about 7 MB of resident memory at start, issue 18). It is CommonJS, so a synchronous require works.
 */
function loadRedis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

export class RedisConnection {
  readonly client: Redis;
  private state: 'connecting' | 'up' | 'down' = 'connecting';

  constructor(
    url: URL,
    timeoutMs: number,
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

  /** Runs a command; undefined when Redis is away, slow or refuses (the caller treats it as a miss). */
  async run<T>(operation: string, command: (client: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.client.status !== 'ready') {
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
      return await command(this.client);
    } catch (error) {
      this.metrics?.redisErrors.inc({ operation });
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

  async close(): Promise<void> {
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
