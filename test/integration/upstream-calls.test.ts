import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DashboardDocument, MinimalCallsDocument, MyPagesDocument } from '../generated/graphql.js';
import { DEFAULT_STORE_ID } from '../../src/simulator/catalogue.js';
import { allCataloguePages, dashboardCalls, pagesOf } from '../support/sim-data.js';
import { startStack, type Stack } from '../support/stack.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/processes.js';

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7 };

/** The first match of `pattern` in a docs page, its lines joined so that a sentence may wrap; numbers written as words are read too. */
function quoted(page: string, pattern: RegExp): number[] {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/\s*\n\s*/g, ' ');
  const m = pattern.exec(text);
  if (!m) throw new Error(`${page} no longer says ${String(pattern)}: reword the test with the page`);
  return m.slice(1).map((n) => WORDS[n.toLowerCase()] ?? Number(n));
}

/** The fewest possible upstream calls, read from the simulator's own counters. */
let stack: Stack;
/** demo's token, verified before the cases count (a token the gateway has not seen costs one validate first). */
let demoToken: string;
beforeAll(async () => {
  stack = await startStack();
  demoToken = await stack.returningUser(0);
});
afterAll(async () => stack.close());
beforeEach(async () => {
  await stack.clearFaults();
  await stack.resetStats();
});

describe('upstream calls', () => {
  it('should fetch each distinct upstream resource once for aliases, repeats, line item products and store catalogues', async () => {
    const res = await stack.gql(MinimalCallsDocument, {}, { token: demoToken });
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data!.me!;
    const stores = new Set([...me.products!.items, ...me.apps!.items].map((p) => p.store!.id));
    me.subscriptions!.items.forEach((s) => s.lineItems.forEach((li) => li.product && stores.add(li.product.store!.id)));
    const demo = stack.sim.console.userData(0);
    // Every page of the caller's lists and of every catalogue (one line item points at an id that
    // exists nowhere: only reading them all proves it), each once. Store.catalog shares those
    // pages; only the default store's is read twice, with and without its store_id.
    expect(await stack.stats()).toEqual({
      'GET /api/v2/my/products': pagesOf(demo.products.length),
      'GET /api/v2/my/products/apps': pagesOf(demo.apps.length),
      'GET /api/v2/my/subscriptions': 1,
      'GET /api/v2/products': allCataloguePages() + (stores.has(DEFAULT_STORE_ID) ? 1 : 0),
    });
  });

  it('should make the dashboard cost its /my/ routes and validate, every catalogue page when cold, none when warm', async () => {
    const fresh = await startStack();
    try {
      const demo = fresh.sim.console.userData(0);
      await fresh.gql(DashboardDocument, {}, { token: fresh.tokenFor(0) });
      expect(await fresh.stats()).toEqual(dashboardCalls(demo, 'cold'));
      await fresh.resetStats();
      await fresh.gql(DashboardDocument, {}, { token: fresh.tokenFor(0) });
      const warm = await fresh.stats();
      expect(warm).toEqual(dashboardCalls(demo, 'warm'));
      // The figures the docs quote for the same dashboard are these counts, page by page.
      const cold = dashboardCalls(demo, 'cold');
      expect(quoted('docs/runtime.md', /the demo dashboard costs (\d+) Console calls .*? warm it costs (\d+)/)).toEqual([total(cold), total(warm)]);
      const firstLevel = ['GET /api/v2/my/products', 'GET /api/v2/my/products/apps', 'GET /api/v2/my/subscriptions'].filter((r) => warm[r]);
      expect(quoted('README.md', /(\w+) Console calls in parallel; each line item/)).toEqual([firstLevel.length]);
      expect(quoted('docs/queries.md', /A whole dashboard in one request \((\w+) Console calls in parallel/)).toEqual([firstLevel.length]);
      // The bench logs in through the gateway, so its tokens need no validate.
      const validate = warm['POST /api/v2/auth/validate'];
      expect(
        quoted(
          'docs/performance.md',
          /\((\d+) Console calls per dashboard, the floor makes the same (\d+)\) and, on a cold public cache, every catalogue page \((\d+) calls;/,
        ),
      ).toEqual([total(warm) - validate, total(warm) - validate, total(cold) - validate]);
    } finally {
      await fresh.close();
    }
  });

  it('should never share a memo between two requests', async () => {
    const token = stack.tokenFor(3);
    await stack.gql(MyPagesDocument, {}, { token });
    await stack.gql(MyPagesDocument, {}, { token });
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(2);
  });

  it.each([
    ['no Authorization header', {}],
    ['an empty header', { authorization: '' }],
    ['a Basic header', { authorization: 'Basic ZGVtbzpwYXNzd29yZA==' }],
    ['"Bearer" without a token', { authorization: 'Bearer ' }],
    ['a token with a space inside', { authorization: 'Bearer abc def' }],
    ['a token with a quote', { authorization: 'Bearer abc"def' }],
    ['a 10 kB token', { authorization: `Bearer ${'a'.repeat(10_000)}` }],
  ])('should answer %s with me = null, UNAUTHENTICATED and no upstream call', async (_name, headers) => {
    const res = await stack.gql(DashboardDocument, {}, { headers });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: null });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.path).toEqual(['me']);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await stack.stats()).toEqual({});
  });

  it('should refuse out-of-range arguments with BAD_USER_INPUT before any upstream call', async () => {
    const res = await stack.gql(MyPagesDocument, { page: 0, storeId: -3 }, { token: demoToken });
    expect(res.body.data?.me).toEqual({ products: null, apps: null, subscriptions: null });
    const codes = (res.body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.argument]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['me.products', 'BAD_USER_INPUT', 'storeId'],
        ['me.apps', 'BAD_USER_INPUT', 'storeId'],
        ['me.subscriptions', 'BAD_USER_INPUT', 'storeId'],
      ]),
    );
    expect(await stack.stats()).toEqual({});
  });
});

