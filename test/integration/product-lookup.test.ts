import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LineItemProductsDocument, ProductByIdDocument } from '../generated/graphql.js';
import { DEFAULT_STORE_ID, DELISTED_PRODUCTS, PRODUCTS_BY_ID, STORES, UNKNOWN_PRODUCT_ID, publicCatalogue } from '../../src/simulator/catalogue.js';
import type { SimProduct } from '../../src/simulator/rest-records.js';
import { PAGE_SIZE } from '../support/sim-data.js';
import { codesByPath, startStack, type Stack } from '../support/stack.js';

/**
 * Product lookup on realistic data: every page, every store, the caller's own lists, and its bounds.
 * The Console lists no stores, so the gateway is told them (CONSOLE_STORE_IDS), as docs/configuration.md says
 * to: stores it would otherwise learn only from other users' private lists are never learned.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { CONSOLE_STORE_IDS: STORES.map((s) => s.id).join(',') } });
});
afterAll(async () => stack.close());

const shown = (p: SimProduct) => ({ id: p.id, name: p.name, price: p.price, status: p.status, store: { id: p.store.id, name: p.store.name } });

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe('LineItem.product on realistic data', () => {
  it('should give the demo user line items on later pages, on apps only /my/products/apps lists, in other stores and nowhere', () => {
    const demo = stack.sim.console.userData(0);
    const own = new Set(demo.products.map((p) => p.id));
    const laterPages = new Set(demo.products.slice(PAGE_SIZE).map((p) => p.id));
    const appsOnly = new Set(demo.apps.filter((a) => !own.has(a.id)).map((a) => a.id));
    const ids = demo.subscriptions.flatMap((s) => s.order.line_items.map((li) => li.product_id));
    expect(ids.some((id) => laterPages.has(id))).toBe(true);
    expect(ids.some((id) => appsOnly.has(id))).toBe(true);
    expect(ids.some((id) => !own.has(id) && PRODUCTS_BY_ID.has(id) && PRODUCTS_BY_ID.get(id)!.store.id !== DEFAULT_STORE_ID)).toBe(true);
    expect(ids.some((id) => DELISTED_PRODUCTS.some((d) => d.id === id))).toBe(true);
    expect(ids).toContain(UNKNOWN_PRODUCT_ID);
  });

  it("should resolve every line item of demo and 50 other users to the Console's own product, and only the id that exists nowhere to null", async () => {
    const users = [0, ...Array.from({ length: 50 }, (_, i) => 1 + i * 19)];
    let lineItems = 0;
    await inBatches(users, 8, async (index) => {
      const res = await stack.gql(LineItemProductsDocument, {}, { token: stack.tokenFor(index) });
      expect(res.body.errors).toBeUndefined();
      for (const item of res.body.data!.me!.subscriptions!.items.flatMap((s) => s.lineItems)) {
        lineItems += 1;
        const record = PRODUCTS_BY_ID.get(item.productId);
        if (record === undefined) expect([item.productId, item.product]).toEqual([UNKNOWN_PRODUCT_ID, null]);
        else expect(item.product).toEqual(shown(record));
      }
    });
    expect(lineItems).toBeGreaterThan(51 * 10);
  });
});

describe('Query.product', () => {
  it("should find any store's public product without a token, on any page", async () => {
    const last = publicCatalogue(12).at(-1)!;
    const res = await stack.gql(ProductByIdDocument, { id: last.id });
    expect(res.body).toEqual({ data: { product: shown(last) } });
  });

  it("should find the caller's delisted product with their token, and never for anyone else", async () => {
    const demo = stack.sim.console.userData(0);
    const delisted = demo.products.find((p) => p.status === 'private')!;
    const mine = await stack.gql(ProductByIdDocument, { id: delisted.id }, { token: stack.tokenFor(0) });
    expect(mine.body).toEqual({ data: { product: shown(delisted) } });
    const anonymous = await stack.gql(ProductByIdDocument, { id: delisted.id });
    expect(anonymous.body).toEqual({ data: { product: null } });
  });

  it('should answer null for an id that exists nowhere, and BAD_USER_INPUT for one below 1, before any call', async () => {
    expect((await stack.gql(ProductByIdDocument, { id: UNKNOWN_PRODUCT_ID })).body).toEqual({ data: { product: null } });
    await stack.resetStats();
    const bad = await stack.gql(ProductByIdDocument, { id: 0 });
    expect(codesByPath(bad.body)).toEqual({ product: 'BAD_USER_INPUT' });
    expect(await stack.stats()).toEqual({});
  });
});

describe('a search cut short by its bound', () => {
  it('should answer LOOKUP_INCOMPLETE on the line items it could not settle, and still resolve the rest', async () => {
    const bounded = await startStack({ env: { LOOKUP_MAX_PAGES: '1' } });
    try {
      const demo = bounded.sim.console.userData(0);
      const res = await bounded.gql(LineItemProductsDocument, {}, { token: bounded.tokenFor(0) });
      const codes = codesByPath(res.body);
      const items = res.body.data!.me!.subscriptions!.items;
      const firstPage = new Set(demo.products.slice(0, PAGE_SIZE).map((p) => p.id));
      items.forEach((s, i) =>
        s.lineItems.forEach((li, j) => {
          const path = `me.subscriptions.items.${i}.lineItems.${j}.product`;
          if (firstPage.has(li.productId)) expect(li.product).toEqual(shown(PRODUCTS_BY_ID.get(li.productId)!));
          if (li.product === null) expect(codes[path]).toBe('LOOKUP_INCOMPLETE');
        }),
      );
      expect(Object.values(codes)).toContain('LOOKUP_INCOMPLETE');
      // Each one names the product it could not settle (docs/errors.md).
      for (const error of res.body.errors ?? []) {
        const [, i, , j] = (error.path ?? []).slice(2) as [string, number, string, number];
        expect(error.extensions?.productId).toBe(items[i].lineItems[j].productId);
      }
    } finally {
      await bounded.close();
    }
  });
});
