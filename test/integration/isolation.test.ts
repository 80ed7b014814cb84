import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LineItemProductsDocument, MyPagesDocument, ProductByIdDocument } from '../generated/graphql.js';
import { PRODUCTS_BY_ID } from '../../src/simulator/catalogue.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Across requests only public answers are shared. Several users' requests run interleaved under
 * load, with the public cache on and a short TTL (so that entries expire, go stale and refresh
 * mid-run): each user must see exactly their own lists, and a product only they own (delisted,
 * so no public catalogue has it) must never reach anyone else.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { PUBLIC_CACHE_TTL_MS: '50', PUBLIC_CACHE_STALE_MS: '100' } });
  // Some latency so that requests overlap inside the gateway and share in-flight calls.
  await stack.fault('GET /api/v2/my/products', { latencyMs: 5 });
  await stack.fault('GET /api/v2/products', { latencyMs: 3 });
});
afterAll(async () => stack.close());

const USERS = [0, 3, 6, 9, 10, 11];

describe('isolation between callers under load', () => {
  it("should never let one user's private products, lists or line items reach another, over 600 interleaved requests", async () => {
    const data = new Map(USERS.map((index) => [index, stack.sim.console.userData(index)]));
    const owns = (index: number, id: number) => data.get(index)!.products.some((p) => p.id === id) || data.get(index)!.apps.some((p) => p.id === id);
    const privateIds = USERS.flatMap((index) =>
      data
        .get(index)!
        .products.filter((p) => p.status === 'private')
        .map((p) => p.id),
    );
    expect(privateIds.length).toBeGreaterThanOrEqual(USERS.length);

    let checked = 0;
    // Bounded by its 50 rounds; the time bound only stops a hung run (a busy runner takes ~25 s).
    const deadline = Date.now() + 100_000;
    for (let round = 0; round < 50 && Date.now() < deadline; round += 1) {
      await Promise.all(
        USERS.map(async (index, i) => {
          const token = stack.tokenFor(index);
          const user = data.get(index)!;
          const foreign = privateIds[(round + i) % privateIds.length];
          const [lines, pages, probe] = await Promise.all([
            stack.gql(LineItemProductsDocument, {}, { token }),
            stack.gql(MyPagesDocument, { page: 1 + (round % 3) }, { token }),
            stack.gql(ProductByIdDocument, { id: foreign }, { token }),
          ]);
          expect(lines.body.errors).toBeUndefined();
          const subs = lines.body.data!.me!.subscriptions!.items;
          expect(subs.map((s) => s.id)).toEqual(user.subscriptions.map((s) => s.order.id));
          for (const li of subs.flatMap((s) => s.lineItems)) {
            if (li.product) expect(li.product.id).toBe(li.productId);
            if (li.product?.status === 'private') expect(owns(index, li.productId)).toBe(true);
          }
          const page = 1 + (round % 3);
          expect(pages.body.data!.me!.products!.items.map((p) => p.id)).toEqual(user.products.slice((page - 1) * 10, page * 10).map((p) => p.id));
          expect(probe.body.data!.product).toEqual(
            owns(index, foreign) ? expect.objectContaining({ id: foreign, name: PRODUCTS_BY_ID.get(foreign)!.name }) : null,
          );
          checked += 3;
        }),
      );
    }
    expect(checked).toBeGreaterThanOrEqual(600);
  }, 120_000);
});
