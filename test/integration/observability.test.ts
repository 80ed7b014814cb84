import { Writable } from 'node:stream';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DashboardDocument, LoginDocument } from '../generated/graphql.js';
import { createLogger } from '../../src/observability/logger.js';
import { dashboardCalls } from '../support/sim-data.js';
import { startStack, type Stack } from '../support/stack.js';

/** Logs are captured from a real gateway; metrics are read from its /metrics over HTTP. */
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  },
});
let stack: Stack;
let base: string;
beforeAll(async () => {
  stack = await startStack({ env: { CIRCUIT_FAILURE_THRESHOLD: '1000' }, gateway: { logger: createLogger('debug', capture) } });
  base = stack.gateway.url.replace(/\/graphql$/, '');
});
afterAll(async () => stack.close());

/** A logger at info whose writes are kept, one entry per write, in `out`. */
function loggerWritingTo() {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      out.push(chunk.toString());
      done();
    },
  });
  return { out, logger: createLogger('info', sink) };
}

describe('logs', () => {
  it('should log every operation with request id, name, outcome, duration and upstream calls, and never a secret', async () => {
    const token = stack.tokenFor(8);
    const password = 'n0t-the-password-Zq9';
    await stack.gql(LoginDocument, { username: 'user8', password });
    const login = await stack.gql(LoginDocument, { username: 'user8', password: 'password' });
    await stack.gql(DashboardDocument, {}, { token, headers: { 'x-request-id': 'trace-me-1' } });
    await stack.fault('GET /api/v2/my/subscriptions', { status: 500 });
    await stack.gql('query Broken { me { subscriptions { total } } }', {}, { token });
    await stack.gql(`{ validateToken(token: "${token}") { isValid } }`);
    await stack.gql('{ me { products { page } } }', {}, { headers: { authorization: `Basic ${Buffer.from(`user8:${password}`).toString('base64')}` } });
    await stack.gql(`query TooWide { ${Array.from({ length: 11 }, (_, i) => `a${i}: catalog { page }`).join(' ')} }`);
    await stack.clearFaults();

    const all = lines.join('\n');
    const secrets = [token, password, login.body.data!.login.token, Buffer.from(`user8:${password}`).toString('base64')];
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/"authorization"\s*:\s*"(?!\[redacted\])/i);

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const dashboard = records.find((r) => r.requestId === 'trace-me-1' && r.msg === 'graphql operation');
    const cold = Object.values(dashboardCalls(stack.sim.console.userData(8), 'cold')).reduce((a, b) => a + b, 0);
    expect(dashboard).toMatchObject({ level: 'info', operation: 'Dashboard', outcome: 'success', upstreamCalls: cold, upstreamFailures: 0 });
    expect(typeof dashboard?.durationMs).toBe('number');
    const broken = records.find((r) => r.operation === 'Broken');
    expect(broken).toMatchObject({ outcome: 'partial', upstreamFailures: 1, errorCodes: ['UPSTREAM_ERROR'] });
    const logins = records.filter((r) => r.operation === 'Login');
    expect(logins.map((r) => r.outcome)).toEqual(['error', 'success']);
    expect(records.find((r) => r.operation === 'TooWide')).toMatchObject({ outcome: 'rejected', upstreamCalls: 0, errorCodes: ['TOO_MANY_ROOT_FIELDS'] });
    const failure = records.find((r) => r.msg === 'upstream call failed' && r.requestId === broken?.requestId);
    expect(failure).toMatchObject({ level: 'warn', route: 'GET /api/v2/my/subscriptions', outcome: '500' });
  });

  it('should redact secrets even when a caller passes them to the logger by mistake', () => {
    const { out, logger } = loggerWritingTo();
    logger.info({ headers: { authorization: 'Bearer SECRET1' }, token: 'SECRET2', variables: { password: 'SECRET3' }, user: { password: 'SECRET4' } }, 'oops');
    expect(out.join('')).not.toMatch(/SECRET\d/);
    expect(out.join('')).toContain('[redacted]');
  });

  it('should give every line the ISO time it was written at (the text is made once per millisecond)', async () => {
    const { out, logger } = loggerWritingTo();
    const times: Array<{ before: number; after: number }> = [];
    for (let i = 0; i < 3; i += 1) {
      const before = Date.now();
      logger.info({ i }, 'tick');
      logger.info({ i }, 'same millisecond or the next');
      times.push({ before, after: Date.now() });
      await new Promise((r) => setTimeout(r, 5));
    }
    const written = out.map((line) => (JSON.parse(line) as { time: string }).time);
    expect(written).toHaveLength(6);
    written.forEach((time, n) => {
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const { before, after } = times[Math.floor(n / 2)];
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(time)).toBeLessThanOrEqual(after);
    });
  });
});

describe('metrics and health', () => {
  it('should expose Prometheus metrics that move with traffic', async () => {
    const read = async () => (await (await fetch(stack.gateway.metricsUrl)).text()).split('\n');
    const value = (text: string[], prefix: string) =>
      Number(
        text
          .find((l) => l.startsWith(prefix))
          ?.split(' ')
          .pop() ?? 0,
      );
    // A name earns its own label after 20 uses (junk names must not take the 200 slots).
    for (let i = 0; i < 20; i += 1) await stack.gql(DashboardDocument, {}, { token: stack.tokenFor(9) });
    const before = await read();
    await stack.gql(DashboardDocument, {}, { token: stack.tokenFor(9) });
    const after = await read();
    const op = 'flecs_graph_graphql_operations_total{operation="Dashboard",outcome="success"}';
    expect(value(after, op)).toBe(value(before, op) + 1);
    const upstream = 'flecs_graph_upstream_request_duration_seconds_count{route="GET /api/v2/my/products",status="200"}';
    expect(value(after, upstream)).toBeGreaterThan(value(before, upstream));
    const http = 'flecs_graph_http_request_duration_seconds_count{method="POST",path="/graphql",status="200"}';
    expect(value(after, http)).toBeGreaterThan(value(before, http));
    expect(after.some((l) => l.startsWith('flecs_graph_http_requests_in_flight'))).toBe(true);
    expect(after.some((l) => l.startsWith('flecs_graph_process_resident_memory_bytes'))).toBe(true);
  });

  it('should answer /healthz and /readyz', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it('should keep client-chosen operation names from exploding the metric labels, and junk names from taking the slots (issue 23.7)', () => {
    const metrics = new GatewayMetrics();
    expect(metrics.operationLabel('Weird Name!')).toBe('other');
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
    // 10,000 distinct junk names, each once: none takes a slot.
    for (let i = 0; i < 10_000; i += 1) expect(metrics.operationLabel(`Junk${i}`)).toBe('other');
    // A real operation, used repeatedly, gets its label after 20 uses.
    const labels = Array.from({ length: 20 }, () => metrics.operationLabel('MyAppsLatest'));
    expect(labels.slice(0, 19)).toEqual(Array(19).fill('other'));
    expect(labels[19]).toBe('MyAppsLatest');
    // Still at most 200 labels.
    for (let n = 0; n < 300; n += 1) for (let i = 0; i < 20; i += 1) metrics.operationLabel(`Op${n}`);
    expect(metrics.operationLabel('Op299')).toBe('other');
    expect(metrics.operationLabel('Op0')).toBe('Op0');
  });

  it('should not export flecs_graph_redis_up without REDIS_URL (a 0 there would fire a false alert)', async () => {
    const text = await (await fetch(stack.gateway.metricsUrl)).text();
    expect(text).not.toContain('flecs_graph_redis_up');
  });
});
