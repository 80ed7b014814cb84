import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DashboardDocument, MinimalCallsDocument, MyPagesDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

/** The fewest possible upstream calls, read from the simulator's own counters. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.close());
beforeEach(async () => {
  await stack.clearFaults();
  await stack.resetStats();
});

describe('upstream calls', () => {
  it('should fetch each distinct upstream resource once for aliases, repeats, line item products and store catalogues', async () => {
    const res = await stack.gql(MinimalCallsDocument, {}, { token: stack.tokenFor(0) });
    expect(res.body.errors).toBeUndefined();
    const stores = new Set(res.body.data!.me!.products!.items.map((p) => p.store!.id));
    res.body.data!.me!.apps!.items.forEach((p) => stores.add(p.store!.id));
    // One call per route, except the public catalogue: the default one (for `catalog` and for
    // line items outside the user's products) plus one per distinct store.
    expect(await stack.stats()).toEqual({
      'GET /api/v2/my/products': 1,
      'GET /api/v2/my/products/apps': 1,
      'GET /api/v2/my/subscriptions': 1,
      'GET /api/v2/products': 1 + stores.size,
    });
  });

  it('should make the dashboard cost the three /my/ routes, validate, and one catalogue call for outside line items', async () => {
    await stack.gql(DashboardDocument, {}, { token: stack.tokenFor(0) });
    expect(await stack.stats()).toEqual({
      'GET /api/v2/my/products': 1,
      'GET /api/v2/my/products/apps': 1,
      'GET /api/v2/my/subscriptions': 1,
      'GET /api/v2/products': 1,
      'POST /api/v2/auth/validate': 1,
    });
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
    const res = await stack.gql(MyPagesDocument, { page: 0, storeId: -3 }, { token: stack.tokenFor(0) });
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
    const latencyMs = 150;
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
    const started = performance.now();
    const res = await stack.gql(DashboardDocument, {}, { token });
    const elapsed = performance.now() - started;
    expect(res.body.errors).toBeUndefined();
    // Level 1: products, apps, subscriptions, validate in parallel; level 2: the outside line items'
    // catalogue call (the user's products are already memoised). Sequential would be ≥ 5 L.
    expect(elapsed).toBeGreaterThanOrEqual(2 * latencyMs);
    expect(elapsed).toBeLessThan(3.5 * latencyMs);
  });
});
