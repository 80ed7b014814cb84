import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { PublicAnswers } from './public-answers.js';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { OperationLimits } from '../config.js';
import type { GatewayContext } from '../context.js';
import {
  admitOperation,
  operationLimitsPlugin,
  type ConsoleCapacity,
  type ConsoleReservationHandle,
  type ReservationHolder,
} from '../edge/operation-limits.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { operationAnswered, operationObservabilityPlugin, operationResolved } from '../observability/operation-plugin.js';
import { cacheControlPlugin, cacheControlPolicy } from './cache-control.js';
import { preparedPath, type PreparedPath } from './prepared-path.js';
import { apolloRequestError, saferMessage } from './error-messages.js';
import { jitExecutorGateway, type JitExecutorGateway } from './jit-executor.js';
import type { ExplorerAssets } from '../explorer/explorer-assets.js';
import { apolloServerVersion } from './apollo-version.js';
import { explorerLandingPage, type ExplorerChoice } from '../explorer/landing-page.js';

export interface SandboxOptions {
  /** Operation shown in the Sandbox's editor on first open. */
  document?: string;
  /** Headers pre-filled in the Sandbox (the demo puts a fresh bearer token here). */
  headers?: Record<string, string>;
}

export interface ApolloOptions {
  schema: GraphQLSchema;
  /** Whole public answers for the prepared path; undefined: off. */
  answers?: PublicAnswers;
  sandbox: boolean;
  development: boolean;
  logger: Logger;
  metrics: GatewayMetrics;
  limits: OperationLimits;
  sandboxOptions?: SandboxOptions;
  /** GRAPHQL_EXPLORER: the Sandbox with the local fallback, or the local GraphiQL outright. */
  explorer?: ExplorerChoice;
  /** The built GraphiQL (dist/explorer); undefined when it was not built. */
  explorerAssets?: ExplorerAssets | undefined;
  /** Persisted queries (APQ): bounded in process, or shared by replicas through Redis. */
  apqCache: KeyValueCache<string>;
  /** How long a registered persisted query is kept (Apollo passes it to the store). */
  persistedQueryTtlSeconds: number;
  /** Parsed and validated documents, bounded by their real cost (src/cache/document-store.ts). */
  documentStore: KeyValueCache<DocumentNode> | null;
  /** CSRF_PREVENTION: `bearer` lets GET queries through without a preflight header; `strict` is Apollo's rule. */
  csrfPrevention: 'bearer' | 'strict';
  /** Compiled operations' budget (graphql-jit). */
  compiledCacheMaxBytes: number;
  /** The Console's connections, for admission: operations start only when their calls would get one soon. */
  consoleCapacity?: ConsoleCapacity;
  /** max-age of public answers (the public cache's TTL); 0 makes every answer `private, no-store`. */
  publicMaxAgeSeconds?: number;
  /** An embedding's own plugins, after ours. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> & { executorGateway: JitExecutorGateway; prepared: PreparedPath } {
  const landingPage: ApolloServerPlugin<GatewayContext> = options.sandbox
    ? explorerLandingPage({
        explorer: options.explorer ?? 'sandbox',
        assets: options.explorerAssets,
        apolloServerVersion: apolloServerVersion(),
        ...(options.sandboxOptions?.document ? { document: options.sandboxOptions.document } : {}),
        ...(options.sandboxOptions?.headers ? { headers: options.sandboxOptions.headers } : {}),
      })
    : ApolloServerPluginLandingPageDisabled();
  const onConsoleBusy = () => options.metrics.operationsNotRun.inc({ reason: 'console_busy' });
  const chargeConsoleCalls = async (context: GatewayContext, cost: number) => {
    context.operationSpan?.setAttribute('flecs_graph.upstream_cost', cost);
    // On the request's ConsoleClient, which Apollo's shallow copy of the context shares: releaseContext gives back what was not called.
    context.console.budgetCharged += await context.edge.chargeConsoleCalls(context.client, cost, context.requestId);
  };
  // The reservation is released with the request's context (releaseContext), whatever it did not claim.
  const reservations: ReservationHolder<GatewayContext> = {
    held: (context) => context.console.heldFromQueue(),
    hold: (context, reservation: ConsoleReservationHandle) => context.console.reserved(reservation),
  };
  const cacheControl = cacheControlPolicy(options.publicMaxAgeSeconds ?? 0);
  const executorGateway = jitExecutorGateway(options.schema, { maxBytes: options.compiledCacheMaxBytes });
  const server = new ApolloServer<GatewayContext>({
    // The schema reaches Apollo through its executor interface, which runs graphql-jit.
    gateway: executorGateway,
    documentStore: options.documentStore,
    introspection: options.sandbox,
    includeStacktraceInErrorResponses: options.development,
    // `bearer` (default): a GET query needs no preflight header (urql and other spec-following
    // clients send none); see docs/security.md for why that cannot act for a victim here. POSTs
    // must still be application/json (Apollo refuses simple content types) and mutations never run
    // over GET. `strict` restores Apollo's rule for deployments with cookie or HTTP auth in front.
    csrfPrevention: options.csrfPrevention === 'strict',
    persistedQueries: { cache: options.apqCache, ttl: options.persistedQueryTtlSeconds },
    // We drain and exit ourselves (gateway.ts); Apollo's own handler re-raises the signal: exit 143.
    stopOnTerminationSignals: false,
    // Parsing stops early on a huge document instead of building its whole AST.
    parseOptions: { maxTokens: options.limits.maxTokens },
    plugins: [
      landingPage,
      // Nothing here sets cache hints, and the plugin wraps every field resolver to collect them.
      ApolloServerPluginCacheControlDisabled(),
      // Inline traces are for federated subgraphs, which this schema is not; left on, Apollo loads
      // its usage-reporting protobuf module (~2 MB of heap) to find that out.
      ApolloServerPluginInlineTraceDisabled(),
      operationLimitsPlugin<GatewayContext>(options.schema, options.limits, options.consoleCapacity, onConsoleBusy, chargeConsoleCalls, reservations),
      operationObservabilityPlugin(options.logger, options.metrics),
      cacheControlPlugin(cacheControl),
      ...(options.plugins ?? []),
    ],
    formatError: (formatted, error) => formatError(formatted, error, options),
  });
  const prepared = preparedPath({
    schema: options.schema,
    executor: executorGateway,
    resolved: (context, p) => operationResolved(context, p.operation, p.operationName, p.queryHash),
    admit: (context, cost) => admitOperation(context, cost, options.consoleCapacity, onConsoleBusy, chargeConsoleCalls, reservations),
    answered: (context, answered) => {
      options.metrics.preparedOperations.inc();
      operationAnswered(options.logger, options.metrics, context, answered);
    },
    cacheControl,
    formatError: (formatted, error) => formatError(formatted, error, options),
    includeStacktraceInErrorResponses: options.development,
    strictCsrf: options.csrfPrevention === 'strict',
    persistedQueries: options.apqCache,
    ...(options.answers ? { answers: options.answers } : {}),
    answerCacheEvent: (event) => options.metrics.answerCacheEvents.inc({ event }),
  });
  return Object.assign(server, { executorGateway, prepared });
}

function formatError(formatted: GraphQLFormattedError, error: unknown, options: ApolloOptions): GraphQLFormattedError {
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
    const known = apolloRequestError(formatted);
    if (known) return known;
    return hideInternals(formatted, error, options);
  }
  const message = saferMessage(formatted.message, { introspection: options.sandbox });
  return message === formatted.message ? formatted : { ...formatted, message };
}

/** Errors we did not raise on purpose keep their details in the log, not in the response. */
function hideInternals(formatted: GraphQLFormattedError, error: unknown, options: ApolloOptions): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && original.extensions?.code) return formatted;
  options.logger.error({ path: formatted.path, error: original instanceof Error ? original.message : String(original) }, 'unexpected resolver error');
  if (options.development) return formatted;
  return { message: 'Internal server error.', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
