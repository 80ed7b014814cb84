import { http } from './http/node-http.js';
import { AnswerCache } from './cache/answer-cache.js';
import { useCursorSecrets } from './catalog/cursors.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config.js';
import { DocumentStore } from './cache/document-store.js';
import { ConsoleTransport } from './console/http-transport.js';
import { loadTrustedDocuments } from './edge/trusted-documents.js';
import { createLogger, type Logger } from './observability/logger.js';
import type { Tracing } from './observability/tracing.js';
import { GatewayMetrics } from './observability/metrics.js';
import { buildGatewaySchema } from './schema/build-schema.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';
import { createApolloServer, type SandboxOptions } from './graphql/apollo.js';
import { preparedPathBlocker } from './graphql/prepared-path.js';
import { AdmissionGate } from './edge/admission.js';
import { ConnectionTracker } from './http/connections.js';
import { loadExplorerAssets } from './explorer/explorer-assets.js';
import { createHttpApp, type ServingState } from './http/http-app.js';
import { drain, type ShutdownReport } from './http/drain.js';
import { createMetricsListener } from './http/metrics-listener.js';
import { startProbeListener, type ProbeListener } from './http/probe-listener.js';
import { createSharedServices } from './services.js';

const REDIS_STARTUP_WAIT_MS = 2000;

export type { ShutdownReport } from './http/drain.js';

export interface RunningGateway {
  /** The GraphQL endpoint, for example http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  /** Where Prometheus scrapes, for example http://127.0.0.1:9464/metrics (METRICS_PORT). */
  metricsUrl: string;
  /** Where probes are answered by a thread of their own, for example http://127.0.0.1:8081 (PROBE_PORT); undefined without one. */
  probeUrl: string | undefined;
  metrics: GatewayMetrics;
  /**
   * Graceful stop: /readyz turns 503 (and stays served for SHUTDOWN_DELAY_MS), no new connections are accepted, in-flight requests finish
   * (up to SHUTDOWN_TIMEOUT_MS, then their connections are cut), then Apollo and the upstream
   * agents close. Never rejects: each closing step runs even when an earlier one failed, and the
   * report says what happened.
   */
  close(): Promise<ShutdownReport>;
}

/** A connection that has not sent its first request when the drain begins gets this long to send it. */
const SILENT_CONNECTION_GRACE_MS = 1000;

