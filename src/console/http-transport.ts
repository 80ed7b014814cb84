import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { RouteBreakers } from './circuit-breakers.js';
import type { Origin } from './http-request.js';

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
  readonly origin: Origin;

  constructor(options: ConsoleTransportOptions) {
    const url = options.consoleUrl;
    this.origin = {
      protocol: url.protocol === 'https:' ? 'https:' : 'http:',
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
      basePath: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
    };
    this.agent =
      this.origin.protocol === 'https:'
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

  close(): void {
    this.breakers.shutdown();
    this.agent.destroy();
  }
}
