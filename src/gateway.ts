import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config.js';
import { ConsoleTransport } from './console/http-transport.js';
import { createLogger, type Logger } from './observability/logger.js';
import { GatewayMetrics } from './observability/metrics.js';
import { buildGatewaySchema } from './schema/build-schema.js';
import { createApolloServer, type SandboxOptions } from './server/apollo.js';
import { AdmissionGate } from './server/admission.js';
import { createHttpApp, type ServingState } from './server/http-app.js';
import { createSharedServices } from './services.js';

const REDIS_STARTUP_WAIT_MS = 2000;

export interface RunningGateway {
  /** The GraphQL endpoint, for example http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  metrics: GatewayMetrics;
  /**
   * Graceful stop: /readyz turns 503 (and stays served for SHUTDOWN_DELAY_MS), no new connections are accepted, in-flight requests finish
   * (up to SHUTDOWN_TIMEOUT_MS, then their connections are cut), then Apollo and the upstream
   * agents close. Resolves to true when every in-flight request finished in time.
   */
  close(): Promise<boolean>;
}

export interface GatewayOptions {
  logger?: Logger;
  sandboxOptions?: SandboxOptions;
}

/** Builds the schema, starts Apollo and the HTTP server; used by `npm start`, the demo and the tests. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new GatewayMetrics();
  const transport = new ConsoleTransport({
    consoleUrl: config.consoleUrl,
    timeoutMs: config.upstreamTimeoutMs,
    maxBytes: config.upstreamMaxBytes,
    circuitFailureThreshold: config.circuitFailureThreshold,
    circuitResetMs: config.circuitResetMs,
    logger,
    metrics,
  });
  const services = createSharedServices({ transport, publicCache: config.publicCache, lookup: config.lookup, logger, metrics });
  const apollo = createApolloServer({
    apqCache: services.apqCache,
    publicMaxAgeSeconds: Math.floor(config.publicCache.ttlMs / 1000),
    schema: await buildGatewaySchema(),
    sandbox: config.sandbox,
    development: config.stackTraces,
    logger,
    metrics,
    limits: config.limits,
    ...(options.sandboxOptions ? { sandboxOptions: options.sandboxOptions } : {}),
  });
  await apollo.start();
  // A replica joins its peers' shared cache before it takes traffic; Redis being away delays the
  // start by at most this much, never stops it.
  await services.ready(REDIS_STARTUP_WAIT_MS);
  const state: ServingState = { draining: false, inFlight: 0 };
  const admission = new AdmissionGate(config.operationConcurrency, config.operationQueueTimeoutMs);
  metrics.admission = admission;
  const server = http.createServer(
    createHttpApp({
      apollo,
      services,
      logger,
      metrics,
      state,
      corsOrigins: config.corsOrigins,
      compression: config.compression,
      maxBodyBytes: config.maxBodyBytes,
      maxDocumentBytes: config.limits.maxDocumentBytes,
      operationTimeoutMs: config.operationTimeoutMs,
      admission,
      queueTimeoutMs: config.operationQueueTimeoutMs,
    }),
  );
  server.keepAliveTimeout = 65_000;
  // Slowloris guard: a client must send its headers, and its whole request, in bounded time.
  server.headersTimeout = 20_000;
  server.requestTimeout = Math.max(30_000, config.operationTimeoutMs + 5_000);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    admission.close();
    await apollo.stop();
    transport.close();
    await services.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let closing: Promise<boolean> | undefined;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/graphql`,
    port,
    metrics,
    close() {
      closing ??= (async () => {
        state.draining = true;
        if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + config.shutdownTimeoutMs;
        while (state.inFlight > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          server.closeIdleConnections();
        }
        const finished = state.inFlight === 0;
        server.closeAllConnections();
        await closed;
        admission.close();
        await apollo.stop();
        transport.close();
        await services.close();
        return finished;
      })();
      return closing;
    },
  };
}
