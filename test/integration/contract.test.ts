import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AppCatalogDocument,
  DashboardDocument,
  LoginDocument,
  MyPagesDocument,
  ProductFieldsDocument,
  StoreCatalogDocument,
  ValidateTokenDocument,
} from '../generated/graphql.js';
import { DEFAULT_STORE_ID, PRODUCTS, PRODUCTS_BY_ID, UNKNOWN_PRODUCT_ID, isApp, publicCatalogue } from '../../src/simulator/catalogue.js';
import type { SimProduct } from '../../src/simulator/rest-records.js';
import { startStack, type Stack } from '../support/stack.js';

/** Every root field and every nested field, over HTTP, against the simulator's own records. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.close());

/** What the contract says a Console product record becomes, written out field by field. */
function expectedProduct(p: SimProduct) {
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    description: p.description,
    shortDescription: p.short_description,
    averageRating: p.average_rating === '' ? null : Number(p.average_rating),
    ratingCount: p.rating_count,
    categories: p.categories.map((c) => ({ id: c.id, name: c.name, slug: c.slug })),
    attributes: p.attributes.map((a) => ({ id: a.id, name: a.name, options: a.options })),
    metaData: p.meta_data.map((m) => ({ id: m.id, key: m.key ?? m.name, value: m.value })),
    stockStatus: p.stock_status,
    permalink: p.permalink,
    price: p.price,
    purchasable: p.purchasable,
    store: {
      id: p.store.id,
      name: p.store.name,
      shopName: p.store.shop_name,
      url: p.store.url,
      address: {
        street1: p.store.address.street_1,
        street2: p.store.address.street_2,
        city: p.store.address.city,
        zip: p.store.address.zip,
        country: p.store.address.country,
        state: p.store.address.state,
      },
    },
  };
}

