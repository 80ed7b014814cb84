import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Whole public answers from the answer cache (ANSWER_CACHE_MAX_BYTES): a hot public operation is
 * answered from the bytes of its last answer, the same bytes, with or without a token; never an
 * operation with a private field or a token-dependent root; gone once the public Console data it
 * was built from is no longer fresh. Budgets at their defaults.
 */
const CATALOG = 'query Window($store: Int!, $page: Int) { catalog(storeId: $store, page: $page) { page items { id name price store { id } } } }';
const DASHBOARD = '{ me { products { items { id } } subscriptions { items { id customerId billing { email } } } } }';

let stack: Stack;
let metricsUrl: string;
beforeAll(async () => {
  stack = await startStack({ budgets: 'default', env: { NODE_ENV: 'production', PUBLIC_CACHE_TTL_MS: '1500', PUBLIC_CACHE_STALE_MS: '500' } });
  metricsUrl = stack.gateway.metricsUrl;
});
afterAll(async () => stack.close());

async function events(): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const out: Record<string, number> = { hit: 0, stale: 0, miss: 0 };
  for (const m of text.matchAll(/^flecs_graph_answer_cache_events_total\{event="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Sends `send` until the answer cache serves it (a document takes the prepared path after its first runs); the answers' texts. */
async function warm(send: () => Promise<string>): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    const before = (await events()).hit;
    texts.push(await send());
    if ((await events()).hit > before) return texts;
  }
  throw new Error('never answered from the answer cache');
}

const consoleCalls = async () => Object.values(await stack.stats()).reduce((a, b) => a + b, 0);

describe('whole public answers from cache', () => {
  it('should answer a hot public query from the bytes of its last answer, with and without a token, making no Console call', async () => {
    const variables = { store: 4, page: 2 };
    const [first] = await warm(async () => (await stack.gql(CATALOG, variables)).text);
    const before = await events();
    await stack.resetStats();
    const anonymous = await stack.gql(CATALOG, variables);
    const withToken = await stack.gql(CATALOG, variables, { token: stack.tokenFor(3) });
    const after = await events();
    expect(after.hit - before.hit).toBe(2);
    expect(anonymous.text).toBe(first);
    expect(withToken.text).toBe(first);
    // The token's own verification is the only Console call.
    expect(await stack.stats()).toEqual({ 'POST /api/v2/auth/validate': 1 });
    // Headers are the request's own: public for the anonymous caller, private with a token.
    expect(anonymous.headers.get('cache-control')).toMatch(/^public/);
    expect(withToken.headers.get('cache-control')).toBe('private, no-store');
    // Other variables are another answer.
    const other = await stack.gql(CATALOG, { store: 4, page: 3 });
    expect(other.text).not.toBe(first);
    expect(JSON.parse(other.text)).toMatchObject({ data: { catalog: { page: 3 } } });
  });

  it('should send a cached answer as the UTF-8 bytes of a fresh one, non-ASCII text included, with their length', async () => {
    // Store 2's address is in Hamburg's Hafenstraße: the kept bytes must be UTF-8, not the text's own encoding.
    const STORE = 'query Address($store: Int!) { catalog(storeId: $store) { items { id store { id address { street1 city } } } } }';
    const raw = async () => {
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: STORE, variables: { store: 2 } }),
      });
      return { bytes: Buffer.from(await res.arrayBuffer()), length: res.headers.get('content-length') };
    };
    const fresh = await raw();
    expect(fresh.bytes.toString('utf8')).toContain('Hafenstraße');
    await warm(async () => (await raw()).bytes.toString('utf8'));
    const before = (await events()).hit;
    const cached = await raw();
    expect((await events()).hit - before).toBe(1);
    expect(cached.bytes.equals(fresh.bytes)).toBe(true);
    expect(cached.length).toBe(String(fresh.bytes.length));
  });

  it('should give a cached answer its ETag and a 304, and compress it as it would any answer', async () => {
    const url = `${stack.gateway.url}?query=${encodeURIComponent('{ catalog(storeId: 2, page: 1) { page items { id name } } }')}`;
    await warm(async () => (await fetch(url)).text());
    const before = await events();
    const plain = await fetch(url);
    const body = await plain.text();
    const etag = plain.headers.get('etag');
    expect(etag).toMatch(/^W\//);
    const notModified = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(notModified.status).toBe(304);
    const gzipped = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(await gzipped.text()).toBe(body); // fetch decodes it
    expect((await events()).hit - before.hit).toBe(3);
  });

  it('should never keep an answer with a private field or a token-dependent root, under concurrent users', async () => {
    const users = Array.from({ length: 8 }, (_, i) => ({ n: 40 + i, token: stack.tokenFor(40 + i) }));
    const productWithToken = '{ product(id: 1205) { id name } }';
    const before = await events();
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        users.map(async ({ n, token }) => {
          const [mine, product] = await Promise.all([stack.gql(DASHBOARD, {}, { token }), stack.gql(productWithToken, {}, { token })]);
          const subscriptions = (mine.body.data as { me: { subscriptions: { items: Array<{ customerId: number; billing: { email: string } }> } } }).me
            .subscriptions.items;
          for (const s of subscriptions) {
            expect(s.customerId).toBe(1000 + n);
            expect(s.billing.email).toBe(`user${n}@example.com`);
          }
          expect(product.body.errors).toBeUndefined();
        }),
      );
    }
    // Neither `me` nor `product` with a token went near the answer cache.
    expect(await events()).toEqual(before);
  });

  it('should stop serving an answer once the public data it was built from is no longer fresh, and rebuild it from the Console', async () => {
    const variables = { store: 6, page: 1 };
    await warm(async () => (await stack.gql(CATALOG, variables)).text);
    // Past the public cache's TTL (1.5 s) and stale window (0.5 s): the answer and its data are gone.
    await new Promise((r) => setTimeout(r, 2200));
    const before = await events();
    await stack.resetStats();
    await stack.gql(CATALOG, variables);
    expect((await events()).miss - before.miss).toBe(1);
    expect(await consoleCalls()).toBeGreaterThan(0);
    // Rebuilt: the next one is a hit again, with no Console call.
    await stack.resetStats();
    const again = await events();
    await stack.gql(CATALOG, variables);
    expect((await events()).hit - again.hit).toBe(1);
    expect(await consoleCalls()).toBe(0);
  }, 20_000);
});
