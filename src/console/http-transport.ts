import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { RouteBreakers } from './circuit-breakers.js';

export interface ConsoleTransportOptions {
  consoleUrl: URL;
  /** Timeout of one Console call. */
  timeoutMs: number;
  /** Largest Console answer accepted; larger ones are cut off and reported as UPSTREAM_ERROR. */
  maxBytes?: number;
  circuitFailureThreshold?: number;
  circuitResetMs?: number;
  logger: Logger;
  metrics?: GatewayMetrics;
}

/**
 * What every request shares to reach the Console (only connections and route health, never tokens
 * or answers): one keep-alive agent so that calls reuse sockets, and one circuit breaker per
 * route. The exchange itself is plain node:http (http-request.ts): got 14 cost ~1.6 ms of CPU per
 * dashboard operation in option merging, hooks and events (measured with `npm run bench`).
 */
export class ConsoleTransport {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly breakers: RouteBreakers;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics | undefined;
  readonly agent: http.Agent;
  private readonly base: URL;

  constructor(options: ConsoleTransportOptions) {
    const prefix = options.consoleUrl.href.endsWith('/') ? options.consoleUrl.href : `${options.consoleUrl.href}/`;
    this.base = new URL(prefix);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 })
        : new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
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

  /** A route's URL: relative to CONSOLE_URL (which may carry a path prefix), never another origin. */
  urlOf(path: string, query: URLSearchParams): URL {
    const url = new URL(path, this.base);
    const search = query.toString();
    if (search !== '') url.search = search;
    return url;
  }

  close(): void {
    this.breakers.shutdown();
    this.agent.destroy();
  }
}
