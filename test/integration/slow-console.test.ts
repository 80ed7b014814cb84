import { afterAll, describe, expect, it } from '@jest/globals';
import { consoleLogin } from '../support/console-login.js';
import { describeRun, DASHBOARD, MY_ROUTES, quantile, runSlowConsole, type SlowConsoleResult } from '../soak/slow-console.js';

/**
 * A slow Console under more load than it can take, scaled to this machine: the Console answers
 * every call, but slowly (1 s on every /my/ route), and far more clients ask for dashboards than its
 * capacity through the gateway's connections can serve (CONSOLE_MAX_CONNECTIONS=64: 64 calls a
 * second, ~21 three-call dashboards a second), on a CPU contended on purpose (a busy process per
 * core: a Kubernetes node under load, and what the rest of the suite does to this test on two cores
 * anyway). What the Console can do must become complete answers; the overflow must be refused fast
 * with 503 OVERLOADED before any of its calls start; nothing may blame the Console (no
 * UPSTREAM_TIMEOUT or UPSTREAM_UNAVAILABLE, no circuit opened); and the probes must stay quick,
 * timed from another process. `npm run soak:slow-console` runs the full size (1,000 clients, +2 s).
 */
describe('a slow Console under more load than it can take', () => {
  let run: SlowConsoleResult | undefined;
  afterAll(async () => run?.stop());

  it("should turn most of the Console's capacity into complete dashboards, refuse the rest fast, blame nothing on the Console, and keep probes quick", async () => {
    run = await runSlowConsole({ clients: 300, users: 100, latencyMs: 1000, seconds: 10, connections: 64, contended: true, keep: true });
    process.stderr.write(`slow console: ${describeRun(run)}\n`);
    expect(run.complete).toBeGreaterThanOrEqual(0.7 * run.capacity);
    expect(run.codes.get('UPSTREAM_TIMEOUT') ?? 0).toBe(0);
    expect(run.codes.get('UPSTREAM_UNAVAILABLE') ?? 0).toBe(0);
    expect(run.openedCircuits).toEqual([]);
    expect(run.refused).toBeGreaterThan(0);
    expect(run.refusalsWithoutRetryAfter).toEqual([]);
    // Refusals are answered without waiting for the Console, and without waiting for a token's
    // verification behind the Console's queue (it goes first in line for a connection), or for an
    // admission slot only to be judged again when its turn came. The slowest waited for a CPU.
    expect(quantile(run.refusalMs, 0.5)).toBeLessThan(100);
    expect(quantile(run.refusalMs, 0.99)).toBeLessThan(1000);
    // Probes on PROBE_PORT are answered by their own thread (the soak's target is 250 ms; here the
    // rest of the suite shares the CPU too); on the main port they wait among the refusals.
    expect(run.probe).toMatchObject({ failed: 0 });
    expect(run.probe.healthz).toBeLessThan(500);
    expect(run.probe.readyz).toBeLessThan(500);
    expect(run.mainPortProbe).toMatchObject({ failed: 0 });
    expect(run.mainPortProbe.healthz).toBeLessThan(1000);
    expect(run.mainPortProbe.readyz).toBeLessThan(1000);
  }, 90_000);

  it('should still open the circuits when the Console fails for real (500s)', async () => {
    const { simUrl, url } = run!;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${simUrl}/__admin/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const token = await consoleLogin(simUrl, 'user1');
    for (const route of MY_ROUTES) await admin('POST', 'faults', { route, status: 500 });
    try {
      for (let i = 0; i < 8; i += 1) {
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: DASHBOARD }),
        });
      }
      const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toMatch(/flecs_graph_upstream_circuit_state\{route="GET \/api\/v2\/my\/products"\} 2/);
    } finally {
      await admin('DELETE', 'faults');
    }
  }, 30_000);
});
