import type { z } from 'zod';
import { ErrorCode, UpstreamError } from '../common/errors.js';
import { toGraphQLError, type StatusMapper } from './status-mapping.js';
import { isOpenCircuitError } from './circuit-breakers.js';
import { describeIssues } from './envelope-schemas.js';
import { sendRaw } from './http-request.js';
import type { ConsoleTransport } from './http-transport.js';
import { routeName, type ConsoleRouteSpec } from './routes.js';
import { UpstreamFailure, isHealthFailure, isRetryable, parseRetryAfter } from './upstream-failure.js';
import type { ConsoleReservation } from './console-slots.js';
import { endHttpSpan, type TraceHeaders, type Tracing } from '../observability/tracing.js';

export interface ConsoleCall {
  route: ConsoleRouteSpec;
  query?: Record<string, number | undefined>;
  /** Sent as `Authorization: Bearer …`, only to CONSOLE_URL's origin (the transport's prefix). */
  token?: string;
  body?: unknown;
  /** The shape of the whole envelope (`EnvelopeSchema.*`); its `data` is what the call returns. */
  schema: z.ZodType<{ data: unknown }>;
}

/** Per request: who asked (for logs and the upstream's logs) and when its upstream work must end. */
export interface CallScope {
  requestId: string;
  /** Epoch milliseconds after which no call is started and pending ones are abandoned. */
  deadline: number;
  /**
   * A whole operation's time (OPERATION_TIMEOUT_MS). A call shared between requests gets this much
   * from when it starts, not the deadline of the request that happened to start it.
   */
  budgetMs: number;
  /**
   * True once the client that asked has disconnected: no further call is started for it (a call
   * already on its way finishes). Absent on calls shared between requests, which belong to none.
   */
  clientLeft?: () => boolean;
  /**
   * An unsampled request's propagation headers, passed explicitly: such a request runs outside the
   * tracing SDK's context manager (nothing of it is recorded), and its calls make no spans but still
   * carry its `traceparent`, sampled flag off, so that the Console's tracing decides alike. Made once
   * per request, not per call.
   */
  unsampledTraceHeaders?: TraceHeaders;
  /** Told once whether the Console accepted the caller's bearer token (2xx on a `/my/` route) or refused it. */
  tokenVerdict?: (accepted: boolean) => void;
  /** The Console calls the admission counted for this operation (ConsoleSlots.reserve): each call claims one. */
  reservation?: ConsoleReservation;
  /**
   * The call waits for a connection ahead of operations' calls: a token's verification, one short
   * call that decides which budget its request runs on. Behind a slow Console's queue it would make
   * every request with that token wait up to CONSOLE_QUEUE_TIMEOUT_MS, then fail and be tried again
   * by the token's next request.
   */
  firstInLine?: boolean;
}

/** A retry is only worth it when this much of the deadline is left after the backoff. */
const RETRY_MIN_REMAINING_MS = 50;

