import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { AdmissionGate } from '../edge/admission.js';
import type { TrustedDocuments } from '../edge/trusted-documents.js';
import type { ExplorerAssets } from '../explorer/explorer-assets.js';
import type { PreparedPath } from '../graphql/prepared-path.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { SharedServices } from '../services.js';

/** Shared with the lifecycle: readiness flips while draining, and shutdown waits for in-flight work. */
export interface ServingState {
  draining: boolean;
  inFlight: number;
}

export interface HttpAppOptions {
  apollo: ApolloServer<GatewayContext>;
  services: SharedServices;
  logger: Logger;
  metrics: GatewayMetrics;
  state: ServingState;
  corsOrigins: readonly string[];
  compression: { enabled: boolean; minBytes: number };
  maxBodyBytes: number;
  maxDocumentBytes: number;
  operationTimeoutMs: number;
  /** GraphQL operations wait here for a slot; health, readiness and metrics never do. */
  admission: AdmissionGate;
  /** How long an operation may wait for a slot (OPERATION_QUEUE_TIMEOUT_MS), for the refusal's message. */
  queueTimeoutMs: number;
  /** The trusted-document manifest (TRUSTED_DOCUMENTS_FILE); undefined without one. */
  trustedDocuments?: TrustedDocuments;
  /** Largest variables object, as JSON bytes (MAX_VARIABLES_BYTES). */
  maxVariablesBytes: number;
  /** Proxies whose X-Forwarded-For entries are trusted (TRUST_PROXY_HOPS). */
  trustProxyHops: number;
  /** Serve /metrics here too (METRICS_PORT equal to PORT); otherwise only its own listener does. */
  metricsOnMainPort: boolean;
  /** The local explorer's files (GRAPHQL_SANDBOX on and built), under /explorer/assets/. */
  explorerAssets?: ExplorerAssets;
  /** Runs documents that already ran compiled without Apollo's pipeline; undefined sends everything through Apollo. */
  prepared?: PreparedPath;
  /** OpenTelemetry, when an OTLP endpoint is configured; undefined costs nothing. */
  tracing?: Tracing;
}