describe('parallelism', () => {
  it('should resolve the dashboard in about two upstream latencies, not six', async () => {
    const latencyMs = 300;
    for (const route of [
      'GET /api/v2/my/products',
      'GET /api/v2/my/products/apps',
      'GET /api/v2/my/subscriptions',
      'GET /api/v2/products',
      'POST /api/v2/auth/validate',
    ]) {
      await stack.fault(route, { latencyMs });
    }
    const token = stack.tokenFor(0);
    await stack.gql(DashboardDocument, {}, { token: stack.tokenFor(0) }); // a warm public cache
    const started = performance.now();
    const res = await stack.gql(DashboardDocument, {}, { token });
    const elapsed = performance.now() - started;
    expect(res.body.errors).toBeUndefined();
    // Level 1: products, apps, subscriptions, validate in parallel; level 2: the later pages of the
    // caller's products and apps, all at once (the catalogues come from the warm public cache).
    // Sequential would be ≥ 8 L. The upper bound leaves 3 L of room for two shared, busy cores
    // (it once failed at 3.5 L with L = 150 ms) and is still far below any serialised call.
    expect(elapsed).toBeGreaterThanOrEqual(2 * latencyMs);
    expect(elapsed).toBeLessThan(5 * latencyMs);
  });
});

describe('a cold product search', () => {
  it("should be three Console latencies deep for an id no list has: own page 1s, then own later pages alongside the catalogues' page 1s, then their later pages", async () => {
    const latencyMs = 800;
    const cold = await startStack({ env: { CONSOLE_STORE_IDS: '1,2,3,4,7,12' } });
    try {
      // The process's first operation pays for compiling code paths; this one calls no Console.
      await cold.gql('{ __typename }');
      for (const route of ['GET /api/v2/my/products', 'GET /api/v2/my/products/apps', 'GET /api/v2/products']) await cold.fault(route, { latencyMs });
      const started = performance.now();
      const res = await cold.gql('{ product(id: 999998) { id } }', {}, { token: cold.tokenFor(0) });
      const elapsed = performance.now() - started;
      expect(res.body).toEqual({ data: { product: null } });
      // Four levels (the old order) would take ≥ 4 L; the bound leaves 0.6 L (480 ms) of a busy
      // machine's CPU for the search's ~30 calls and one operation.
      expect(elapsed).toBeGreaterThanOrEqual(3 * latencyMs);
      expect(elapsed).toBeLessThan(3.6 * latencyMs);
    } finally {
      await cold.close();
    }
  });
});