describe('the GraphQL contract against the simulator', () => {
  it('should map every field of every catalogue product on a page', async () => {
    const res = await stack.gql(ProductFieldsDocument, { storeId: 2, page: 2 });
    expect(res.body.errors).toBeUndefined();
    const store = publicCatalogue(2);
    expect(res.body.data?.catalog).toEqual({ page: 2, totalPages: Math.ceil(store.length / 10), items: store.slice(10, 20).map(expectedProduct) });
  });

  it('should answer the default store when catalog has no storeId, and an empty page past the end', async () => {
    const first = await stack.gql(ProductFieldsDocument, {});
    const store = publicCatalogue(DEFAULT_STORE_ID);
    expect(first.body.data?.catalog?.items.map((p) => p.id)).toEqual(store.slice(0, 10).map((p) => p.id));
    const past = await stack.gql(ProductFieldsDocument, { page: 9 });
    expect(past.body.data?.catalog).toEqual({ page: 9, totalPages: Math.ceil(store.length / 10), items: [] });
  });

  it("should list a store's apps in appCatalog with their total", async () => {
    const res = await stack.gql(AppCatalogDocument, { storeId: 3 });
    const apps = PRODUCTS.filter((p) => p.store.id === 3 && isApp(p));
    expect(res.body.data?.appCatalog).toEqual({
      total: apps.length,
      items: apps.map((p) => ({ id: p.id, name: p.name, categories: p.categories.map((c) => ({ slug: c.slug })), store: { id: 3 } })),
    });
  });

  it('should log in and return token, expiry, user and flags', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await stack.gql(LoginDocument, { username: 'user7', password: 'password' });
    expect(res.body.errors).toBeUndefined();
    const login = res.body.data!.login;
    expect(login.user).toEqual({ id: 1007, login: 'user7', displayName: 'User 7', email: 'user7@example.com' });
    expect(login.featureFlags).toEqual({ isVendor: false, isWhitelabeled: false });
    const expires = Date.parse(login.expiresAt) / 1000;
    expect(expires).toBeGreaterThanOrEqual(before + 86_400);
    expect(expires).toBeLessThanOrEqual(before + 86_400 + 5);
    expect(login.token.split('.')).toHaveLength(3);
  });

  it('should validate a good token with its flags and refuse a tampered one', async () => {
    const token = stack.tokenFor(4);
    const good = await stack.gql(ValidateTokenDocument, { token });
    expect(good.body.data?.validateToken).toEqual({ isValid: true, featureFlags: { isVendor: true, isWhitelabeled: false } });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const bad = await stack.gql(ValidateTokenDocument, { token: tampered });
    expect(bad.body.data?.validateToken).toEqual({ isValid: false, featureFlags: null });
  });

  it("should answer the dashboard with the demo user's products, apps, subscriptions and flags", async () => {
    const res = await stack.gql(DashboardDocument, {}, { token: stack.tokenFor(0) });
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data!.me!;
    const demo = stack.sim.console.userData(0);
    expect(me.featureFlags).toEqual({ isVendor: true, isWhitelabeled: false });
    expect(me.products).toEqual({
      page: 1,
      totalPages: Math.ceil(demo.products.length / 10),
      items: demo.products.slice(0, 10).map((p) => ({ id: p.id, name: p.name, price: p.price, store: { id: p.store.id, name: p.store.name } })),
    });
    expect(new Set(demo.products.map((p) => p.store.id)).size).toBeGreaterThanOrEqual(3);
    expect(me.apps?.items).toEqual(demo.apps.slice(0, 10).map((p) => ({ id: p.id, name: p.name })));
    expect(me.subscriptions?.total).toBe(demo.subscriptions.length);
    const known = PRODUCTS_BY_ID;
    expect(me.subscriptions?.items).toEqual(
      demo.subscriptions.map(({ order }) => ({
        id: order.id,
        status: order.status,
        customerId: 42,
        billing: { firstName: 'Demo', lastName: 'User', company: order.billing.company, email: 'demo@example.com' },
        lineItems: order.line_items.map((li) => ({
          id: li.id,
          status: li.status,
          productId: li.product_id,
          variationId: 0,
          quantity: li.quantity,
          image: li.image,
          product: known.has(li.product_id) ? { id: li.product_id, name: known.get(li.product_id)!.name } : null,
        })),
      })),
    );
    const lineItems = me.subscriptions!.items.flatMap((s) => s.lineItems);
    const own = new Set(demo.products.map((p) => p.id));
    expect(lineItems.some((li) => li.product !== null && !own.has(li.productId))).toBe(true);
    expect(lineItems.filter((li) => li.product === null).map((li) => li.productId)).toEqual([UNKNOWN_PRODUCT_ID]);
  });

  it("should forward storeId and page on the viewer's lists", async () => {
    const demo = stack.sim.console.userData(0);
    const res = await stack.gql(MyPagesDocument, { storeId: 3 }, { token: stack.tokenFor(0) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.me?.products?.items).toEqual(demo.products.filter((p) => p.store.id === 3).map((p) => ({ id: p.id, store: { id: 3 } })));
    expect(res.body.data?.me?.apps?.items.every((p) => p.store?.id === 3)).toBe(true);
    const subs = demo.subscriptions.filter((s) => s.storeId === 3).map((s) => ({ id: s.order.id, customerId: 42 }));
    expect(res.body.data?.me?.subscriptions).toEqual({ total: subs.length, items: subs });

    const page2 = await stack.gql(MyPagesDocument, { page: 2 }, { token: stack.tokenFor(0) });
    expect(page2.body.data?.me?.products?.page).toBe(2);
    expect(page2.body.data?.me?.products?.items.map((p) => p.id)).toEqual(demo.products.slice(10, 20).map((p) => p.id));
  });

  it("should resolve Store.catalog to that store's own catalogue page", async () => {
    const res = await stack.gql(StoreCatalogDocument, { page: 3 }, { token: stack.tokenFor(0) });
    expect(res.body.errors).toBeUndefined();
    for (const product of res.body.data!.me!.products!.items) {
      const storeId = product.store!.id;
      const store = publicCatalogue(storeId);
      const expected = store.slice(20, 30).map((p) => ({ id: p.id, store: { id: storeId } }));
      expect(product.store!.catalog).toEqual({ page: 3, totalPages: Math.ceil(store.length / 10), items: expected });
    }
  });
});