export interface GatewayOptions {
  logger?: Logger;
  /** OpenTelemetry (src/observability/tracing.ts), when an OTLP endpoint is configured. */
  tracing?: Tracing;
  sandboxOptions?: SandboxOptions;
  /** More Apollo Server plugins (an embedding's own); with any, every operation takes Apollo's pipeline. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
}

/** Builds the schema, starts Apollo and the HTTP server; used by `npm start`, the demo and the tests. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  useCursorSecrets(config.cursorSecrets?.current, config.cursorSecrets?.previous);
  const metrics = new GatewayMetrics();
  const transport = new ConsoleTransport({
    consoleUrl: config.consoleUrl,
    timeoutMs: config.upstreamTimeoutMs,
    maxBytes: config.upstreamMaxBytes,
    circuitFailureThreshold: config.circuitFailureThreshold,
    circuitResetMs: config.circuitResetMs,
    maxConnections: config.consoleMaxConnections,
    ...(options.tracing ? { tracing: options.tracing } : {}),
    queueTimeoutMs: config.consoleQueueTimeoutMs,
    logger,
    metrics,
  });
  const services = createSharedServices({
    transport,
    publicCache: config.publicCache,
    lookup: config.lookup,
    memory: config.memory,
    persistedQueryTtlSeconds: config.persistedQueryTtlSeconds,
    edge: config.edge,
    limitMaxKeys: config.limitMaxKeys,
    acceptedTokenTtlMs: config.acceptedTokenTtlMs,
    verificationTimeoutMs: config.operationTimeoutMs,
    logger,
    metrics,
  });
  const schema = await buildGatewaySchema();
  // Read, parsed and validated before anything listens: a broken manifest stops the start, named.
  const trustedDocuments = config.trustedDocuments
    ? loadTrustedDocuments(config.trustedDocuments.file, config.trustedDocuments.mode, schema, config.sandbox)
    : undefined;
  // Always a store: with DOCUMENT_CACHE_MAX_BYTES=0 it keeps nothing but the trusted documents.
  const documentStore = new DocumentStore(config.memory.documentCacheMaxBytes);
  for (const [hash, document] of trustedDocuments?.documents ?? []) documentStore.pin(hash, document);
  // The local explorer is read only where a browser may be shown it.
  const explorerAssets = config.sandbox ? loadExplorerAssets() : undefined;
  if (config.sandbox && !explorerAssets)
    logger.warn("the local explorer (dist/explorer) was not built: browsers without access to Apollo's CDN get no explorer; run npm run build");
  // Whole public answers ride on the public cache's freshness: with it off (TTL 0) they are off too.
  const answerCache =
    config.memory.answerCacheMaxBytes > 0 && config.publicCache.ttlMs > 0
      ? new AnswerCache(config.memory.answerCacheMaxBytes, config.publicCache.staleMs)
      : undefined;
  if (answerCache) metrics.caches.set('answers', () => answerCache.stats());
  const apollo = createApolloServer({
    ...(answerCache ? { answers: { cache: answerCache, ttlMs: config.publicCache.ttlMs } } : {}),
    apqCache: services.apqCache,
    persistedQueryTtlSeconds: config.persistedQueryTtlSeconds,
    documentStore,
    compiledCacheMaxBytes: config.memory.compiledCacheMaxBytes,
    csrfPrevention: config.csrfPrevention,
    consoleCapacity: transport.slots,
    publicMaxAgeSeconds: Math.floor(config.publicCache.ttlMs / 1000),
    schema,
    sandbox: config.sandbox,
    explorer: config.explorer,
    explorerAssets,
    development: config.stackTraces,
    logger,
    metrics,
    limits: config.limits,
    ...(options.sandboxOptions ? { sandboxOptions: options.sandboxOptions } : {}),
    plugins: options.plugins ?? [],
  });
  // The prepared path skips Apollo's plugin hooks: with plugins that must see every operation it stays off.
  const blocker = config.preparedOperations ? preparedPathBlocker(config, options.plugins) : undefined;
  if (blocker) logger.info(`prepared operations off: ${blocker}`);
  metrics.caches.set('documents', () => documentStore.stats());
  metrics.caches.set('persisted_queries', () => services.localApq.stats());
  metrics.caches.set('compiled_operations', () => apollo.executorGateway.compiledStats());
  metrics.caches.set('prepared_sources', () => apollo.executorGateway.preparedStats());
  if (config.lookup.storeIds.length === 0) {
    logger.info(
      "CONSOLE_STORE_IDS is not set: product lookups search the default store, the caller's own lists and only the stores this gateway has seen in Console answers (docs/runtime.md, Product lookup)",
    );
  }
  await apollo.start();
  // A replica joins its peers' shared cache before it takes traffic; Redis being away delays the
  // start by at most this much, never stops it.
  await services.ready(REDIS_STARTUP_WAIT_MS);
  const state: ServingState = { draining: false, inFlight: 0 };
  const admission = new AdmissionGate(config.operationConcurrency, config.operationQueueTimeoutMs, config.operationQueueMax);
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
      trustProxyHops: config.trustProxyHops,
      ...(trustedDocuments ? { trustedDocuments } : {}),
      ...(explorerAssets ? { explorerAssets } : {}),
      maxVariablesBytes: config.maxVariablesBytes,
      metricsOnMainPort: config.metricsPort === config.port,
      ...(options.tracing ? { tracing: options.tracing } : {}),
      ...(config.preparedOperations && !blocker ? { prepared: apollo.prepared } : {}),
    }),
  );
  // Internals off the public port: /metrics on a listener of its own, unless METRICS_PORT = PORT.
  const metricsServer = config.metricsPort === config.port ? undefined : createMetricsListener(metrics);
  server.keepAliveTimeout = 65_000;
  // Slowloris guard: a client must send its headers, and its whole request, in bounded time.
  server.headersTimeout = 20_000;
  server.requestTimeout = Math.max(30_000, config.operationTimeoutMs + 5_000);
  const connections = new ConnectionTracker(server, Math.min(SILENT_CONNECTION_GRACE_MS, config.shutdownTimeoutMs));
  const listen = (target: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, config.host, () => {
        target.off('error', reject);
        resolve();
      });
    });
  let probes: ProbeListener | undefined;
  try {
    await listen(server, config.port);
    if (metricsServer) await listen(metricsServer, config.metricsPort);
    if (config.probePort !== undefined) probes = await startProbeListener(config.host, config.probePort, logger);
  } catch (error) {
    server.close();
    metricsServer?.close();
    admission.close();
    await apollo.stop();
    transport.close();
    await services.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const origin = (p: number) => `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${p}`;
  let closing: Promise<ShutdownReport> | undefined;
  return {
    url: `${origin(port)}/graphql`,
    port,
    metricsUrl: `${origin(metricsPort)}/metrics`,
    probeUrl: probes ? origin(probes.port) : undefined,
    metrics,
    close() {
      probes?.draining();
      closing ??= drain({ server, metricsServer, connections, state, delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs }, [
        ['admission gate', () => admission.close()],
        ['apollo', () => apollo.stop()],
        ['console connections', () => transport.close()],
        ['shared services (redis)', () => services.close()],
        // Last: /readyz on PROBE_PORT says "draining" until the process is all but gone.
        ['probe listener', () => probes?.close()],
      ]);
      return closing;
    },
  };
}
