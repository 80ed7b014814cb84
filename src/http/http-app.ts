import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ErrorCode } from '../common/errors.js';
import { createContext, releaseContext, type ContextOptions, type GatewayContext } from '../context.js';
import type { SharedServices } from '../services.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { parseBearer } from '../auth/bearer.js';
import type { Span } from '@opentelemetry/api';
import { clientAddress } from '../edge/client-address.js';
import { endHttpSpan, type Tracing } from '../observability/tracing.js';
import type { TrustedDocuments } from '../edge/trusted-documents.js';
import { resolveTrustedDocument } from '../edge/trusted-request.js';
import { RateLimitedError } from '../edge/edge-limits.js';
import { NotRun, type AdmissionGate } from '../edge/admission.js';
import { chooseEncoding, compress } from './compression.js';
import { applyCors } from './cors.js';
import { addVary } from './vary.js';
import { matchesIfNoneMatch, weakEtag } from './etag.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import type { ExplorerAssets } from '../explorer/explorer-assets.js';
import type { PreparedPath } from '../graphql/prepared-path.js';

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

const REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,128}$/;
const KNOWN_PATHS = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** The gateway's HTTP surface: /graphql (Apollo), /healthz, /readyz, /metrics, JSON errors elsewhere. */
export function createHttpApp(options: HttpAppOptions): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    if (options.state.draining) res.setHeader('connection', 'close');
    options.state.inFlight += 1;
    options.metrics.inFlight.inc();
    const path = pathOf(req.url);
    res.once('close', () => {
      options.state.inFlight -= 1;
      options.metrics.inFlight.dec();
      const label = KNOWN_PATHS.has(path) ? path : 'other';
      // An answer that never completed: the client left first (nginx's 499, "client closed request").
      const status = res.writableFinished ? String(res.statusCode) : '499';
      options.metrics.httpDuration.observe({ method: req.method ?? 'GET', path: label, status }, (performance.now() - started) / 1000);
    });
    const run = (unsampled?: UnsampledTrace) => handle(req, res, path, requestId, options, unsampled);
    const handled = options.tracing && path === '/graphql' ? traced(options.tracing, req, res, run) : run();
    handled.catch((error: unknown) => {
      if (res.headersSent) {
        options.logger.error({ requestId, error: error instanceof Error ? error.message : String(error) }, 'request failed');
        res.destroy();
        return;
      }
      options.logger.error({ requestId, error: error instanceof Error ? error.message : String(error) }, 'request failed');
      sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
    });
  };
}

/**
 * The request's server span (semantic conventions for HTTP), a child of the caller's trace when
 * it sent `traceparent`; everything the request does runs inside it.
 */
function traced(tracing: Tracing, req: IncomingMessage, res: ServerResponse, run: (unsampled?: UnsampledTrace) => Promise<void>): Promise<void> {
  const parent = tracing.extract(req.headers);
  const method = req.method ?? 'GET';
  const span = tracing.tracer.startSpan(
    `${method} /graphql`,
    {
      kind: tracing.SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'http.route': '/graphql',
        'url.path': '/graphql',
        'url.scheme': 'http',
        'network.protocol.version': req.httpVersion,
      },
    },
    parent,
  );
  if (!span.isRecording()) {
    // Unsampled (the caller's flag, or the ratio): nothing of it would be recorded, so it runs
    // outside the SDK's context manager, which costs every request that enters it (issue 16). Its
    // Console calls get its traceparent (sampled flag off), made once here: every call sends the same.
    const { traceId, spanId } = span.spanContext();
    return run({ headers: tracing.headersOf(tracing.api.trace.setSpan(parent, span)), logFields: { trace_id: traceId, span_id: spanId } });
  }
  res.once('close', () => endHttpSpan(tracing, span, res.writableFinished ? res.statusCode : 499, false));
  return tracing.api.context.with(tracing.api.trace.setSpan(parent, span), () => run());
}

type UnsampledTrace = NonNullable<ContextOptions['unsampledTrace']>;

function pathOf(url: string | undefined): string {
  const raw = (url ?? '/').split('?', 1)[0];
  return raw.length > 1 && raw.endsWith('/') ? raw.slice(0, -1) : raw;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
  options: HttpAppOptions,
  unsampled?: UnsampledTrace,
): Promise<void> {
  switch (path) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      return options.state.draining ? sendJson(res, 503, { ready: false, reason: 'draining' }) : sendJson(res, 200, { ready: true });
    case '/metrics':
      if (!options.metricsOnMainPort) return refuse(res, requestId, options, 404, 'NOT_FOUND', 'Metrics are served on their own port (METRICS_PORT).');
      return sendMetrics(res, options.metrics);
    case '/graphql':
      return graphql(req, res, requestId, options, unsampled);
    default:
      if (options.explorerAssets?.has(path)) {
        if (req.method === 'GET' || req.method === 'HEAD') return options.explorerAssets.serve(req, res, path);
        res.setHeader('allow', 'GET, HEAD');
        return refuse(res, requestId, options, 405, 'METHOD_NOT_ALLOWED', `${(req.method ?? '').slice(0, 20)} is not supported here; use GET.`);
      }
      return refuse(res, requestId, options, 404, 'NOT_FOUND', `Nothing at ${path.slice(0, 200)}; the GraphQL endpoint is /graphql.`);
  }
}

