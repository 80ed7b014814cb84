import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { Span } from '@opentelemetry/api';
import { createContext, type ContextOptions, type GatewayContext } from '../context.js';
import { NotRun } from '../edge/admission.js';
import type { EdgeClient } from '../edge/edge-limits.js';
import type { GraphQLHttpRequest } from '../http/graphql-request.js';
import type { HttpAppOptions } from '../http/http-options.js';
import type { ConsoleReservation } from '../console/console-slots.js';

export type UnsampledTrace = NonNullable<ContextOptions['unsampledTrace']>;

/** What ran: Apollo's (or the prepared path's) answer, and the context it ran with (undefined when none was made). */
export interface Executed {
  response: HTTPGraphQLResponse;
  context: GatewayContext | undefined;
}

/**
 * Admission, then execution: the operation waits for a slot (OPERATION_CONCURRENCY), then runs on
 * the prepared path when its text already ran compiled here, otherwise through Apollo's pipeline.
 * NotRun when the admission gate did not run it (its client left, or it waited too long).
 */
export async function executeOperation(
  req: IncomingMessage,
  res: ServerResponse,
  request: GraphQLHttpRequest,
  client: EdgeClient,
  requestId: string,
  options: HttpAppOptions,
  unsampled?: UnsampledTrace,
): Promise<Executed | NotRun> {
  const { method } = request;
  const clientLeft = () => res.destroyed || req.socket.destroyed;
  let context: GatewayContext | undefined;
  let operationSpan: Span | undefined;
  const newContext = () => {
    context = createContext(options.services, req.headers.authorization, {
      requestId,
      operationTimeoutMs: options.operationTimeoutMs,
      clientLeft,
      client,
      ...(unsampled ? { unsampledTrace: unsampled } : {}),
    });
    if (operationSpan) context.operationSpan = operationSpan;
    // It waited for its slot with its calls counted: its admission does not judge it again (operation-limits.ts).
    if (whileQueued) context.console.waitedHolding(whileQueued);
    return context;
  };
  const prepared = options.prepared
    ? (options.prepared.match(request, req.headers) ?? (await options.prepared.matchPersisted(request, req.headers)))
    : undefined;
  const execute = prepared
    ? () => prepared.run(newContext())
    : () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method, headers: headerMapOf(req), search: request.url.search, body: request.body },
          context: async () => newContext(),
        });
  // An operation whose calls the Console's connections are already too busy for is refused now,
  // before a context is made for it. On the prepared path its cost is known and, unless its answer
  // may come whole from the answer cache, its admission would refuse it all the same
  // (operation-limits.ts) after a context, an answer's formatting and its headers were paid for,
  // per refusal while a slow Console has the gateway refusing a thousand clients a second.
  // Otherwise one call is the least it may make, and it is judged here only when it would wait for
  // a slot behind others: queued, it would be refused all the same once its turn came, seconds
  // later, after holding its client and its memory meanwhile.
  const slots = options.services.transport.slots;
  const cost = prepared ? prepared.prepared.upstreamCost : 1;
  let whileQueued: ConsoleReservation | undefined;
  if (cost > 0 && ((prepared && !prepared.answerable) || options.admission.full)) {
    const waitMs = slots.estimatedWaitMs(cost);
    if (waitMs > slots.maxWaitMs) return new NotRun('console_busy', waitMs);
  }
  if (cost > 0 && options.admission.full) {
    // While it waits for its turn, the operations arriving after it count its calls: they are
    // refused at once rather than after queueing behind it for a Console that has no room left.
    whileQueued = slots.reserve(cost);
  }
  const tracing = options.tracing;
  const queuedAt = tracing ? performance.now() : 0;
  const response = await options.admission.run(async () => {
    // Its turn: the reservation it waited with passes to its admission (operation-limits.ts).
    try {
      return await admitted();
    } finally {
      // The operation has made every Console call it will make: what it reserved and did not claim is free.
      context?.console.endReservation();
    }
  }, clientLeft);
  slots.unreserve(whileQueued);
  if (response instanceof NotRun) return response;
  return { response, context };

  function admitted() {
    // Unsampled: no operation span to make (its events and attributes would go nowhere).
    if (!tracing || unsampled) return execute();
    // Time spent waiting for a slot under OPERATION_CONCURRENCY, on the request's span.
    const waitedMs = performance.now() - queuedAt;
    const requestSpan = tracing.api.trace.getActiveSpan();
    if (waitedMs >= 1) requestSpan?.addEvent('admission wait', { 'flecs_graph.waited_ms': Math.round(waitedMs) });
    // The operation's span (named once the operation is known, src/observability/operation-plugin.ts):
    // its Console calls are its children.
    operationSpan = tracing.tracer.startSpan('graphql.operation', { kind: tracing.SpanKind.INTERNAL });
    const span = operationSpan;
    return tracing.api.context.with(tracing.api.trace.setSpan(tracing.api.context.active(), span), execute).finally(() => span.end());
  }
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}
