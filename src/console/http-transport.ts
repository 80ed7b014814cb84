import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
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
 * or answers): keep-alive agents so that calls reuse sockets; a hard per-call timeout; no automatic
 * retries from got (the client decides them, GETs only); no redirects (a redirect could carry the
 * caller's bearer token to another origin); one circuit breaker per route.
 */
export class ConsoleTransport {
  readonly got: Got;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly breakers: RouteBreakers;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics | undefined;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
  };

  constructor(options: ConsoleTransportOptions) {
    const prefix = options.consoleUrl.href.endsWith('/') ? options.consoleUrl.href : `${options.consoleUrl.href}/`;
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
    this.got = got.extend({
      prefixUrl: prefix,
      agent: this.agents,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      headers: { accept: 'application/json', 'user-agent': 'flecs-graph' },
    });
  }

  close(): void {
    this.breakers.shutdown();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
