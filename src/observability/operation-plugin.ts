import type { ApolloServerPlugin } from '@apollo/server';
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
          const span = contextValue.operationSpan;
          if (!span || !operation) return;
          // Semantic conventions for GraphQL: the type and the name, never the document (it may hold
          // literals); the document's hash tells operations apart.
          span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
          span.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
          if (queryHash) span.setAttribute('flecs_graph.document_hash', queryHash.slice(0, 12));
        },
        async willSendResponse({ response, operationName, errors, queryHash }) {
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          const failed = (errors?.length ?? 0) > 0;
          // rejected: refused before execution (no data key at all); error: executed, data null.
          const outcome = !failed ? 'success' : data === undefined ? 'rejected' : data === null ? 'error' : 'partial';
          contextValue.log.operationLogged = true;
          contextValue.operationSpan?.setAttribute('flecs_graph.outcome', outcome);
          if (failed) contextValue.operationSpan?.setAttribute('flecs_graph.error_codes', [...new Set(errors!.map((e) => String(e.extensions?.code)))]);
          metrics.operations.inc({ operation: metrics.operationLabel(operationName), outcome });
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: operationName ?? null,
              // Tells anonymous operations apart without logging their text (which may hold literals).
              documentHash: queryHash ? queryHash.slice(0, 12) : undefined,
              outcome,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              upstreamCalls: contextValue.console.upstreamCalls,
              upstreamFailures: contextValue.console.upstreamFailures,
              errorCodes: failed ? [...new Set(errors!.map((e) => e.extensions?.code))] : undefined,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
