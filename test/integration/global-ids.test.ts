import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Relay's Global Object Identification: `Node.nodeId`, `node(id:)` and `nodes(ids:)` round-trip
 * every Node type (Product, ProductSubscription); a private object is refetched only by its owner;
 * a `nodes` of many products is one batched search; an id that is not ours is BAD_USER_INPUT.
 * Budgets at their defaults: what a client meets.
 */
let stack: Stack;
// Budgets at their defaults, one proxy hop trusted: each test sends from an address of its own, as
// separate clients would (one address's budget of Console calls does not cover this whole file:
// every node operation is charged its declared 33 calls up front).
beforeAll(async () => (stack = await startStack({ budgets: 'default', env: { TRUST_PROXY_HOPS: '1' } })));
afterAll(async () => stack.close());
let address = 0;
beforeEach(() => void (address += 1));
const gql: Stack['gql'] = (doc, variables, options = {}) =>
  stack.gql(doc, variables, { ...options, headers: { ...options.headers, 'x-forwarded-for': `198.51.100.${address}` } });

type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string; argument?: string } }> };

const PRODUCT_FIELDS = 'nodeId id name price';
const SUBSCRIPTION_FIELDS = 'nodeId id status lineItems { id productId }';

describe('global object identification', () => {
  it("should refetch a catalogue product by its nodeId with node and nodes and answer the same object, with ids distinct from another type's same integer", async () => {
    const page = (await gql(`{ catalog(storeId: 7, page: 1) { items { ${PRODUCT_FIELDS} } } }`)).body as Body;
    const items = (page.data!.catalog as { items: Array<{ nodeId: string; id: number }> }).items;
    expect(items.length).toBeGreaterThan(3);
    // One document for several ids: from its third run it takes the compiled path (graphql-jit).
    for (const item of items.slice(0, 4)) {
      const one = (await gql(`query($id: ID!) { node(id: $id) { __typename ... on Product { ${PRODUCT_FIELDS} } } }`, { id: item.nodeId })).body as Body;
      expect(one.errors).toBeUndefined();
      expect(one.data!.node).toEqual({ __typename: 'Product', ...item });
    }
    const many = (await gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Product { ${PRODUCT_FIELDS} } } }`, { ids: items.map((i) => i.nodeId) }))
      .body as Body;
    expect(many.errors).toBeUndefined();
    expect(many.data!.nodes).toEqual(items);
    // Opaque, and not the bare integer: a subscription with the same integer id has another nodeId.
    expect(items[0].nodeId).not.toContain(String(items[0].id));
    expect(new Set(items.map((i) => i.nodeId)).size).toBe(items.length);
  });

  it('should refetch a subscription for its owner only: null for another user and without a token, naming nothing of the owner', async () => {
    const owner = stack.tokenFor(21);
    const mine = (await gql(`{ me { subscriptions { items { ${SUBSCRIPTION_FIELDS} } } } }`, {}, { token: owner })).body as Body;
    const subscriptions = (mine.data!.me as { subscriptions: { items: Array<{ nodeId: string; id: number }> } }).subscriptions.items;
    expect(subscriptions.length).toBeGreaterThan(0);
    const subscription = subscriptions[0];
    const query = `query($id: ID!) { node(id: $id) { __typename nodeId ... on ProductSubscription { ${SUBSCRIPTION_FIELDS} } } }`;
    // Four times: from the third run a document takes the compiled path (graphql-jit), which
    // resolves the abstract type on its own.
    for (let run = 0; run < 4; run += 1) {
      const asOwner = (await gql(query, { id: subscription.nodeId }, { token: owner })).body as Body;
      expect(asOwner.errors).toBeUndefined();
      expect(asOwner.data!.node).toEqual({ __typename: 'ProductSubscription', ...subscription });
    }
    for (const other of [{ token: stack.tokenFor(22) }, {}]) {
      const res = await gql(query, { id: subscription.nodeId }, other);
      expect(res.body).toEqual({ data: { node: null } });
      expect(res.text).not.toContain(String(subscription.id));
    }
  });

  it('should batch the products of a nodes call into the one search that product(id:) makes, and declare its cost', async () => {
    const page = (await gql('{ catalog(storeId: 9, page: 2) { items { nodeId id } } }')).body as Body;
    const ids = (page.data!.catalog as { items: Array<{ nodeId: string }> }).items.map((i) => i.nodeId);
    await stack.resetStats();
    const res = (await gql('query($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }', { ids })).body as Body;
    expect(res.errors).toBeUndefined();
    expect((res.data!.nodes as unknown[]).length).toBe(ids.length);
    // One search for all of them (catalogue pages, each read once), not one search per id.
    const calls = Object.values(await stack.stats()).reduce((a, b) => a + b, 0);
    expect(calls).toBeLessThanOrEqual(30);
    const perId = [];
    for (const id of ids.slice(0, 3)) {
      await stack.resetStats();
      await gql('query($id: ID!) { node(id: $id) { nodeId } }', { id });
      perId.push(Object.values(await stack.stats()).reduce((a, b) => a + b, 0));
    }
    expect(calls).toBeLessThan(perId.reduce((a, b) => a + b, 0) + 1);
  });

  it('should answer BAD_USER_INPUT naming the argument for an id that is not ours, and refuse more than 100 ids', async () => {
    for (const id of [
      '',
      '1442',
      'UHJvZHVjdDox===',
      Buffer.from('Product:-1').toString('base64url'),
      Buffer.from('Store:3').toString('base64url'),
      'x'.repeat(5000),
    ]) {
      const res = (await gql('query($id: ID!) { node(id: $id) { nodeId } }', { id })).body as Body;
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
      expect(JSON.stringify(res)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => Buffer.from(`Product:${i + 1}`).toString('base64url'));
    const res = (await gql('query($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }', { ids: tooMany })).body as Body;
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ids' });
  });

  it('should answer null for a well-formed id of a product that does not exist', async () => {
    const id = Buffer.from('Product:999999999').toString('base64url');
    const res = (await gql('query($id: ID!) { node(id: $id) { nodeId } }', { id })).body as Body;
    expect(res.data).toEqual({ node: null });
  });
});
