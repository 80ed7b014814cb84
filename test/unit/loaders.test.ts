import { describe, expect, it } from '@jest/globals';
import { toProductPage } from '../../src/catalog/product.mapper.js';
import { UpstreamError } from '../../src/common/errors.js';
import type { PageArgs } from '../../src/console/console-client.js';
import type { RestProductPage } from '../../src/console/rest-types.js';
import { loadProducts, loadStoreCatalogs } from '../../src/loaders/loaders.js';

/** A stand-in for the per-request ConsoleClient that records its calls (the batch logic is the subject). */
function fakeClient(own: number[] | Error, catalog: number[] | Error) {
  const calls: string[] = [];
  const page = (ids: number[]): RestProductPage => ({ page: 1, totalPages: 1, products: ids.map((id) => ({ id, name: `p${id}` })) });
  const answer = (ids: number[] | Error) => (ids instanceof Error ? Promise.reject(ids) : Promise.resolve(page(ids)));
  return {
    calls,
    myProducts: (args: PageArgs) => (calls.push(`my ${JSON.stringify(args)}`), answer(own)),
    catalog: (args: PageArgs) => (calls.push(`catalog ${JSON.stringify(args)}`), answer(catalog)),
  };
}
const mapPage = (rest: RestProductPage, page: number | undefined) => toProductPage(rest, page);

describe('loadProducts', () => {
  it('should answer in key order and length, own products first, catalogue once for the rest, null for unknown', async () => {
    const client = fakeClient([1, 2], [2, 3]);
    const result = await loadProducts(client, mapPage, [3, 1, 99, 2]);
    expect(result.map((p) => (p === null || p instanceof Error ? p : p.id))).toEqual([3, 1, null, 2]);
    expect(client.calls).toEqual(['my {}', 'catalog {}']);
  });

  it('should not call the catalogue when the user\'s own products cover every id', async () => {
    const client = fakeClient([1, 2], [3]);
    await loadProducts(client, mapPage, [2, 1]);
    expect(client.calls).toEqual(['my {}']);
  });

  it('should put the failure, not null, on ids it could not look up', async () => {
    const failure = new UpstreamError('UPSTREAM_ERROR', 'down', { route: 'GET /api/v2/my/products', status: 500 });
    const result = await loadProducts(fakeClient(failure, [3]), mapPage, [3, 4]);
    expect((result[0] as { id: number }).id).toBe(3);
    expect(result[1]).toBe(failure);
  });
});

describe('loadStoreCatalogs', () => {
  it('should make one call per key, in order, with an Error in the failed key\'s place', async () => {
    const calls: string[] = [];
    const client = {
      catalog: (args: PageArgs) => {
        calls.push(JSON.stringify(args));
        return args.storeId === 2 ? Promise.reject(new Error('boom')) : Promise.resolve({ page: args.page ?? 1, totalPages: 1, products: [] });
      },
    };
    const result = await loadStoreCatalogs(client, mapPage, ['1:', '2:', '3:2']);
    expect(calls).toEqual(['{"storeId":1}', '{"storeId":2}', '{"storeId":3,"page":2}']);
    expect(result[0]).toEqual({ page: 1, totalPages: 1, items: [] });
    expect(result[1]).toBeInstanceOf(Error);
    expect(result[2]).toEqual({ page: 2, totalPages: 1, items: [] });
  });
});
