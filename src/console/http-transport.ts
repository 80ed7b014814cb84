import { Pool } from './undici-pool.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { RouteBreakers } from './circuit-breakers.js';
import { ConsoleSlots } from './console-slots.js';

export interface ConsoleTransportOptions {
  consoleUrl: URL;
  /** Timeout of one Console call. */
  timeoutMs: number;
  /** Largest Console answer accepted; larger ones are cut off and reported as UPSTREAM_ERROR. */
  maxBytes?: number;
  circuitFailureThreshold?: number;
  circuitResetMs?: number;
  /** Connections to the Console (CONSOLE_MAX_CONNECTIONS). */
  maxConnections?: number;
  /** Longest wait of a call for a free connection (CONSOLE_QUEUE_TIMEOUT_MS). */
  queueTimeoutMs?: number;
  logger: Logger;
  metrics?: GatewayMetrics;
  /** OpenTelemetry, when on: one client span per Console call attempt, traceparent sent along. */
  tracing?: Tracing;
}

/**
 * What every request shares to reach the Console (only connections and route health, never tokens
 * or answers): one undici Pool of keep-alive connections to CONSOLE_URL's origin, and one circuit
 * breaker per route. undici is what Node's own fetch runs on; measured here it costs ~105 µs of
 * client CPU per Console call (20 kB answer, parse included) where node:http cost ~167 and got 14
 * ~420 (docs/architecture.md).
 */
export class ConsoleTransport {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly breakers: RouteBreakers;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics | undefined;
  readonly tracing: Tracing | undefined;
  /** CONSOLE_URL's origin (for span attributes). */
  readonly origin: URL;
  readonly pool: Pool;
  /** The pool's connections as slots: calls beyond them wait here, not inside undici (console-slots.ts). */
  readonly slots: ConsoleSlots;
  /** CONSOLE_URL's path prefix, ending in "/": every route path is appended to it. */
  readonly basePath: string;

  constructor(options: ConsoleTransportOptions) {
    const url = options.consoleUrl;
    this.basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    this.origin = new URL(url.origin);
    this.tracing = options.tracing;
    const connections = options.maxConnections ?? 256;
    this.pool = new Pool(url.origin, { connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connect: { timeout: options.timeoutMs } });
    this.slots = new ConsoleSlots(connections, options.queueTimeoutMs ?? 1000);
    this.timeoutMs = options.timeoutMs;
    this.maxBytes = options.maxBytes ?? 5 * 1_048_576;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.breakers = new RouteBreakers({
      failureThreshold: options.circuitFailureThreshold ?? 5,
      resetMs: options.circuitResetMs ?? 10_000,
      onStateChange: (route, state) => {
        this.metrics?.circuitState.set({ route }, state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
        this.logger.warn({ route, state }, 'upstream circuit changed state');
      },
    });
  }

  close(): void {
    this.breakers.shutdown();
    this.pool.destroy().catch(() => undefined);
  }
}
