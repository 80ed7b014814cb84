import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STORES } from '../../src/simulator/catalogue.js';
import { startGatewayProcess, startProcess, type Started } from '../support/processes.js';
import { REDIS_SERVER, startRedis, warnRedisMissing, type RunningRedis } from '../support/redis.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 22: a product lookup must not depend on what a replica happened to see since it started.
 * Product 1438 is on page 2 of store 12's public catalogue; store 12 is not the default store.
 */
const SIM_STORES = STORES.map((s) => s.id).join(',');
const PRODUCT = '{ product(id: 1438) { id name store { id } } }';
const LINE_ITEMS = '{ me { subscriptions { items { lineItems { productId product { id } } } } } }';

type LineItems = { me: { subscriptions: { items: Array<{ lineItems: Array<{ productId: number; product: { id: number } | null }> }> } } };

describe('a fresh gateway with CONSOLE_STORE_IDS', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { CONSOLE_STORE_IDS: SIM_STORES } })));
  afterAll(async () => stack.close());

  it('should find, on its first request and without a token, a product only a store it has not seen lists', async () => {
    const res = await stack.gql<{ product: { id: number; store: { id: number } } | null }, Record<string, never>>(PRODUCT);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.product).toMatchObject({ id: 1438, store: { id: 12 } });
  });

  it('should resolve every line item whose product some list has, and only the id that exists nowhere to null', async () => {
    const res = await stack.gql<LineItems, Record<string, never>>(LINE_ITEMS, {}, { token: stack.tokenFor(3) });
    expect(res.body.errors).toBeUndefined();
    const items = res.body.data!.me.subscriptions.items.flatMap((s) => s.lineItems);
    expect(items.length).toBeGreaterThan(5);
    expect(items.filter((i) => i.product === null).map((i) => i.productId)).toEqual([999999]);
    for (const item of items) if (item.product) expect(item.product.id).toBe(item.productId);
  });

  it('should say how many Console calls a cold lookup of an id that exists nowhere costs', async () => {
    const fresh = await startStack({ env: { CONSOLE_STORE_IDS: SIM_STORES } });
    try {
      const res = await fresh.gql<{ product: null }, Record<string, never>>('{ product(id: 999998) { id } }');
      expect(res.body).toEqual({ data: { product: null } });
      const calls = Object.values(await fresh.stats()).reduce((a, b) => a + b, 0);
      process.stderr.write(`store lookup: a cold search for an unknown id over ${STORES.length} configured stores made ${calls} Console calls\n`);
      // Every page of every store, once: no page twice, nothing else.
      expect((await fresh.stats())['GET /api/v2/products']).toBe(calls);
      const again = await fresh.gql<{ product: null }, Record<string, never>>('{ product(id: 999998) { id } }');
      expect(again.body).toEqual({ data: { product: null } });
      expect(Object.values(await fresh.stats()).reduce((a, b) => a + b, 0)).toBe(calls); // the public cache answers the second
    } finally {
      await fresh.close();
    }
  });
});

describe('a fresh gateway without CONSOLE_STORE_IDS', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack()));
  afterAll(async () => stack.close());

  it('should answer null for a product of a store it has not seen (what the README says null then means), and find it once it has', async () => {
    const before = await stack.gql<{ product: unknown }, Record<string, never>>(PRODUCT);
    expect(before.body).toEqual({ data: { product: null } });
    await stack.gql('{ catalog(storeId: 12) { page } }');
    const after = await stack.gql<{ product: { id: number } | null }, Record<string, never>>(PRODUCT);
    expect(after.body.data?.product?.id).toBe(1438);
  });
});

const redisSuite = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) warnRedisMissing('test/integration/store-lookup.test.ts');

redisSuite('two gateways on one Redis without CONSOLE_STORE_IDS', () => {
  let redis: RunningRedis;
  let simulator: Started;
  const gateways: Array<{ process: Started; url: string }> = [];

  beforeAll(async () => {
    redis = await startRedis();
    simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    for (let i = 0; i < 2; i += 1) gateways.push(await startGatewayProcess({ CONSOLE_URL: simUrl, REDIS_URL: redis.url }));
  }, 30_000);
  afterAll(async () => {
    for (const g of gateways) await g.process.stop();
    await simulator?.stop();
    await redis?.close();
  });

  const ask = async (url: string, query: string) =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<{
      data?: { product?: { id: number } | null };
    }>;

  it('should search, on the second gateway, a store the first one learned', async () => {
    await ask(gateways[0].url, '{ catalog(storeId: 12) { page } }');
    expect(await redis.admin.zrange('flecs-graph:stores:v2', 0, -1)).toContain('12');
    const found = await ask(gateways[1].url, PRODUCT);
    expect(found.data?.product?.id).toBe(1438);
  });
});
