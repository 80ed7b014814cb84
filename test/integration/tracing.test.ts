import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tracingWanted } from '../../src/observability/tracing.js';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess, startProcesses, type Started } from '../support/processes.js';
import { REDIS_SERVER, startRedis, warnRedisMissing, type RunningRedis } from '../support/redis.js';

/**
 * OpenTelemetry traces (issue 16) from a real gateway process to a real OTLP/HTTP receiver (JSON),
 * in front of a fake Console that records what it is sent: the caller's trace continues through
 * the gateway's HTTP span, the operation's span and one span per Console call, the Console gets
 * `traceparent`, log lines carry the trace and span ids, and no span carries the token.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TOKEN = 'tok-secret-123';

describe('traces', () => {
  const received: OtlpSpan[] = [];
  const resources: unknown[] = [];
  const consoleHeaders: http.IncomingHttpHeaders[] = [];
  let receiver: http.Server;
  let fakeConsole: http.Server;
  let gateway: Started;
  let url: string;
  // With redis-server installed, the public cache lives in Redis and its round trips are spans too;
  // without it those checks do not run, and the run says so.
  let redis: RunningRedis | undefined;
  if (!REDIS_SERVER) warnRedisMissing('test/integration/tracing.test.ts (its Redis span checks)');

  beforeAll(async () => {
    if (REDIS_SERVER) redis = await startRedis();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ resource: unknown; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of payload.resourceSpans) {
          resources.push(rs.resource);
          for (const ss of rs.scopeSpans) received.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    fakeConsole = http.createServer((req, res) => {
      consoleHeaders.push(req.headers);
      // The token is verified once before its first operation: valid.
      if (req.url === '/api/v2/auth/validate') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 200, data: { isValid: true } }));
        return;
      }
      // The caller's apps fail: an ERROR span with its status.
      if (req.url?.startsWith('/api/v2/my/products/apps')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"statusCode":500}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 200, data: { page: 1, totalPages: 1, products: [] } }));
    });
    await Promise.all([receiver, fakeConsole].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    ({ process: gateway, url } = await startGatewayProcess({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      CONSOLE_URL: `http://127.0.0.1:${(fakeConsole.address() as AddressInfo).port}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    }));
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([receiver, fakeConsole].map((s) => new Promise((resolve) => s?.close(resolve))));
    await redis?.close();
  });

  const attribute = (span: OtlpSpan, key: string): string | number | boolean | undefined =>
    Object.values(span.attributes.find((a) => a.key === key)?.value ?? {})[0] as string | number | boolean | undefined;

  it("should continue the caller's trace through the HTTP request, the operation and each Console call, and pass it on to the Console", async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ query: 'query Probe { catalog { page } me { products { page } } }' }),
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (received.filter((s) => s.traceId === TRACE_ID).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const spans = received.filter((s) => s.traceId === TRACE_ID);

    const server = spans.find((s) => s.name === 'POST /graphql')!;
    expect(server).toBeDefined();
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(attribute(server, 'http.response.status_code')).toBe(200);
    const operation = spans.find((s) => s.name === 'query Probe')!;
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(attribute(operation, 'graphql.operation.name')).toBe('Probe');
    const calls = spans.filter((s) => s.parentSpanId === operation.spanId && s.name.startsWith('GET '));
    expect(calls.map((s) => s.name).sort()).toEqual(['GET /api/v2/my/products', 'GET /api/v2/products']);
    if (redis) {
      // The public cache's read of the catalogue page (a miss), then its write, as Redis spans.
      const redisSpans = spans.filter((s) => s.name.startsWith('redis '));
      expect(redisSpans.map((s) => s.name)).toEqual(expect.arrayContaining(['redis read', 'redis write']));
      for (const s of redisSpans) expect(attribute(s, 'db.system.name')).toBe('redis');
    }
    for (const call of calls) expect(attribute(call, 'http.response.status_code')).toBe(200);

    const tree = (parent: string | undefined, depth: number): string[] =>
      spans
        .filter((s) => (s.parentSpanId || undefined) === parent)
        .flatMap((s) => [
          `${'  '.repeat(depth)}${s.name} [${String(attribute(s, 'http.response.status_code') ?? attribute(s, 'flecs_graph.outcome') ?? '')}]`,
          ...tree(s.spanId, depth + 1),
        ]);
    process.stderr.write(`tracing: one request's trace\n${tree(CALLER_SPAN, 1).join('\n')}\n`);

    // The token the gateway had not seen was verified before the operation, inside the request's span.
    const verification = spans.filter((s) => s.parentSpanId === server.spanId && s.name === 'POST /api/v2/auth/validate');
    expect(verification).toHaveLength(1);

    // The Console saw each call's own span as the parent.
    const parents = consoleHeaders.map((h) => String(h.traceparent));
    expect(parents.sort()).toEqual([...calls, ...verification].map((c) => `00-${TRACE_ID}-${c.spanId}-01`).sort());

    // Never the token, anywhere in what was exported.
    expect(JSON.stringify(received)).not.toContain(TOKEN);
    expect(JSON.stringify(resources)).toContain('flecs-graph');
    expect(JSON.stringify(resources)).toContain('deployment.environment');

    // The operation's log line joins the trace (a line may follow its answer by the rest of a turn: waited for).
    const [line] = await gateway.waitFor(new RegExp(`^.*"trace_id":"${TRACE_ID}".*"msg":"graphql operation".*$`, 'm'));
    expect(JSON.parse(line)).toMatchObject({ trace_id: TRACE_ID, span_id: operation.spanId });
  });

  it("should show a failing Console route as an ERROR span with its status, and the operation's error code", async () => {
    const traceId = 'a'.repeat(31) + '1';
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ query: 'query Apps { me { apps { page } } }' }),
    });
    const deadline = Date.now() + 10_000;
    while (!received.some((s) => s.traceId === traceId && s.name === 'POST /graphql') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const spans = received.filter((s) => s.traceId === traceId) as Array<OtlpSpan & { status?: { code?: number } }>;
    const failed = spans.find((s) => s.name === 'GET /api/v2/my/products/apps')!;
    expect(failed.status?.code).toBe(2); // ERROR
    expect(attribute(failed, 'http.response.status_code')).toBe(500);
    const operation = spans.find((s) => s.name === 'query Apps')!;
    expect(attribute(operation, 'flecs_graph.outcome')).toBe('partial'); // me answered, me.apps null
    expect(JSON.stringify(operation.attributes)).toContain('UPSTREAM_ERROR');
  });

  it("should pass an unsampled caller's trace on to every Console call, sampled flag off, and export nothing of it", async () => {
    const traceId = 'b'.repeat(31) + '2';
    const before = consoleHeaders.length;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        traceparent: `00-${traceId}-${CALLER_SPAN}-00`,
        tracestate: 'caller=unsampled-7',
      },
      // A catalogue page no other test reads: a public-cache miss, so Redis round trips when Redis is on.
      body: JSON.stringify({ query: 'query Mine { me { products { page } subscriptions { total } } catalog(page: 7) { page } }' }),
    });
    expect(res.status).toBe(200);
    const calls = consoleHeaders.slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // The caller's trace id, a span id of the gateway's request, and "not sampled": the Console decides alike.
    for (const headers of calls) expect(String(headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    // The caller's tracestate goes along unchanged (the headers are made once per request, sent with each call).
    for (const headers of calls) expect(headers.tracestate).toBe('caller=unsampled-7');
    // Its operation's log line still names the trace (and the gateway's span the Console calls name as parent).
    // A line may follow its answer by the rest of the gateway's turn: waited for, then read.
    await gateway.waitFor(new RegExp(`"trace_id":"${traceId}".*"msg":"graphql operation"`));
    const logged = gateway
      .output()
      .stderr.split('\n')
      .filter((l) => l.includes('"msg":"graphql operation"') && l.includes(traceId))
      .map((l) => JSON.parse(l) as { trace_id: string; span_id: string });
    expect(logged).toHaveLength(1);
    expect(String(calls[0].traceparent)).toBe(`00-${traceId}-${logged[0].span_id}-00`);
    // A sampled request afterwards is exported; nothing of the unsampled one came before it.
    const marker = 'c'.repeat(31) + '3';
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${marker}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const deadline = Date.now() + 10_000;
    while (!received.some((s) => s.traceId === marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received.some((s) => s.traceId === marker)).toBe(true);
    expect(received.filter((s) => s.traceId === traceId)).toEqual([]);
    // Nor did its Redis round trips start traces of their own (every Redis span has a parent).
    expect(received.filter((s) => s.name.startsWith('redis ') && !s.parentSpanId).map((s) => s.name)).toEqual([]);
  });

  it('should trace a prepared operation (a document that already ran compiled) exactly as one Apollo ran', async () => {
    // Six times the same document: the first runs through Apollo's pipeline, the sixth on the prepared path.
    const traceIds = Array.from({ length: 6 }, (_, i) => `d${i}`.padEnd(32, '0'));
    for (const traceId of traceIds) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
        body: JSON.stringify({ query: 'query Twice { me { products { page } subscriptions { total } } }' }),
      });
      expect(res.status).toBe(200);
    }
    const deadline = Date.now() + 10_000;
    const complete = (traceId: string) => received.filter((s) => s.traceId === traceId).length >= 4;
    while (!traceIds.every(complete) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Names, parents and attribute names and values, span ids and timings aside.
    const shape = (traceId: string) => {
      const spans = received.filter((s) => s.traceId === traceId && !s.name.startsWith('redis '));
      const nameOf = new Map(spans.map((s) => [s.spanId, s.name]));
      return spans
        .map((s) => ({
          name: s.name,
          parent: nameOf.get(s.parentSpanId ?? '') ?? 'caller',
          attributes: Object.fromEntries(s.attributes.filter((a) => a.key !== 'url.full').map((a) => [a.key, JSON.stringify(a.value)])),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    };
    const first = shape(traceIds[0]);
    expect(first.map((s) => s.name)).toEqual(['GET /api/v2/my/products', 'GET /api/v2/my/subscriptions', 'POST /graphql', 'query Twice']);
    expect(first.find((s) => s.name === 'query Twice')?.attributes).toHaveProperty(['flecs_graph.upstream_cost']);
    expect(shape(traceIds[5])).toEqual(first);
    const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    expect(Number(/^flecs_graph_prepared_operations_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('should start a trace of its own for a caller that sent none', async () => {
    const before = new Set(received.map((s) => s.traceId));
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ catalog { page } }' }) });
    const deadline = Date.now() + 10_000;
    while (!received.some((s) => !before.has(s.traceId) && s.name === 'POST /graphql') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const root = received.find((s) => !before.has(s.traceId) && s.name === 'POST /graphql');
    expect(root).toBeDefined();
    expect(root!.parentSpanId ?? '').toBe('');
  });

  it("should warn at start on Node 22 without Node 24's context manager, and say nothing on Node 24", () => {
    const warned = gateway.output().stderr.includes('"msg":"tracing on Node 22 without --experimental-async-context-frame');
    // CI runs this file on Node 22.15 and on Node 24; the gateway runs on the Node that runs the tests.
    expect(warned).toBe(process.versions.node.startsWith('22.'));
  });

  it('should be off without an OTLP endpoint, or with OTEL_SDK_DISABLED=true', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});

describe('sampling, over OTLP/HTTP protobuf (the default protocol)', () => {
  const bodies: Buffer[] = [];
  const contentTypes = new Set<string>();
  let receiver: http.Server;
  let gateway: Started;
  let url: string;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      contentTypes.add(String(req.headers['content-type']));
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    ({ process: gateway, url } = await startGatewayProcess({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CONSOLE_URL: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    }));
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const send = (traceparent?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...(traceparent ? { traceparent } : {}) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  const exported = () => Buffer.concat(bodies);
  const count = (haystack: Buffer, needle: Buffer) => {
    let n = 0;
    for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n += 1;
    return n;
  };

  it("should export about a tenth of new traces, and follow the caller's sampled flag either way", async () => {
    for (let i = 0; i < 300; i += 1) await send();
    const sampledIds = Array.from({ length: 20 }, (_, i) => `${'5'.repeat(30)}${String(i).padStart(2, '0')}`);
    const unsampledIds = Array.from({ length: 20 }, (_, i) => `${'6'.repeat(30)}${String(i).padStart(2, '0')}`);
    for (const id of sampledIds) await send(`00-${id}-${CALLER_SPAN}-01`);
    for (const id of unsampledIds) await send(`00-${id}-${CALLER_SPAN}-00`);
    await new Promise((r) => setTimeout(r, 1500)); // the batch processor's schedule, then the export
    const all = exported();
    expect([...contentTypes]).toEqual(['application/x-protobuf']);
    // Trace ids travel as 16 raw bytes in protobuf; span names as text.
    for (const id of sampledIds) expect(all.includes(Buffer.from(id, 'hex'))).toBe(true);
    for (const id of unsampledIds) expect(all.includes(Buffer.from(id, 'hex'))).toBe(false);
    const serverSpans = count(all, Buffer.from('POST /graphql'));
    const roots = serverSpans - sampledIds.length;
    process.stderr.write(`tracing: parentbased_traceidratio 0.1 exported ${roots} of 300 new traces\n`);
    // Binomial(300, 0.1): mean 30, standard deviation ~5.2; ±4 of it (a false alarm once in ~15,000 runs),
    // far from both "everything" (300) and "nothing".
    expect(roots).toBeGreaterThanOrEqual(9);
    expect(roots).toBeLessThanOrEqual(51);
    expect(all.includes(Buffer.from(TOKEN))).toBe(false);
  }, 30_000);
});

describe('unsampled requests, and the context manager', () => {
  /**
   * A request the sampler drops runs outside OpenTelemetry's context manager: entering it once
   * (an AsyncLocalStorage) costs every promise of the process from then on on Node 20 and 22, so
   * sampling nothing cost as much as sampling a tenth (issue 16). A preloaded probe says when it is
   * first entered. Dashboards with product searches (public catalogue loads shared between
   * requests) and a caller's unsampled traceparent, under `always_off` and then `always_on`.
   */
  const probe = fileURLToPath(new URL('../support/async-local-storage-probe.mjs', import.meta.url));
  const DASHBOARD = '{ me { products { page } subscriptions { items { lineItems { productId product { id name } } } } } catalog(storeId: 3) { page } }';

  async function entered(sampler: string): Promise<boolean> {
    const { simulator, gateway, url } = await startProcesses(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER: sampler },
      {},
      { gatewayNodeArgs: ['--import', probe] },
    );
    try {
      const login = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { login(username: "demo", password: "password") { token } }' }),
      });
      const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
      for (const traceparent of [undefined, `00-${'e'.repeat(32)}-${CALLER_SPAN}-00`]) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(traceparent ? { traceparent } : {}) },
          body: JSON.stringify({ query: DASHBOARD }),
        });
        const body = (await res.json()) as { data?: { me?: unknown }; errors?: unknown };
        expect(body.errors).toBeUndefined();
        expect(body.data?.me).toBeDefined();
      }
      return gateway.output().stderr.includes('probe: AsyncLocalStorage entered');
    } finally {
      await gateway.stop();
      await simulator.stop();
    }
  }

  it('should never enter it when every trace is dropped', async () => {
    expect(await entered('always_off')).toBe(false);
  }, 30_000);

  it('should enter it for sampled requests (the probe sees it)', async () => {
    expect(await entered('always_on')).toBe(true);
  }, 30_000);
});

