import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_STORE_ID, publicCatalogue } from '../../src/simulator/catalogue.js';
import { PAGE_SIZE } from '../support/sim-data.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Cursor connections (`first`/`after`, `edges`, `pageInfo`) over the Console's pages: every item
 * exactly once, in the Console's order, whatever the window size, checked against the simulator's
 * own lists; the Console pages each window reads, counted; and cursors that do not belong refused.
 */
let stack: Stack;
beforeAll(async () => (stack = await startStack()));
afterAll(async () => stack.close());

type Window = {
  edges: Array<{ cursor: string; node: { id: number } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number | null;
};
const SELECTION = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';

type Data = { me?: { products?: Window; apps?: Window }; catalog?: Window };
const LISTS = {
  'me.products': { field: (args: string) => `me { products(${args}) { ${SELECTION} } }`, route: 'GET /api/v2/my/products', at: (d: Data) => d.me!.products! },
  'me.apps': { field: (args: string) => `me { apps(${args}) { ${SELECTION} } }`, route: 'GET /api/v2/my/products/apps', at: (d: Data) => d.me!.apps! },
  catalog: { field: (args: string) => `catalog(${args}) { ${SELECTION} }`, route: 'GET /api/v2/products', at: (d: Data) => d.catalog! },
} as const;

async function walk(
  list: keyof typeof LISTS,
  first: number,
  extra = '',
  token?: string,
): Promise<{ ids: number[]; windows: number; callsPerWindow: number[]; last: Window }> {
  const spec = LISTS[list];
  const ids: number[] = [];
  const callsPerWindow: number[] = [];
  let after: string | null = null;
  let last: Window | undefined;
  for (let windows = 1; windows <= 200; windows += 1) {
    await stack.resetStats();
    const args: string = [`first: ${first}`, extra, after ? `after: ${JSON.stringify(after)}` : ''].filter(Boolean).join(', ');
    const res = await stack.gql<Data, Record<string, never>>(`{ ${spec.field(args)} }`, {}, token ? { token } : {});
    expect(res.body.errors).toBeUndefined();
    const window: Window = spec.at(res.body.data!);
    callsPerWindow.push((await stack.stats())[spec.route] ?? 0);
    ids.push(...window.edges.map((e) => e.node.id));
    expect(window.pageInfo.hasPreviousPage).toBe(after !== null);
    last = window;
    if (!window.pageInfo.hasNextPage) return { ids, windows, callsPerWindow, last };
    after = window.pageInfo.endCursor;
  }
  throw new Error('more than 200 windows');
}

describe('forward paging with first/after', () => {
  const demo = () => stack.sim.console.userData(0);

  it.each([1, 7, PAGE_SIZE, 50])("should give the caller's products and apps exactly once, in the Console's order, %p at a time", async (first) => {
    const token = stack.tokenFor(0);
    const products = await walk('me.products', first, '', token);
    expect(products.ids).toEqual(demo().products.map((p) => p.id));
    const apps = await walk('me.apps', first, '', token);
    expect(apps.ids).toEqual(demo().apps.map((p) => p.id));
    // Each window reads the Console pages its items sit on, no more: a window that starts after the
    // last item of a page starts on the next page, without reading that one again.
    const pagesTouched = (offset: number, count: number) => Math.floor((offset + Math.max(count, 1) - 1) / PAGE_SIZE) - Math.floor(offset / PAGE_SIZE) + 1;
    products.callsPerWindow.forEach((calls, w) => {
      const offset = w * first;
      expect(calls).toBeLessThanOrEqual(pagesTouched(offset, Math.min(first, demo().products.length - offset)));
      expect(calls).toBeGreaterThanOrEqual(1);
    });
  });

  it('should walk a private list of 3 Console pages, a page at a time, in 3 Console calls (4 at most)', async () => {
    const token = await stack.returningUser(0);
    expect(Math.ceil(demo().products.length / PAGE_SIZE)).toBe(3);
    const products = await walk('me.products', PAGE_SIZE, '', token);
    expect(products.ids).toEqual(demo().products.map((p) => p.id));
    expect(products.callsPerWindow.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(4);
    expect(products.callsPerWindow).toEqual([1, 1, 1]);
  });

  it.each([
    [DEFAULT_STORE_ID, 7],
    [12, 10],
    [4, 50],
    [2, 1],
  ])("should page store %p's public catalogue %p at a time, exactly once and in order", async (storeId, first) => {
    const catalogue = await walk('catalog', first, `storeId: ${storeId}`);
    expect(catalogue.ids).toEqual(publicCatalogue(storeId).map((p) => p.id));
    expect(catalogue.last.totalCount).toBeNull(); // the Console does not say how many items a list of several pages holds
  });

  it('should read each window from the request memo: the same window twice in one request costs nothing more', async () => {
    await stack.resetStats();
    const res = await stack.gql(
      '{ a: me { products(first: 7) { edges { node { id } } } } b: me { products(first: 7) { edges { node { id } } } } }',
      {},
      { token: stack.tokenFor(0) },
    );
    expect(res.body.errors).toBeUndefined();
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(1);
  });

  it('should give a one-page list its totalCount and no next page', async () => {
    const token = stack.tokenFor(1001); // compact1: every list fits on one page
    const res = await stack.gql(`{ me { apps(first: 50) { ${SELECTION} } } }`, {}, { token });
    const window = (res.body.data as { me: { apps: Window } }).me.apps;
    expect(window.totalCount).toBe(stack.sim.console.userData(1001).apps.length);
    expect(window.pageInfo.hasNextPage).toBe(false);
  });
});

describe('cursors that do not belong', () => {
  it('should refuse a cursor from another user, another store, another list, garbage or another format, without a Console call', async () => {
    // Returning users: their tokens are verified before the cases count Console calls.
    const [user3, user4] = [await stack.returningUser(3), await stack.returningUser(4)];
    const mine = await stack.gql('{ me { products(first: 2) { pageInfo { endCursor } } } }', {}, { token: user3 });
    const myCursor = (mine.body.data as { me: { products: { pageInfo: { endCursor: string } } } }).me.products.pageInfo.endCursor;
    const store = await stack.gql('{ catalog(storeId: 2, first: 2) { pageInfo { endCursor } } }');
    const storeCursor = (store.body.data as { catalog: { pageInfo: { endCursor: string } } }).catalog.pageInfo.endCursor;
    const cases: Array<[string, string, string | undefined]> = [
      ['another user', `me { products(first: 2, after: ${JSON.stringify(myCursor)}) { edges { node { id } } } }`, user4],
      ['another list of the same user', `me { apps(first: 2, after: ${JSON.stringify(myCursor)}) { edges { node { id } } } }`, user3],
      ['another store', `catalog(storeId: 4, first: 2, after: ${JSON.stringify(storeCursor)}) { edges { node { id } } }`, undefined],
      ['garbage', 'catalog(first: 2, after: "not a cursor") { edges { node { id } } }', undefined],
      ['an old format', `catalog(first: 2, after: "${Buffer.from('c0:1:1:abc').toString('base64url')}") { edges { node { id } } }`, undefined],
      ['a forged page', `catalog(first: 2, after: "${Buffer.from('c1:2:0:AAAAAAAAAAAAAAAA').toString('base64url')}") { edges { node { id } } }`, undefined],
    ];
    for (const [name, field, token] of cases) {
      await stack.resetStats();
      const res = await stack.gql(`{ ${field} }`, {}, token ? { token } : {});
      expect({ name, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ name, code: 'BAD_USER_INPUT' });
      expect(res.text).not.toContain('"id"'); // nothing of anyone's list
      expect(await stack.stats()).toEqual({});
    }
  });

  it('should refuse page with first or after, and first out of range', async () => {
    for (const args of ['page: 2, first: 3', 'page: 1, after: "x"', 'first: 51', 'first: -1']) {
      const res = await stack.gql(`{ catalog(${args}) { page } }`);
      expect({ args, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ args, code: 'BAD_USER_INPUT' });
    }
  });
});