async function graphql(req: IncomingMessage, res: ServerResponse, requestId: string, options: HttpAppOptions, unsampled?: UnsampledTrace): Promise<void> {
  if (applyCors(req, res, options.corsOrigins)) return;
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    res.setHeader('allow', 'GET, POST, OPTIONS');
    return refuse(res, requestId, options, 405, 'METHOD_NOT_ALLOWED', `${method.slice(0, 20)} is not supported; use GET or POST.`);
  }
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  let body: unknown;
  if (method === 'POST') {
    const parsed = await parseBody(req, options.maxBodyBytes);
    if ('status' in parsed) return refuse(res, requestId, options, parsed.status, parsed.code, parsed.message);
    body = parsed.body;
  }
  const resolved = resolveTrustedDocument(method, url, body, options.trustedDocuments);
  if (!resolved.ok) return refuse(res, requestId, options, resolved.status, resolved.code, resolved.message);
  body = resolved.body;
  const query = method === 'GET' ? url.searchParams.get('query') : (body as { query?: unknown } | undefined)?.query;
  const variablesBytes = variablesSize(method === 'GET' ? url.searchParams.get('variables') : (body as { variables?: unknown } | undefined)?.variables);
  if (variablesBytes > options.maxVariablesBytes) {
    logRefusal(requestId, options, 400, ErrorCode.VariablesTooLarge, method, '/graphql');
    return sendJson(res, 400, {
      errors: [
        {
          message: `The variables are ${variablesBytes} bytes as JSON; the limit is ${options.maxVariablesBytes}.`,
          extensions: { code: ErrorCode.VariablesTooLarge, limit: options.maxVariablesBytes, found: variablesBytes },
        },
      ],
    });
  }
  if (typeof query === 'string' && Buffer.byteLength(query) > options.maxDocumentBytes) {
    const size = Buffer.byteLength(query);
    logRefusal(requestId, options, 400, ErrorCode.DocumentTooLarge, method, '/graphql');
    return sendJson(res, 400, {
      errors: [
        {
          message: `The GraphQL document is ${size} bytes; the limit is ${options.maxDocumentBytes}.`,
          extensions: { code: ErrorCode.DocumentTooLarge, limit: options.maxDocumentBytes, found: size },
        },
      ],
    });
  }
  const authorization = req.headers.authorization;
  // Who the client is (an accepted token's hash, or its address): worked out once, for the budget here and the context.
  const bearer = parseBearer(authorization);
  const client = await options.services.edge.identify(bearer.kind === 'token' ? bearer.token : undefined, clientAddress(req, options.trustProxyHops));
  // Only requests that carry an operation spend the client's budget (not the Sandbox page, not a preflight).
  if (method === 'POST' || url.search !== '') {
    try {
      await options.services.edge.chargeOperation(client, requestId);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      options.tracing?.api.trace.getActiveSpan()?.addEvent('rate limited', { 'flecs_graph.refusal': error.kind });
      res.setHeader('retry-after', String(error.retryAfterSeconds));
      return sendJson(res, 429, { errors: [{ message: error.message, extensions: { code: ErrorCode.RateLimited, retryAfter: error.retryAfterSeconds } }] });
    }
  }
  const clientLeft = () => res.destroyed || req.socket.destroyed;
  let context: GatewayContext | undefined;
  const newContext = () => {
    context = createContext(options.services, authorization, {
      requestId,
      operationTimeoutMs: options.operationTimeoutMs,
      clientLeft,
      client,
      ...(unsampled ? { unsampledTrace: unsampled } : {}),
    });
    if (operationSpan) context.operationSpan = operationSpan;
    return context;
  };
  // A document that already ran compiled here skips Apollo's pipeline (src/graphql/prepared-path.ts).
  const prepared = options.prepared
    ? (options.prepared.match(method, url, body, req.headers) ?? (await options.prepared.matchPersisted(method, url, body, req.headers)))
    : undefined;
  const execute = prepared
    ? () => prepared.run(newContext())
    : () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method, headers: headerMapOf(req), search: url.search, body },
          context: async () => newContext(),
        });
  let operationSpan: Span | undefined;
  const tracing = options.tracing;
  const queuedAt = tracing ? performance.now() : 0;
  const response = await options.admission.run(() => {
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
  }, clientLeft);
  if (response instanceof NotRun) return answerNotRun(res, response, requestId, method, options);
  if (context) releaseContext(context);
  for (const [key, value] of response.headers) {
    if (key === 'vary') addVary(res, value);
    else res.setHeader(key, value);
  }
  // Apollo picks application/graphql-response+json or application/json from Accept.
  addVary(res, 'Accept');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    const text = response.body.string;
    // Refused before any operation ran (CSRF, batched body, missing query, persisted-query miss…).
    if (!context?.log.operationLogged && res.statusCode >= 400) logRefusal(requestId, options, res.statusCode, firstCode(text), method, '/graphql');
    if (method === 'GET' && answeredNotModified(req, res, text, options.compression)) return;
    sendBody(req, res, text, options.compression);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** An operation the admission gate did not run: nobody to answer (the client left), or 503. */
