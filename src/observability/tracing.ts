import type { Context, Span, SpanKind as SpanKindEnum, SpanStatusCode as SpanStatusCodeEnum, Tracer } from '@opentelemetry/api';

/** Propagation headers (`traceparent`, `tracestate`, `baggage`) as the configured propagator writes them. */
export type TraceHeaders = Readonly<Record<string, string>>;

/**
 * OpenTelemetry traces, on only when an OTLP endpoint is configured with the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true turns
 * them off). The SDK then reads everything else itself: OTEL_SERVICE_NAME (default here
 * `flecs-graph`), OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER / _ARG, OTEL_EXPORTER_OTLP_PROTOCOL
 * (`http/protobuf` by default, or `http/json`), OTEL_EXPORTER_OTLP_HEADERS, OTEL_PROPAGATORS (W3C
 * trace context and baggage by default). Off, nothing of the SDK or the API is loaded, and every
 * call site is a check of `undefined`.
 */
export interface Tracing {
  tracer: Tracer;
  /** The parts of @opentelemetry/api the call sites need (loaded with the SDK). */
  api: typeof import('@opentelemetry/api');
  SpanKind: typeof SpanKindEnum;
  SpanStatusCode: typeof SpanStatusCodeEnum;
  /** The trace context of incoming headers (traceparent, tracestate), as the configured propagator reads it. */
  extract(headers: Record<string, string | string[] | undefined>): Context;
  /** Adds the active context's traceparent (and tracestate) to outgoing headers. */
  inject(headers: Record<string, string>): void;
  /** A context's propagation headers on their own, made once for calls that all carry the same. */
  headersOf(context: Context): TraceHeaders;
  /** `trace_id` and `span_id` of the active span, for log lines; empty outside a span. */
  logFields(this: void): Record<string, string>;
  /** Flushes what is buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

export function tracingWanted(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * How long an ended span may wait for its batch (OTEL_BSP_SCHEDULE_DELAY) when the operator sets
 * nothing: 100 ms instead of the SDK's 5 s. At 10 % sampling a batch of 512 spans took ~0.5 s to
 * fill, long enough for V8 to promote every waiting span into the old generation: twice the major
 * GCs and +40–90 % CPU per operation on the one-page dashboard, against none measurable with 100 ms.
 * Full batches still leave at once; at most ten exports a second
 * come from the timer.
 */
const DEFAULT_BATCH_DELAY_MS = '100';

/** Starts the SDK when the environment asks for traces; undefined otherwise. */
export async function startTracing(env: Record<string, string | undefined> = process.env): Promise<Tracing | undefined> {
  if (!tracingWanted(env)) return undefined;
  // The SDK reads its batch settings from process.env itself (not from `env`); an operator's value always wins.
  if (!process.env.OTEL_BSP_SCHEDULE_DELAY?.trim()) process.env.OTEL_BSP_SCHEDULE_DELAY = DEFAULT_BATCH_DELAY_MS;
  const [api, { NodeSDK }] = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/sdk-node')]);
  // No auto-instrumentation: the gateway makes its own spans where it knows what they mean.
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME?.trim() ? {} : { serviceName: 'flecs-graph' }),
    instrumentations: [],
    // Traces only, unless asked: the SDK would otherwise also export (empty) OTLP metrics every
    // 60 s and set up a log pipeline, to an endpoint configured for traces. Our metrics are
    // Prometheus's (/metrics); OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER still turn them on.
    ...(env.OTEL_METRICS_EXPORTER?.trim() ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER?.trim() ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  const getter = {
    keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
    get: (carrier: Record<string, string | string[] | undefined>, key: string) => carrier[key],
  };
  return {
    tracer: api.trace.getTracer('flecs-graph'),
    api,
    SpanKind: api.SpanKind,
    SpanStatusCode: api.SpanStatusCode,
    extract: (headers) => api.propagation.extract(api.ROOT_CONTEXT, headers, getter),
    inject: (headers) => api.propagation.inject(api.context.active(), headers),
    headersOf: (context) => {
      const headers: Record<string, string> = {};
      api.propagation.inject(context, headers);
      return headers;
    },
    logFields: (): Record<string, string> => {
      const span = api.trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    shutdown: () => sdk.shutdown(),
  };
}

const CONTEXT_FRAME_FLAG = '--experimental-async-context-frame';

/**
 * A warning for Node 22 (and 23) without the flag that gives them Node 24's context manager: theirs
 * is `async_hooks`-based, and once a sampled request has entered it every promise of the process
 * pays a hook (callgrind on Node 20, the same mechanism: +32 % instructions per operation at 10 %
 * sampling, against +2.6 % on Node 24). Node 24 refuses the flag, so `npm start` cannot pass it.
 */
export function contextManagerWarning(
  nodeVersion: string = process.versions.node,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): string | undefined {
  const major = Number(nodeVersion.split('.')[0]);
  if (major !== 22 && major !== 23) return undefined;
  if (execArgv.includes(CONTEXT_FRAME_FLAG) || (nodeOptions ?? '').split(/\s+/).includes(CONTEXT_FRAME_FLAG)) return undefined;
  return `tracing on Node ${major} without ${CONTEXT_FRAME_FLAG}: once a sampled request has run, every promise pays for the context manager; start with NODE_OPTIONS=${CONTEXT_FRAME_FLAG} (docs/observability.md)`;
}

/** Ends a span with the outcome of an HTTP exchange (semantic conventions: 5xx is an error for a server, 4xx too for a client). */
export function endHttpSpan(tracing: Tracing, span: Span, status: number, client: boolean): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500 || (client && status >= 400)) span.setStatus({ code: tracing.SpanStatusCode.ERROR });
  span.end();
}
