import DataLoader from 'dataloader';
import { toProductPage } from '../catalog/product.mapper.js';
import type { ProductPage } from '../catalog/product-page.type.js';
import type { Product } from '../catalog/product.type.js';
import type { ConsoleClient, PageArgs } from '../console/console-client.js';
import type { RestProductPage } from '../console/rest-types.js';

export interface Loaders {
  /** A line item's product: the caller's own products first, then the public catalogue; null when unknown. */
  productById: DataLoader<number, Product | null>;
  /** A store's public catalogue page, keyed by (storeId, page). */
  storeCatalog: DataLoader<string, ProductPage>;
  /** Maps an upstream page once per request, however many fields read it. */
  mapPage(rest: RestProductPage, requestedPage: number | undefined): ProductPage;
}

export function storeCatalogKey(storeId: number, page: number | undefined): string {
  return `${storeId}:${page ?? ''}`;
}

/**
 * Built when a request begins, from that request's ConsoleClient: one user's loader never serves
 * another, and a failure cached here dies with the request.
 */
export function createLoaders(client: ConsoleClient): Loaders {
  const mapped = new WeakMap<RestProductPage, ProductPage>();
  const mapPage = (rest: RestProductPage, requestedPage: number | undefined): ProductPage => {
    let page = mapped.get(rest);
    if (page === undefined) {
      page = toProductPage(rest, requestedPage);
      mapped.set(rest, page);
    }
    return page;
  };
  return {
    mapPage,
    productById: new DataLoader((ids) => loadProducts(client, mapPage, ids)),
    storeCatalog: new DataLoader((keys) => loadStoreCatalogs(client, mapPage, keys)),
  };
}

/**
 * One call for the caller's products (shared with `me.products` through the client's memo), then
 * one call to the public catalogue only for ids still missing. Never one call per line item.
 */
export async function loadProducts(
  client: Pick<ConsoleClient, 'myProducts' | 'catalog'>,
  mapPage: Loaders['mapPage'],
  ids: readonly number[],
): Promise<Array<Product | null | Error>> {
  const found = new Map<number, Product>();
  let ownFailure: Error | undefined;
  try {
    for (const product of mapPage(await client.myProducts({}), undefined).items) found.set(product.id, product);
  } catch (error) {
    ownFailure = error as Error;
  }
  let catalogFailure: Error | undefined;
  if (ids.some((id) => !found.has(id))) {
    try {
      for (const product of mapPage(await client.catalog({}), undefined).items) {
        if (!found.has(product.id)) found.set(product.id, product);
      }
    } catch (error) {
      catalogFailure = error as Error;
    }
  }
  // Unknown only when both sources answered; otherwise the failure explains the gap.
  const failure = ownFailure ?? catalogFailure;
  return ids.map((id) => found.get(id) ?? failure ?? null);
}

export async function loadStoreCatalogs(
  client: Pick<ConsoleClient, 'catalog'>,
  mapPage: Loaders['mapPage'],
  keys: readonly string[],
): Promise<Array<ProductPage | Error>> {
  return Promise.all(
    keys.map(async (key) => {
      const [store, page] = key.split(':');
      const args: PageArgs = { storeId: Number(store), ...(page ? { page: Number(page) } : {}) };
      try {
        return mapPage(await client.catalog(args), args.page);
      } catch (error) {
        return error as Error;
      }
    }),
  );
}