/**
 * How long ended spans wait for their batch. The gateway's default is 100 ms (the SDK's is 5 s, at
 * which spans waiting at 10 % sampling were promoted by V8 and doubled the major GCs); an operator's
 * OTEL_BSP_SCHEDULE_DELAY still wins. One `{ __typename }` makes a request span and an operation span
 * and calls no Console, so nothing but the timer sends them (a batch fills at 512).
 */
describe('batch delay', () => {
  async function firstExportAfter(env: Record<string, string>): Promise<{ ms: number; spans: number }> {
    let spans = 0;
    let firstAt: number | undefined;
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
        for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
        firstAt ??= Date.now();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { process: gateway, url } = await startGatewayProcess({
      NODE_ENV: 'production',
      CONSOLE_URL: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      ...env,
    });
    try {
      const sent = Date.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(res.status).toBe(200);
      while (firstAt === undefined && Date.now() - sent < 15_000) await new Promise((r) => setTimeout(r, 20));
      return { ms: (firstAt ?? Number.POSITIVE_INFINITY) - sent, spans };
    } finally {
      await gateway.stop();
      await new Promise((resolve) => receiver.close(resolve));
    }
  }

  it("should send a request's spans well before the SDK's own 5 s when OTEL_BSP_SCHEDULE_DELAY is not set", async () => {
    const { ms, spans } = await firstExportAfter({});
    // 100 ms plus a loaded CI machine's delays; the SDK's own default would take 5 s.
    expect(ms).toBeLessThan(2_000);
    expect(spans).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it("should keep the operator's OTEL_BSP_SCHEDULE_DELAY", async () => {
    const { ms, spans } = await firstExportAfter({ OTEL_BSP_SCHEDULE_DELAY: '3000' });
    expect(ms).toBeGreaterThanOrEqual(2_500);
    expect(ms).toBeLessThan(10_000);
    expect(spans).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
