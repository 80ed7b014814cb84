import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observability/metrics.js';
import { endHttpSpan, type Tracing } from '../observability/tracing.js';
import type { UnsampledTrace } from '../graphql/execution.js';
import { serveGraphQL } from './graphql-handler.js';
import type { HttpAppOptions } from './http-options.js';
import { refusal } from '../edge/refusal.js';
import { refuse, sendJson, type RefusalScope } from './refusal.js';

export type { HttpAppOptions, ServingState } from './http-options.js';

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
      sendJson(res, 500, { errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
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
    // outside the SDK's context manager, which costs every request that enters it. Its
    // Console calls get its traceparent (sampled flag off), made once here: every call sends the same.
    const { traceId, spanId } = span.spanContext();
    return run({ headers: tracing.headersOf(tracing.api.trace.setSpan(parent, span)), logFields: { trace_id: traceId, span_id: spanId } });
  }
  res.once('close', () => endHttpSpan(tracing, span, res.writableFinished ? res.statusCode : 499, false));
  return tracing.api.context.with(tracing.api.trace.setSpan(parent, span), () => run());
}

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
  const scope: RefusalScope = { logger: options.logger, requestId, method: req.method ?? 'GET', path };
  switch (path) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      return options.state.draining ? sendJson(res, 503, { ready: false, reason: 'draining' }) : sendJson(res, 200, { ready: true });
    case '/metrics':
      if (!options.metricsOnMainPort) return refuse(res, scope, refusal(404, 'NOT_FOUND', 'Metrics are served on their own port (METRICS_PORT).'));
      return sendMetrics(res, options.metrics);
    case '/graphql':
      return serveGraphQL(req, res, requestId, options, unsampled);
    default:
      if (options.explorerAssets?.has(path)) {
        if (req.method === 'GET' || req.method === 'HEAD') return options.explorerAssets.serve(req, res, path);
        const method = (req.method ?? '').slice(0, 20);
        return refuse(res, scope, refusal(405, 'METHOD_NOT_ALLOWED', `${method} is not supported here; use GET.`, { headers: { allow: 'GET, HEAD' } }));
      }
      return refuse(res, scope, refusal(404, 'NOT_FOUND', `Nothing at ${path.slice(0, 200)}; the GraphQL endpoint is /graphql.`));
  }
}

/** Prometheus's text format, for the metrics listener and (METRICS_PORT = PORT) the main port. */
export async function sendMetrics(res: ServerResponse, metrics: GatewayMetrics): Promise<void> {
  res.setHeader('content-type', metrics.registry.contentType);
  res.end(await metrics.registry.metrics());
}
