import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

export interface ConsoleTransportOptions {
  consoleUrl: URL;
  timeoutMs: number;
}

/**
 * One process-wide HTTP client for the Console. Shared by every request (only sockets are shared,
 * never tokens or responses): keep-alive agents so that calls reuse connections, a hard timeout,
 * no automatic retries (a retry multiplies upstream load and hides faults), and no redirects (a
 * redirect could carry the caller's bearer token to another origin).
 */
export class ConsoleTransport {
  readonly got: Got;
  readonly origin: string;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
  };

  constructor(options: ConsoleTransportOptions) {
    const prefix = options.consoleUrl.href.endsWith('/') ? options.consoleUrl.href : `${options.consoleUrl.href}/`;
    this.origin = options.consoleUrl.origin;
    this.got = got.extend({
      prefixUrl: prefix,
      agent: this.agents,
      timeout: { request: options.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      headers: { accept: 'application/json', 'user-agent': 'flecs-graph' },
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
