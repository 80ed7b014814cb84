import { describe, expect, it } from '@jest/globals';
import type { PageArgs } from '../../src/console/console-client.js';
import type { RestProductPage } from '../../src/console/rest-types.js';
import { KnownStores, LEARNED_STORE_TTL_MS } from '../../src/loaders/known-stores.js';
import { pageMapper } from '../../src/loaders/loaders.js';
import { PublicSnapshot } from '../../src/loaders/public-snapshot.js';
import { lookupProducts, type LookupDeps } from '../../src/loaders/product-lookup.js';

/**
 * Stores a product search reads: what one caller's private lists reveal is searched for that
 * caller only, never learned for everyone; what is learned from public answers expires.
 */
const page = (products: Array<{ id: number; store: number }>): RestProductPage => ({
  page: 1,
  totalPages: 1,
  products: products.map((p) => ({ id: p.id, name: `p${p.id}`, store: { id: p.store } })),
});

/** The default catalogue is store 1 (product 10); store 7 sells product 70 publicly; the caller owns product 71 of store 7. */
function client(calls: string[], own: Array<{ id: number; store: number }>): LookupDeps['client'] {
  const catalogue = (args: PageArgs) =>
    args.storeId === undefined || args.storeId === 1 ? page([{ id: 10, store: 1 }]) : args.storeId === 7 ? page([{ id: 70, store: 7 }]) : page([]);
  return {
    myProducts: async () => (calls.push('my products'), page(own)),
    myApps: async () => (calls.push('my apps'), page([])),
    catalog: async (args) => (calls.push(`catalog ${args.storeId ?? 0}`), catalogue(args)),
    peekCatalog: async () => undefined,
  };
}

const deps = (c: LookupDeps['client'], knownStores: KnownStores, hasToken: boolean, snapshot?: PublicSnapshot): LookupDeps => ({
  client: c,
  hasToken,
  knownStores,
  ...(snapshot ? { snapshot } : {}),
  limits: { maxPages: 20, maxStores: 25, storeIds: [] },
  mapPage: pageMapper(),
});

describe('stores named by private answers', () => {
  it("should search a store the caller's own products name for that caller, and not learn it for anyone else", async () => {
    const knownStores = new KnownStores();
    const calls: string[] = [];
    // The caller looks for product 70, which store 7 sells; its own product 71 names store 7.
    const mine = await lookupProducts(deps(client(calls, [{ id: 71, store: 7 }]), knownStores, true), [70]);
    expect(mine.map((p) => (p instanceof Error || p === null ? p : p.id))).toEqual([70]);
    expect(calls).toContain('catalog 7');
    expect(knownStores.list()).not.toContain(7);
    expect(knownStores.knows(7)).toBe(false);
    // Another caller's search does not read store 7.
    const others: string[] = [];
    const theirs = await lookupProducts(deps(client(others, []), knownStores, false), [70]);
    expect(theirs).toEqual([null]);
    expect(others).not.toContain('catalog 7');
  });
});

describe("a store only the caller's lists named, kept whole for a few seconds", () => {
  it('should serve the same caller again without reading the store, and still never another caller', async () => {
    const knownStores = new KnownStores();
    const snapshot = new PublicSnapshot(5000);
    const first: string[] = [];
    await lookupProducts(deps(client(first, [{ id: 71, store: 7 }]), knownStores, true, snapshot), [70]);
    expect(first).toContain('catalog 7');
    const again: string[] = [];
    const mine = await lookupProducts(deps(client(again, [{ id: 71, store: 7 }]), knownStores, true, snapshot), [70]);
    expect(mine.map((p) => (p instanceof Error || p === null ? p : p.id))).toEqual([70]);
    expect(again).not.toContain('catalog 7');
    const others: string[] = [];
    expect(await lookupProducts(deps(client(others, []), knownStores, false, snapshot), [70])).toEqual([null]);
    expect(others).not.toContain('catalog 7');
  });
});

describe('learned stores', () => {
  it('should expire a learned store LEARNED_STORE_TTL_MS after it was last seen, and renew it when seen again', () => {
    let now = 1_000_000;
    const stores = new KnownStores([], 1000, undefined, () => now);
    stores.add(5);
    stores.add(6);
    expect(stores.list()).toEqual([5, 6]);
    now += LEARNED_STORE_TTL_MS * 0.75;
    stores.add(6); // seen again past half its time: renewed
    now += LEARNED_STORE_TTL_MS * 0.5;
    expect(stores.list()).toEqual([6]);
    expect(stores.knows(5)).toBe(false);
    now += LEARNED_STORE_TTL_MS;
    expect(stores.list()).toEqual([]);
  });

  it('should hold at most its bound of live stores, and make room as they expire', () => {
    let now = 0;
    const stores = new KnownStores([], 2, undefined, () => now);
    stores.add(1);
    stores.add(2);
    stores.add(3);
    expect(stores.list()).toEqual([1, 2]);
    now += LEARNED_STORE_TTL_MS + 1;
    stores.add(3);
    expect(stores.list()).toEqual([3]);
  });
});
