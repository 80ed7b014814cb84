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
  /** Maps an upstream page once, however many fields read it. */
  mapPage: (rest: RestProductPage, requestedPage: number | undefined) => ProductPage;
  /** Forgets every page, product and batch result this request's loaders hold (see `releaseContext`). */
  release(): void;
}

export function storeCatalogKey(storeId: number, page: number | undefined): string {
  return `${storeId}:${page ?? ''}`;
}

/**
 * Maps each upstream page once per request, however many fields read it. Per request on purpose:
 * a map shared across requests (a WeakMap by page) made V8 keep every private page, and all it
 * reached, alive through young collections (ephemeron entries are not weak there) until the
 * next full collection, so most of each request was promoted to the old generation.
 */
export function pageMapper(): Loaders['mapPage'] & { clear(): void } {
  const mapped = new Map<RestProductPage, ProductPage>();
  const map = (rest: RestProductPage, requestedPage: number | undefined): ProductPage => {
    let page = mapped.get(rest);
    if (page === undefined) {
      page = toProductPage(rest, requestedPage);
      mapped.set(rest, page);
    }
    return page;
  };
  return Object.assign(map, { clear: () => mapped.clear() });
}

/**
 * Built when a request begins, from that request's ConsoleClient: one user's loader never serves
 * another, and a failure cached here dies with the request.
 */
export function createLoaders(client: ConsoleClient, services: Pick<SharedServices, 'knownStores' | 'lookup' | 'publicSnapshot'>, hasToken: boolean): Loaders {
  const mapPage = pageMapper();
  const productById = new DataLoader((ids: readonly number[]) =>
    lookupProducts({ client, hasToken, knownStores: services.knownStores, snapshot: services.publicSnapshot, limits: services.lookup, mapPage }, ids),
  );
  const storeCatalog = new DataLoader((keys: readonly string[]) => loadStoreCatalogs(client, keys, mapPage));
  return {
    mapPage,
    productById,
    storeCatalog,
    release() {
      mapPage.clear();
      productById.clearAll();
      storeCatalog.clearAll();
    },
  };
}

export async function loadStoreCatalogs(
  client: Pick<ConsoleClient, 'catalog'>,
  keys: readonly string[],
  mapPage: Loaders['mapPage'],
): Promise<Array<ProductPage | Error>> {
  return Promise.all(
    keys.map(async (key) => {
      const [store, page] = key.split(':');
      const args: PageArgs = { storeId: Number(store), ...(page ? { page: Number(page) } : {}) };
      try {
        return { ...mapPage(await client.catalog(args), args.page), cursorScope: { list: 'catalog', storeId: args.storeId, owner: '' } };
      } catch (error) {
        return error as Error;
      }
    }),
  );
}