/** `store_id=2&page=1` from the defined entries, in a fixed order (it is also a memo key). */
export function queryStringOf(query: ConsoleCall['query']): string {
  let out = '';
  for (const key in query) {
    const value = query[key];
    if (value !== undefined) out += `${out === '' ? '' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
  }
  return out;
}

/**
 * One Console call, returning the envelope's `data`: inside the request's deadline, through the
 * route's circuit breaker, retried once (GETs only) on a reset or 502/503/504 with jittered
 * backoff. Every failure becomes a GraphQLError with a code from docs/errors.md and
 * `extensions.upstream` = { route, status }: never the body, never the token. Details go to the log.
 */
export async function callConsole<T>(transport: ConsoleTransport, call: ConsoleCall, scope: CallScope, mapStatus?: StatusMapper): Promise<T> {
  const route = routeName(call.route);
  for (let attempt = 1; ; attempt += 1) {
    // Before the breaker: a call not made says nothing about the Console's health.
    if (scope.clientLeft?.()) throw clientLeftError(route);
    try {
      const once = (unsampledTraceHeaders?: TraceHeaders) =>
        attemptOnce<T>(transport, call, unsampledTraceHeaders ? { ...scope, unsampledTraceHeaders } : scope, route);
      const send = transport.tracing && !scope.unsampledTraceHeaders ? () => tracedAttempt(transport.tracing!, transport, call, route, attempt, once) : once;
      // The circuit first: an open route fails fast, without waiting for a connection it will not use.
      return await transport.breakers.run(route, () => withConnection(transport, scope, send), isHealthFailure);
    } catch (raw) {
      const failure =
        raw instanceof UpstreamFailure
          ? raw
          : isOpenCircuitError(raw)
            ? new UpstreamFailure('circuit_open', 'circuit open')
            : new UpstreamFailure('malformed', String(raw));
      if (failure.kind === 'circuit_open' || failure.kind === 'queue') transport.metrics?.upstreamDuration.observe({ route, status: failure.kind }, 0);
      transport.logger.warn({ requestId: scope.requestId, route, attempt, outcome: failure.outcome, detail: failure.detail }, 'upstream call failed');
      const backoff = 25 + Math.random() * 75;
      if (attempt === 1 && call.route.method === 'GET' && isRetryable(failure) && scope.deadline - Date.now() - backoff >= RETRY_MIN_REMAINING_MS) {
        await new Promise((resolve) => setTimeout(resolve, backoff));
        continue;
      }
      throw toGraphQLError(failure, route, mapStatus);
    }
  }
}

/**
 * Runs `send` holding one of the gateway's Console connections (ConsoleSlots). The wait for one is
 * bounded by CONSOLE_QUEUE_TIMEOUT_MS and the operation's deadline and fails as 'queue': the call
 * never left the gateway, so it is neither a Console timeout nor a failure of the route's circuit.
 */
async function withConnection<T>(transport: ConsoleTransport, scope: CallScope, send: () => Promise<T>): Promise<T> {
  const waitStarted = performance.now();
  transport.slots.claim(scope.reservation);
  if (!(await transport.slots.acquire(scope.deadline - Date.now(), scope.firstInLine))) {
    const waited = Math.round(performance.now() - waitStarted);
    throw new UpstreamFailure(
      'queue',
      `no free Console connection within ${waited} ms (${transport.slots.capacity} in use, ${transport.slots.queued} waiting)`,
    );
  }
  const started = performance.now();
  try {
    return await send();
  } finally {
    transport.slots.release(performance.now() - started);
  }
}

/** What a call not made because the client left answers (nobody reads it; the log and metrics do). */
export function clientLeftError(route: string): Error {
  return new UpstreamError(ErrorCode.UpstreamTimeout, 'The operation ended (its client left) before this Console call was made.', { route });
}

function pathWithQuery(call: ConsoleCall): string {
  const query = queryStringOf(call.query);
  return query === '' ? call.route.path : `${call.route.path}?${query}`;
}

/**
 * One attempt's client span (semantic conventions for HTTP), a child of the operation's span; the
 * Console receives its `traceparent`. Never the token, the body or the answer.
 */
function tracedAttempt<T>(
  tracing: Tracing,
  transport: ConsoleTransport,
  call: ConsoleCall,
  route: string,
  attempt: number,
  send: (unsampledTraceHeaders?: TraceHeaders) => Promise<T>,
): Promise<T> {
  const { api } = tracing;
  // (An unsampled request's calls never come here: callConsole sends them with its trace context.)
  const span = tracing.tracer.startSpan(route, {
    kind: tracing.SpanKind.CLIENT,
    attributes: {
      'http.request.method': call.route.method,
      'server.address': transport.origin.hostname,
      'server.port': Number(transport.origin.port || (transport.origin.protocol === 'https:' ? 443 : 80)),
      'url.full': `${transport.origin.origin}${transport.basePath}${pathWithQuery(call)}`,
      'url.template': call.route.path,
      'http.request.resend_count': attempt - 1,
    },
  });
  // A call outside any request's span (a load no request started) that the sampler drops:
  // it passes its traceparent on without entering the context manager, which would cost every
  // request from then on (on Node 20 and 22 it turns on a hook for every promise).
  if (!span.isRecording()) return send(tracing.headersOf(api.trace.setSpan(api.context.active(), span)));
  return api.context.with(api.trace.setSpan(api.context.active(), span), async () => {
    try {
      const value = await send();
      endHttpSpan(tracing, span, 200, true);
      return value;
    } catch (error) {
      const failure = error instanceof UpstreamFailure ? error : undefined;
      span.setAttribute('error.type', failure ? failure.outcome : 'error');
      if (failure?.status !== undefined) endHttpSpan(tracing, span, failure.status, true);
      else {
        span.setStatus({ code: tracing.SpanStatusCode.ERROR });
        span.end();
      }
      throw error;
    }
  });
}

async function attemptOnce<T>(transport: ConsoleTransport, call: ConsoleCall, scope: CallScope, route: string): Promise<T> {
  const remaining = scope.deadline - Date.now();
  if (remaining <= 0) throw new UpstreamFailure('deadline', 'operation deadline passed before the call');
  const started = performance.now();
  const observe = (outcome: string) => transport.metrics?.upstreamDuration.observe({ route, status: outcome }, (performance.now() - started) / 1000);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'flecs-graph', 'x-request-id': scope.requestId };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  if (scope.unsampledTraceHeaders) Object.assign(headers, scope.unsampledTraceHeaders);
  else transport.tracing?.inject(headers);
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  let response;
  try {
    response = await sendRaw({
      method: call.route.method,
      path: transport.basePath + pathWithQuery(call),
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: Math.min(transport.timeoutMs, remaining),
      deadlineBound: remaining < transport.timeoutMs,
      maxBytes: transport.maxBytes,
      pool: transport.pool,
    });
  } catch (error) {
    const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('malformed', String(error));
    observe(failure.outcome);
    throw failure;
  }
  const status = response.status;
  observe(String(status));
  if (transport.logger.isLevelEnabled('debug')) {
    transport.logger.debug(
      { requestId: scope.requestId, route, status, durationMs: Math.round((performance.now() - started) * 10) / 10, bytes: response.body.length },
      'upstream call',
    );
  }
  if (status < 200 || status > 299) {
    throw new UpstreamFailure('status', `answered ${status}`, status, status === 429 ? parseRetryAfter(response.retryAfter) : undefined);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    throw new UpstreamFailure('malformed', `body is not JSON (${response.body.length} characters)`, status);
  }
  const checked = call.schema.safeParse(parsed);
  if (!checked.success) throw new UpstreamFailure('malformed', `envelope does not match: ${describeIssues(checked.error)}`, status);
  return checked.data.data as T;
}
