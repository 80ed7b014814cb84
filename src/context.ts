import type { Span } from '@opentelemetry/api';
import { parseBearer, type BearerResult } from './auth/bearer.js';
import { ConsoleClient } from './console/console-client.js';
import type { RestValidateData } from './console/rest-types.js';
import { addressClient, type EdgeClient, type EdgeLimits } from './edge/edge-limits.js';
import { createLoaders, type Loaders } from './loaders/loaders.js';
import type { TraceHeaders } from './observability/tracing.js';
import type { SharedServices } from './services.js';

/** Everything one GraphQL request owns. Built per request; resolvers never keep it. */
export interface GatewayContext {
  requestId: string;
  /** Who sent the request, for the edge limits: the user its token belongs to, or its network. */
  client: EdgeClient;
  /** The edge limits (shared; they keep counters by hash and address only). */
  edge: EdgeLimits;
  auth: BearerResult;
  console: ConsoleClient;
  loaders: Loaders;
  /**
   * Set once the operation's own log line is written (the HTTP layer logs refusals otherwise). An
   * object, not a flag: Apollo runs the operation on a shallow copy of the context, and the HTTP
   * layer must see what the plugin set on that copy.
   */
  log: { operationLogged: boolean };
  /** The operation's trace span, when tracing is on: the plugin names it once the operation is known. */
  operationSpan?: Span;
  /**
   * An unsampled request's `trace_id` and `span_id`, for its operation's log line (a sampled
   * request's lines get them from the active span; an unsampled one runs outside the SDK's context).
   */
  traceLogFields?: { trace_id: string; span_id: string };
}

export interface ContextOptions {
  requestId: string;
  /** How long this operation's upstream work may take in all (OPERATION_TIMEOUT_MS). */
  operationTimeoutMs: number;
  /** True once the client has disconnected: the operation starts no further Console call. */
  clientLeft?: () => boolean;
  /** Who sent the request (http-app works it out once); schema tests without HTTP leave it out and are 'local'. */
  client?: EdgeClient;
  /**
   * An unsampled request's trace (src/http/http-app.ts): its propagation headers (`traceparent`,
   * sampled flag off, and `tracestate`), made once for all its Console calls, which make no spans.
   */
  unsampledTrace?: { headers: TraceHeaders; logFields: { trace_id: string; span_id: string } };
}

export function createContext(services: SharedServices, authorization: string | undefined, options: ContextOptions): GatewayContext {
  const auth = parseBearer(authorization);
  const token = auth.kind === 'token' ? auth.token : undefined;
  const edgeClient = options.client ?? addressClient('local', token);
  const client = new ConsoleClient(services, token, {
    requestId: options.requestId,
    deadline: Date.now() + options.operationTimeoutMs,
    budgetMs: options.operationTimeoutMs,
    ...(options.clientLeft ? { clientLeft: options.clientLeft } : {}),
    ...(options.unsampledTrace ? { unsampledTraceHeaders: options.unsampledTrace.headers } : {}),
    // What the Console says of the token on a `/my/` route vouches for it or forgets it (src/edge/vouched-tokens.ts).
    ...(edgeClient.tokenHash === undefined ? {} : { tokenVerdict: (accepted: boolean) => services.edge.tokenVerdict(edgeClient, accepted) }),
  });
  if (edgeClient.token === 'refused') client.tokenInvalid();
  // The edge's verification of this request's own token is its validate answer (the validate route's envelope data, checked by its schema).
  if (token !== undefined && edgeClient.verification !== undefined) client.verifiedAs(token, edgeClient.verification as RestValidateData);
  return {
    requestId: options.requestId,
    client: edgeClient,
    edge: services.edge,
    auth,
    console: client,
    loaders: createLoaders(client, services, token !== undefined),
    log: { operationLogged: false },
    ...(options.unsampledTrace ? { traceLogFields: options.unsampledTrace.logFields } : {}),
  };
}

/**
 * Called once the request's answer is serialized: lets go of everything the request read (Console
 * answers, mapped products, loader results). Apollo's gateway interface gives the executor an
 * object literal whose `status` accessor closes over the request; V8 gives each such object its own
 * hidden class in the old generation, and until the next full collection that dead class keeps
 * whatever the request still reaches alive through every young collection, so it all gets promoted
 * (measured: 39 % of a dashboard's allocation promoted). After this the chain reaches a few small
 * objects. Nothing reads these fields afterwards: the operation has finished.
 */
export function releaseContext(context: GatewayContext): void {
  // The budget counts Console calls: what the operation was charged beyond the calls it made comes back.
  const unspent = context.console.budgetCharged - context.console.upstreamCalls;
  context.console.budgetCharged = 0;
  if (unspent > 0) context.edge.refundConsoleCalls(context.client, unspent).catch(() => undefined);
  // Apollo runs the operation on a shallow copy of this object: what must go is emptied, not unset.
  context.console.release();
  context.loaders.release();
}
