import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError, OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * One log line and one metric per GraphQL operation: name, outcome, duration, upstream calls and
 * failures. Never the variables (they may hold a password) nor the headers.
 */
export function operationObservabilityPlugin(logger: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async didResolveOperation({ operation, operationName, queryHash }) {
          operationResolved(contextValue, operation, operationName, queryHash);
        },
        async willSendResponse({ response, operationName, errors, queryHash }) {
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          operationAnswered(logger, metrics, contextValue, { started, operationName, queryHash, errors, data });
        },
      };
    },
  };
}

/** The operation is known: its span gets its name (shared by Apollo's pipeline and the prepared path). */
export function operationResolved(
  context: GatewayContext,
  operation: OperationDefinitionNode | undefined,
  operationName: string | null | undefined,
  queryHash: string | undefined,
): void {
  const span = context.operationSpan;
  if (!span || !operation) return;
  // Semantic conventions for GraphQL: the type and the name, never the document (it may hold
  // literals); the document's hash tells operations apart.
  span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
  span.setAttribute('graphql.operation.type', operation.operation);
  if (operationName) span.setAttribute('graphql.operation.name', operationName);
  if (queryHash) span.setAttribute('flecs_graph.document_hash', queryHash.slice(0, 12));
}

export interface AnsweredOperation {
  /** performance.now() when the operation's request started. */
  started: number;
  operationName: string | null | undefined;
  queryHash: string | undefined;
  errors: readonly GraphQLError[] | undefined;
  /** The answer's data: undefined when it was refused before execution. */
  data: unknown;
}

/** The operation's log line, metric and span outcome, once its answer is ready. */
export function operationAnswered(logger: Logger, metrics: GatewayMetrics, context: GatewayContext, answered: AnsweredOperation): void {
  const { started, operationName, queryHash, errors, data } = answered;
  const failed = (errors?.length ?? 0) > 0;
  // rejected: refused before execution (no data key at all); error: executed, data null.
  const outcome = !failed ? 'success' : data === undefined ? 'rejected' : data === null ? 'error' : 'partial';
  context.log.operationLogged = true;
  context.operationSpan?.setAttribute('flecs_graph.outcome', outcome);
  const codes = failed ? [...new Set(errors!.map((e) => e.extensions?.code))] : undefined;
  if (codes) context.operationSpan?.setAttribute('flecs_graph.error_codes', codes.map(String));
  metrics.operations.inc({ operation: metrics.operationLabel(operationName), outcome });
  logger.info(
    {
      requestId: context.requestId,
      operation: operationName ?? null,
      // Tells anonymous operations apart without logging their text (which may hold literals).
      documentHash: queryHash ? queryHash.slice(0, 12) : undefined,
      outcome,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      upstreamCalls: context.console.upstreamCalls,
      upstreamFailures: context.console.upstreamFailures,
      errorCodes: codes,
      ...context.traceLogFields,
    },
    'graphql operation',
  );
}
