import DataLoader from 'dataloader';
import { toProductPage } from '../catalog/product.mapper.js';
import type { ProductPage } from '../catalog/product-page.type.js';
import type { Product } from '../catalog/product.type.js';
import type { ConsoleClient, PageArgs } from '../console/console-client.js';
import type { RestProductPage } from '../console/rest-types.js';
import type { SharedServices } from '../services.js';
import { lookupProducts } from './product-lookup.js';

export interface Loaders {
  /** A product by id: the caller's products and apps, then the public catalogues; null when none has it. */
  productById: DataLoader<number, Product | null>;
  /** A store's public catalogue page, keyed by (storeId, page). */
  storeCatalog: DataLoader<string, ProductPage>;
  /** Maps an upstream page once, however many fields (and, for cached public pages, requests) read it. */
  mapPage(rest: RestProductPage, requestedPage: number | undefined): ProductPage;
}

export function storeCatalogKey(storeId: number, page: number | undefined): string {
  return `${storeId}:${page ?? ''}`;
}

/**
 * A pure function's results by the identity of its input. Public pages held by the in-process
 * cache are the same objects in every request, so each is mapped once, not once per request;
 * a private page is a new object in every request, so its entry is reachable from that request
 * only, and goes with it.
 */
const mappedPages = new WeakMap<RestProductPage, ProductPage>();

export function mapPage(rest: RestProductPage, requestedPage: number | undefined): ProductPage {
  let page = mappedPages.get(rest);
  if (page === undefined) {
    page = toProductPage(rest, requestedPage);
    mappedPages.set(rest, page);
  }
  return page;
}

/**
 * Built when a request begins, from that request's ConsoleClient: one user's loader never serves
 * another, and a failure cached here dies with the request.
 */
export function createLoaders(client: ConsoleClient, services: Pick<SharedServices, 'knownStores' | 'lookup' | 'publicSnapshot'>, hasToken: boolean): Loaders {
  return {
    mapPage,
    productById: new DataLoader((ids) =>
      lookupProducts({ client, hasToken, knownStores: services.knownStores, snapshot: services.publicSnapshot, limits: services.lookup, mapPage }, ids),
    ),
    storeCatalog: new DataLoader((keys) => loadStoreCatalogs(client, keys)),
  };
}

export async function loadStoreCatalogs(client: Pick<ConsoleClient, 'catalog'>, keys: readonly string[]): Promise<Array<ProductPage | Error>> {
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
