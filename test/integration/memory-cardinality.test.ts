import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Pool } from 'undici';
import { peakRssMb } from '../bench/proc-stats.js';
import { DashboardDocument } from '../generated/graphql.js';
import { startProcesses, type Started } from '../support/processes.js';

/**
 * Issue 20: an anonymous client sending distinct tiny documents and distinct APQ registrations
 * must not grow the gateway's heap without bound. The gateway runs with the heap a small container
 * gives it (--max-old-space-size=128); before the caches were bounded by what documents really
 * cost, it died of "JavaScript heap out of memory" after ~34,000 such documents at 200 MB.
 */
const DISTINCT_DOCUMENTS = 80_000;
const DISTINCT_REGISTRATIONS = 30_000;
const CONCURRENCY = 32;

describe('a gateway with a 128 MB heap under distinct documents from anonymous clients', () => {
  let simulator: Started;
  let gateway: Started;
  let url: string;
  let pool: Pool;

  beforeAll(async () => {
    ({ simulator, gateway, url } = await startProcesses({ NODE_ENV: 'production' }, {}, { gatewayNodeArgs: ['--max-old-space-size=128'] }));
    pool = new Pool(new URL(url).origin, { connections: CONCURRENCY });
  }, 30_000);

  afterAll(async () => {
    await pool?.close();
    await gateway?.stop();
    await simulator?.stop();
  });

  async function post(
    body: unknown,
    token?: string,
  ): Promise<{ status: number; json: { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> } }> {
    const res = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, json: (await res.body.json()) as never };
  }

  /** Runs `count` requests, CONCURRENCY at a time; returns what did not answer as expected. */
  async function flood(count: number, request: (k: number) => Promise<string | undefined>): Promise<string[]> {
    const problems: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let k = next++; k < count; k = next++) {
          const problem = await request(k).catch((error: unknown) => `transport: ${String(error)}`);
          if (problem && problems.length < 5) problems.push(`#${k}: ${problem}`);
          else if (problem) problems.push('');
        }
      }),
    );
    return problems;
  }

  it(`should answer ${DISTINCT_DOCUMENTS} distinct documents and ${DISTINCT_REGISTRATIONS} distinct APQ registrations, stay under 300 MB of RSS, and still serve the dashboard`, async () => {
    const documents = await flood(DISTINCT_DOCUMENTS, async (k) => {
      const res = await post({ query: `{ a${k}: catalog(storeId: 2) { page } }` });
      const page = (res.json.data?.[`a${k}`] as { page?: number } | undefined)?.page;
      return res.status === 200 && page === 1 ? undefined : `${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
    });
    const registrations = await flood(DISTINCT_REGISTRATIONS, async (k) => {
      const query = `{ b${k}: appCatalog { total } }`;
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const res = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
      const total = (res.json.data?.[`b${k}`] as { total?: number } | undefined)?.total;
      return res.status === 200 && typeof total === 'number' && total > 0 ? undefined : `${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
    });
    const peak = peakRssMb(gateway.child.pid!);
    process.stderr.write(
      `memory: ${DISTINCT_DOCUMENTS} distinct documents + ${DISTINCT_REGISTRATIONS} APQ registrations at a 128 MB heap: peak RSS ${peak.toFixed(0)} MB\n`,
    );

    expect({ documents: documents.length, registrations: registrations.length, first: [...documents, ...registrations].filter(Boolean).slice(0, 3) }).toEqual({
      documents: 0,
      registrations: 0,
      first: [],
    });
    expect(gateway.child.exitCode).toBeNull();
    expect(peak).toBeLessThan(300);

    const login = await post({ query: 'mutation { login(username: "demo", password: "password") { token } }' });
    const token = (login.json.data?.login as { token: string }).token;
    const dashboard = await post({ query: print(DashboardDocument) }, token);
    expect(dashboard.status).toBe(200);
    expect(dashboard.json.errors).toBeUndefined();
    const me = dashboard.json.data?.me as { products: { items: unknown[] }; subscriptions: { items: unknown[] } };
    expect(me.products.items.length).toBeGreaterThan(0);
    expect(me.subscriptions.items.length).toBeGreaterThan(0);
  }, 480_000); // ~100 s alone; up to ~200 s while the rest of the suite shares the two cores
});