function answerNotRun(res: ServerResponse, notRun: NotRun, requestId: string, method: string, options: HttpAppOptions): void {
  options.metrics.operationsNotRun.inc({ reason: notRun.reason });
  options.tracing?.api.trace.getActiveSpan()?.addEvent('operation not run', { 'flecs_graph.reason': notRun.reason });
  if (notRun.reason === 'client_left') {
    options.logger.info({ requestId, status: 499, method, path: '/graphql' }, 'client left while its operation waited; not run');
    return;
  }
  res.setHeader('retry-after', '1');
  if (notRun.reason === 'queue_full') {
    options.logger.warn({ requestId, status: 503, code: ErrorCode.Overloaded, method, path: '/graphql' }, 'operation queue full; refused');
    sendError(
      res,
      503,
      ErrorCode.Overloaded,
      'The gateway is overloaded: too many operations are already waiting for their turn. This one was not run; retry shortly.',
    );
    return;
  }
  options.logger.warn({ requestId, status: 503, code: ErrorCode.Overloaded, method, path: '/graphql' }, 'operation waited too long for a slot; refused');
  sendError(
    res,
    503,
    ErrorCode.Overloaded,
    `The gateway is overloaded: this operation waited ${options.queueTimeoutMs} ms for its turn and was not run. Retry shortly.`,
  );
}

/**
 * A public answer (one a browser, a phone's HTTP cache or a CDN may keep) gets an ETag; when the
 * client already holds it, a 304 without a body is sent instead and this returns true.
 */
function answeredNotModified(req: IncomingMessage, res: ServerResponse, text: string, compression: HttpAppOptions['compression']): boolean {
  if (res.statusCode !== 200 || !String(res.getHeader('cache-control') ?? '').startsWith('public')) return false;
  const etag = weakEtag(text);
  res.setHeader('etag', etag);
  if (!matchesIfNoneMatch(req.headers['if-none-match'], etag)) return false;
  varyOnEncoding(res, compression);
  res.removeHeader('content-type');
  res.removeHeader('content-length');
  res.statusCode = 304;
  res.end();
  return true;
}

/** Size of the variables as JSON (a GET carries them as JSON text already). */
function variablesSize(variables: unknown): number {
  if (variables === undefined || variables === null) return 0;
  if (typeof variables === 'string') return Buffer.byteLength(variables);
  try {
    return Buffer.byteLength(JSON.stringify(variables));
  } catch {
    return 0;
  }
}

type ParsedBody = { body: unknown } | { status: number; code: string; message: string };

async function parseBody(req: IncomingMessage, limit: number): Promise<ParsedBody> {
  let text: string;
  try {
    text = await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${limit} bytes.` };
    }
    throw error;
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) {
    // Apollo answers this case itself (400, or its CSRF message for simple requests).
    return { body: text === '' ? undefined : text };
  }
  if (text.trim() === '') return { body: undefined };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' };
  }
}

/** One log line for a request refused before GraphQL ran: operators see every 4xx. */
function logRefusal(requestId: string, options: HttpAppOptions, status: number, code: string | undefined, method: string, path: string): void {
  options.logger.info({ requestId, status, code, method, path: path.slice(0, 200) }, 'request refused');
}

function refuse(res: ServerResponse, requestId: string, options: HttpAppOptions, status: number, code: string, message: string): void {
  logRefusal(requestId, options, status, code, res.req.method ?? 'GET', pathOf(res.req.url));
  sendError(res, status, code, message);
}

function firstCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The answer, compressed when it is large enough and the client accepts br or gzip. */
function sendBody(req: IncomingMessage, res: ServerResponse, text: string, compression: HttpAppOptions['compression']): void {
  const encoding = compression.enabled && text.length >= compression.minBytes ? chooseEncoding(req.headers['accept-encoding']) : undefined;
  varyOnEncoding(res, compression);
  if (encoding === undefined) {
    res.end(text);
    return;
  }
  const compressed = compress(text, encoding);
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', compressed.length);
  res.end(compressed);
}

/** With compression on, an answer's bytes depend on Accept-Encoding: caches must know (also on a 304). */
function varyOnEncoding(res: ServerResponse, compression: HttpAppOptions['compression']): void {
  if (compression.enabled) addVary(res, 'Accept-Encoding');
}

/** Prometheus's text format, for the metrics listener and (METRICS_PORT = PORT) the main port. */
export async function sendMetrics(res: ServerResponse, metrics: GatewayMetrics): Promise<void> {
  res.setHeader('content-type', metrics.registry.contentType);
  res.end(await metrics.registry.metrics());
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}
