import { describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../../src/common/errors.js';
import type { PageArgs } from '../../src/console/console-client.js';
import type { RestProductPage } from '../../src/console/rest-types.js';
import { KnownStores } from '../../src/loaders/known-stores.js';
import { loadStoreCatalogs, pageMapper } from '../../src/loaders/loaders.js';
import { lookupProducts, type LookupDeps } from '../../src/loaders/product-lookup.js';

/** Lists as pages of ids; a product's store is the catalogue it is listed in (own lists: store 1). */
interface FakeLists {
  products?: number[][] | Error;
  apps?: number[][];
  /** Keyed by store id; 1 is also the default catalogue (no store_id). */
  stores?: Record<number, number[][]>;
  /** Catalogue pages the public cache already holds, as "storeId:page" (0 = the default catalogue). */
  cached?: string[];
}

/** A stand-in for the per-request ConsoleClient that records its calls (the search logic is the subject). */
function fakeClient(lists: FakeLists) {
  const calls: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const page = (pages: number[][], args: PageArgs, store: number): Promise<RestProductPage> => {
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    const n = args.page ?? 1;
    const rest = { page: n, totalPages: pages.length, products: (pages[n - 1] ?? []).map((id) => ({ id, name: `p${id}`, store: { id: store } })) };
    return new Promise((resolve) => setTimeout(() => ((running -= 1), resolve(rest)), 5));
  };
  const catalogPages = (args: PageArgs) => lists.stores?.[args.storeId ?? 1] ?? [];
  const client: LookupDeps['client'] = {
    myProducts: (args) => {
      calls.push(`my products ${args.page ?? 1}`);
      return lists.products instanceof Error ? Promise.reject(lists.products) : page(lists.products ?? [[]], args, 1);
    },
    myApps: (args) => (calls.push(`my apps ${args.page ?? 1}`), page(lists.apps ?? [[]], args, 1)),
    catalog: (args) => (calls.push(`catalog ${args.storeId ?? 0}:${args.page ?? 1}`), page(catalogPages(args), args, args.storeId ?? 1)),
    peekCatalog: (args) => {
      const key = `${args.storeId ?? 0}:${args.page ?? 1}`;
      calls.push(`peek ${key}`);
      return lists.cached?.includes(key) ? page(catalogPages(args), args, args.storeId ?? 1) : Promise.resolve(undefined);
    },
  };
  return { client, calls, mostAtOnce: () => mostAtOnce };
}

function deps(client: LookupDeps['client'], options: { hasToken?: boolean; maxPages?: number; maxStores?: number; stores?: number[] } = {}): LookupDeps {
  const knownStores = new KnownStores();
  for (const id of options.stores ?? []) knownStores.add(id);
  return {
    client,
    hasToken: options.hasToken ?? true,
    knownStores,
    limits: { maxPages: options.maxPages ?? 20, maxStores: options.maxStores ?? 25, storeIds: [] },
    mapPage: pageMapper(),
  };
}

const ids = (result: Array<{ id: number } | null | Error>) => result.map((p) => (p === null ? null : p instanceof Error ? p.constructor.name : p.id));

describe('lookupProducts', () => {
  it('should answer in key order and length, with null only for ids that no list holds', async () => {
    const fake = fakeClient({ products: [[1, 2]], stores: { 1: [[2, 3]] } });
    const result = await lookupProducts(deps(fake.client), [3, 1, 99, 2]);
    expect(ids(result)).toEqual([3, 1, null, 2]);
  });

  it("should read later pages of the caller's products in parallel once page 1 gives their number", async () => {
    const fake = fakeClient({ products: [[1], [2], [3], [4]] });
    const result = await lookupProducts(deps(fake.client), [4]);
    expect(ids(result)).toEqual([4]);
    const calls = fake.calls.filter((c) => !c.startsWith('peek'));
    expect(calls.slice(0, 2).sort()).toEqual(['my apps 1', 'my products 1']);
    expect(calls.slice(2, 5).sort()).toEqual(['my products 2', 'my products 3', 'my products 4']);
    expect(fake.mostAtOnce()).toBeGreaterThanOrEqual(3);
  });

  it("should find products of other known stores, and stores learned from the caller's own lists", async () => {
    const fake = fakeClient({ products: [[1]], stores: { 1: [[10]], 5: [[50], [51]], 9: [[90]] } });
    const result = await lookupProducts(deps(fake.client, { stores: [5, 9] }), [51, 90, 1]);
    expect(ids(result)).toEqual([51, 90, 1]);
    expect(fake.calls).toContain('catalog 5:2');
  });

  it('should make no call at all when the public cache already holds every id', async () => {
    const fake = fakeClient({ products: [[1]], stores: { 1: [[10], [11]] }, cached: ['0:1', '0:2'] });
    expect(ids(await lookupProducts(deps(fake.client), [11, 10]))).toEqual([11, 10]);
    expect(fake.calls.filter((c) => !c.startsWith('peek'))).toEqual([]);
  });

  it('should keep a complete pass over the cached catalogues as a snapshot, and answer the next searches from it without reading a page', async () => {
    const { PublicSnapshot } = await import('../../src/loaders/public-snapshot.js');
    const fake = fakeClient({ stores: { 1: [[10], [11]], 5: [[50]] }, cached: ['0:1', '0:2', '5:1'] });
    const shared = deps(fake.client, { hasToken: false, stores: [5] });
    shared.snapshot = new PublicSnapshot(5000);
    expect(ids(await lookupProducts(shared, [50, 404]))).toEqual([50, null]);
    expect(fake.calls.sort()).toEqual(['peek 0:1', 'peek 0:2', 'peek 5:1']);
    fake.calls.length = 0;
    expect(ids(await lookupProducts(shared, [11, 404]))).toEqual([11, null]);
    expect(fake.calls).toEqual([]);
  });

  it('should not take a snapshot from a pass that missed a page, and read that page', async () => {
    const { PublicSnapshot } = await import('../../src/loaders/public-snapshot.js');
    const fake = fakeClient({ stores: { 1: [[10], [11]] }, cached: ['0:1'] });
    const shared = deps(fake.client, { hasToken: false });
    shared.snapshot = new PublicSnapshot(5000);
    expect(ids(await lookupProducts(shared, [11]))).toEqual([11]);
    expect(fake.calls).toContain('catalog 0:2');
    expect(shared.snapshot.covering(['catalog'])).toBeUndefined();
  });

  /**
   * A search for a caller who owns a product of store 7, which no public answer has named yet;
   * `learnedMidway`: another request browses store 7 while this search reads its page 1.
   */
  async function storeSevenSearch(learnedMidway: boolean) {
    const { PublicSnapshot } = await import('../../src/loaders/public-snapshot.js');
    const fake = fakeClient({ stores: { 1: [[10]], 7: [[70], [71], [72]] } });
    const base = deps(fake.client);
    const client: LookupDeps['client'] = {
      ...fake.client,
      myProducts: async () => ({ page: 1, totalPages: 1, products: [{ id: 5, name: 'p5', store: { id: 7 } }] }),
      catalog: (args) => {
        const page = fake.client.catalog(args);
        if (learnedMidway && args.storeId === 7 && (args.page ?? 1) === 1) void page.then(() => base.knownStores.add(7));
        return page;
      },
    };
    const search = { ...base, client, snapshot: new PublicSnapshot(5000) };
    expect(ids(await lookupProducts(search, [72, 404]))).toEqual([72, null]);
    return search.snapshot;
  }

  it('should never keep a store whole from a search during which another request learned it (only its page 1 would be kept)', async () => {
    // Learned now, store 7 is searched for everyone: nothing of it is kept for callers who name it.
    expect((await storeSevenSearch(true)).ofStore(7)).toBeUndefined();
  });

  it('should keep a store only the caller named whole once every page was read, for the next caller who names it', async () => {
    expect([...((await storeSevenSearch(false)).ofStore(7)?.keys() ?? [])].sort()).toEqual([70, 71, 72]);
  });

  it('should answer null for product ids below 1 (custom or deleted lines) without reading a page', async () => {
    const fake = fakeClient({ products: [[1], [2], [3]], stores: { 1: [[10]] } });
    // With LOOKUP_MAX_PAGES 2 a search for them would also have been cut short: LOOKUP_INCOMPLETE.
    expect(ids(await lookupProducts(deps(fake.client, { maxPages: 2 }), [0, -4, 0]))).toEqual([null, null, null]);
    expect(fake.calls).toEqual([]);
    // Next to a real id, only what that id needs is read.
    expect(ids(await lookupProducts(deps(fake.client), [0, 1]))).toEqual([null, 1]);
    expect(fake.calls.filter((c) => !c.startsWith('peek')).sort()).toEqual(['my apps 1', 'my products 1']);
  });

  it("should not read the caller's lists without a token", async () => {
    const fake = fakeClient({ products: [[1]], stores: { 1: [[10]] } });
    expect(ids(await lookupProducts(deps(fake.client, { hasToken: false }), [1, 10]))).toEqual([null, 10]);
    expect(fake.calls.filter((c) => !c.startsWith('peek'))).toEqual(['catalog 0:1']);
  });

  it('should answer LOOKUP_INCOMPLETE, not null, when a list has more pages than LOOKUP_MAX_PAGES', async () => {
    const fake = fakeClient({ products: [[1], [2], [3]], stores: { 1: [[10]] } });
    const result = await lookupProducts(deps(fake.client, { maxPages: 2 }), [2, 3]);
    expect(ids(result)).toEqual([2, 'LookupIncompleteError']);
    expect((result[1] as Error & { extensions: Record<string, unknown> }).extensions.code).toBe('LOOKUP_INCOMPLETE');
    expect(fake.calls).not.toContain('my products 3');
  });

  it('should answer LOOKUP_INCOMPLETE when more stores are known than LOOKUP_MAX_STORES', async () => {
    const fake = fakeClient({ stores: { 1: [[10]], 2: [[20]], 3: [[30]] } });
    const result = await lookupProducts(deps(fake.client, { hasToken: false, maxStores: 2, stores: [2, 3] }), [20, 30]);
    expect(ids(result)).toEqual([20, 'LookupIncompleteError']);
  });

  it("should put a failed list's error, not null, on ids it could not look up", async () => {
    const failure = new UpstreamError('UPSTREAM_ERROR', 'down', { route: 'GET /api/v2/my/products', status: 500 });
    const fake = fakeClient({ products: failure, stores: { 1: [[3]] } });
    const result = await lookupProducts(deps(fake.client), [3, 4]);
    expect(ids(result)).toEqual([3, 'UpstreamError']);
    expect(result[1]).toBe(failure);
  });

  it('should not let a failing store fail every search: the missing id is LOOKUP_INCOMPLETE naming the store, which is then left out for a while (issue 23.5)', async () => {
    const fake = fakeClient({ stores: { 1: [[3]], 2: [[5]] } });
    const broken: LookupDeps['client'] = {
      ...fake.client,
      catalog: (args) =>
        args.storeId === 9
          ? (fake.calls.push('catalog 9:1'), Promise.reject(new UpstreamError('UPSTREAM_ERROR', 'gone', { route: 'GET /api/v2/products', status: 500 })))
          : fake.client.catalog(args),
    };
    const d = deps(broken, { stores: [2, 9], hasToken: false });
    const first = await lookupProducts(d, [5, 999]);
    expect(ids(first)).toEqual([5, 'LookupIncompleteError']);
    expect((first[1] as Error).message).toContain('store 9');
    expect((first[1] as unknown as { extensions: { code: string } }).extensions.code).toBe('LOOKUP_INCOMPLETE');
    // The next search does not call the failing store again, and still says it could not look there.
    fake.calls.length = 0;
    const second = await lookupProducts(d, [999]);
    expect(fake.calls.filter((c) => c.startsWith('catalog 9'))).toEqual([]);
    expect(ids(second)).toEqual(['LookupIncompleteError']);
    expect((second[0] as Error).message).toContain('store 9');
  });

  it('should search configured stores first, in their order, and never twice', async () => {
    const stores = new KnownStores([7, 2]);
    stores.add(2);
    stores.add(4);
    expect(stores.list()).toEqual([7, 2, 4]);
  });
});

describe('loadStoreCatalogs', () => {
  it("should make one call per key, in order, with an Error in the failed key's place", async () => {
    const calls: string[] = [];
    const client = {
      catalog: (args: PageArgs) => {
        calls.push(JSON.stringify(args));
        return args.storeId === 2 ? Promise.reject(new Error('boom')) : Promise.resolve({ page: args.page ?? 1, totalPages: 1, products: [] });
      },
    };
    const result = await loadStoreCatalogs(client, ['1:', '2:', '3:2'], pageMapper());
    expect(calls).toEqual(['{"storeId":1}', '{"storeId":2}', '{"storeId":3,"page":2}']);
    // Each page carries its cursor scope (the store's public catalogue) beside the contract's fields.
    expect(result[0]).toMatchObject({ page: 1, totalPages: 1, items: [], cursorScope: { list: 'catalog', storeId: 1, owner: '' } });
    expect(result[1]).toBeInstanceOf(Error);
    expect(result[2]).toMatchObject({ page: 2, totalPages: 1, items: [] });
  });
});

describe('pageMapper', () => {
  it('should map a page once per request and forget it on clear (the request released what it read)', () => {
    const mapPage = pageMapper();
    const rest: RestProductPage = { page: 1, totalPages: 1, products: [{ id: 7, name: 'seven' }] };
    const first = mapPage(rest, undefined);
    expect(mapPage(rest, undefined)).toBe(first);
    expect(first.items.map((p) => p.id)).toEqual([7]);
    mapPage.clear();
    const again = mapPage(rest, undefined);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
