import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startProcesses, type Started } from '../support/processes.js';

/**
 * What a production gateway holds in memory is mostly the code it loads (docs/performance.md#memory).
 * Three pieces it never uses were loaded anyway and cost ~12 MB of RSS together; this test starts
 * a production gateway, logs in and runs a dashboard, then asks it (test/support/loaded-modules-probe.mjs)
 * what it loaded.
 */
describe('what a running gateway loads', () => {
  let simulator: Started;
  let gateway: Started;
  let report: { files: string[]; bundledUndici: boolean };
  beforeAll(async () => {
    const started = await startProcesses({ NODE_ENV: 'production' }, {}, { gatewayNodeArgs: ['--import', './test/support/loaded-modules-probe.mjs'] });
    ({ simulator, gateway } = started);
    const post = (body: unknown, token?: string) =>
      fetch(started.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ data?: Record<string, unknown> }>);
    const login = await post({ query: 'mutation { login(username: "demo", password: "password") { token } }' });
    const token = (login.data?.login as { token: string }).token;
    const dashboard = await post({ query: '{ me { products { items { id name store { name } } } subscriptions { items { id } } } }' }, token);
    expect(dashboard.data?.me).toBeTruthy();
    gateway.child.kill('SIGUSR2');
    const line = (await gateway.waitFor(/LOADED-MODULES (.*)\n/))[1];
    report = JSON.parse(line) as typeof report;
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await simulator?.stop();
  });

  it('has loaded the gateway and the part of undici it uses', () => {
    expect(report.files.some((f) => f.endsWith('/dist/src/gateway.js'))).toBe(true);
    expect(report.files.some((f) => f.endsWith('/undici/lib/dispatcher/pool.js'))).toBe(true);
  });

  it("does not load Node's bundled undici (an ES import of node:http reads http.WebSocket, which loads it)", () => {
    expect(report.bundledUndici).toBe(false);
  });

  it("does not load undici's index (fetch, WebSocket, caches, mocks)", () => {
    expect(report.files.filter((f) => /\/node_modules\/undici\/index\.js$/.test(f))).toEqual([]);
  });

  it("does not load undici's request API (a Readable body and an abort signal per call): calls are dispatched", () => {
    expect(report.files.filter((f) => /\/node_modules\/undici\/lib\/api\//.test(f))).toEqual([]);
  });

  it("does not load Apollo's usage-reporting protobuf (inline traces are for subgraphs)", () => {
    expect(report.files.filter((f) => f.includes('usage-reporting-protobuf'))).toEqual([]);
  });
});
