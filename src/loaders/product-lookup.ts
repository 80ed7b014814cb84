import { int } from '../common/coerce.js';
import { LookupIncompleteError } from '../common/errors.js';
import { MappedProduct } from '../catalog/product.mapper.js';
import type { Product } from '../catalog/product.type.js';
import type { ProductPage } from '../catalog/product-page.type.js';
import type { ConsoleClient, PageArgs } from '../console/console-client.js';
import type { RestProductPage } from '../console/rest-types.js';
import type { LookupLimits } from '../config.js';
import { LOOKUP_MAX_CALLS } from '../schema/cost.js';
import type { KnownStores } from './known-stores.js';
import type { PublicSnapshot } from './public-snapshot.js';

/** One list a product can be found in: the caller's products or apps, or one store's catalogue. */
interface ProductList {
  name: string;
  /** The store of a public catalogue other than the default one: its failure is the store's, not the search's. */
  storeId?: number;
  /** Page 1 is read without a page number, so it shares the memo with the plain field call. */
  read(page: number): Promise<RestProductPage>;
  /** What the public cache holds already; absent for private lists. */
  peek?(page: number): Promise<RestProductPage | undefined>;
  /** The stores its products name may be learned for every caller: a public list read for everyone's sake. */
  teaches: boolean;
}

export interface LookupDeps {
  client: Pick<ConsoleClient, 'myProducts' | 'myApps' | 'catalog' | 'peekCatalog'>;
  hasToken: boolean;
  knownStores: KnownStores;
  /** Gateway-wide snapshot of the public catalogues; absent in unit tests that do not need it. */
  snapshot?: PublicSnapshot;
  limits: LookupLimits;
  mapPage(rest: RestProductPage, requestedPage: number | undefined): ProductPage;
}

const withPage = (args: PageArgs, page: number): PageArgs => (page === 1 ? args : { ...args, page });

/**
 * Finds products by id for one request's batch (LineItem.product, Query.product), with the fewest
 * Console calls: first what the public cache already holds (free), then the caller's own products
 * and apps, then the public catalogue of every store the gateway knows. Each list is read page 1
 * first, then all its later pages in parallel, and only while an id is still missing. An id is
 * null only when every list was read to its end; a list or a store cut off by LOOKUP_MAX_PAGES or
 * LOOKUP_MAX_STORES makes a missing id LOOKUP_INCOMPLETE, and a failed list its own error — except
 * another store's public catalogue: that store is left out of searches for a while and a missing id
 * is LOOKUP_INCOMPLETE naming it, so one deleted or private store does not fail every search.
 */
export async function lookupProducts(deps: LookupDeps, ids: readonly number[]): Promise<Array<Product | null | Error>> {
  // WooCommerce ids start at 1; product_id 0 marks a line item with no product (a custom line). No
  // list can hold it, so it is null at once: searching would read every page of every list on every
  // request, and a search cut short would call it LOOKUP_INCOMPLETE.
  const wanted = new Set(ids.filter((id) => id >= 1));
  await deps.knownStores.refresh();
  const found = new Map<number, Product>();
  const read = new Map<string, RestProductPage | undefined>();
  let failure: Error | undefined;
  let cutShort: string | undefined;
  /** Pages this search asked the Console for (a read the request or the public cache had already is counted too). */
  let reads = 0;
  const missing = () => found.size < wanted.size;
  /** Every product a pass over the public cache saw, while it may still become a snapshot. */
  let pass: Map<number, Product> | undefined;

  /**
   * Stores the caller's own lists name: searched in this request only. What one user's private data
   * reveals is never learned for others (their searches and errors would show it).
   */
  const privateStores = new Set<number>();
  /** Products of each store's pages this search read, and the stores a kept catalogue served. */
  const storePasses = new Map<number, Map<number, Product>>();
  const servedFromSnapshot = new Set<number>();
  const take = (rest: RestProductPage, list: ProductList) => {
    const items = deps.mapPage(rest, undefined).items;
    // Every store's products are gathered, whichever list read them: a store only this caller's
    // lists named is kept whole for a few seconds once every page was read (PublicSnapshot.ofStore),
    // and a store learned by another request while this search ran has its later pages read by a
    // list that teaches, which must count towards the whole all the same.
    let gathered: Map<number, Product> | undefined;
    if (list.storeId !== undefined) {
      gathered = storePasses.get(list.storeId) ?? new Map<number, Product>();
      storePasses.set(list.storeId, gathered);
    }
    for (const product of items) {
      gathered?.set(product.id, product);
      const storeId = storeIdOf(product);
      if (storeId !== null) {
        if (list.teaches) deps.knownStores.add(storeId);
        else privateStores.add(storeId);
      }
      if (wanted.has(product.id) && !found.has(product.id)) found.set(product.id, product);
      if (pass !== undefined && !pass.has(product.id)) pass.set(product.id, product);
    }
    const first = items[0];
    if (list.name === 'catalog' && deps.knownStores.defaultStoreId === undefined && first) {
      deps.knownStores.defaultStoreId = storeIdOf(first) ?? undefined;
    }
  };
  const page = async (list: ProductList, n: number, peekOnly: boolean): Promise<RestProductPage | undefined> => {
    const key = `${list.name} ${n}`;
    if (read.has(key)) return read.get(key);
    let rest: RestProductPage | undefined;
    if (peekOnly) rest = await list.peek?.(n);
    else if (reads >= LOOKUP_MAX_CALLS) {
      // The bound this search declares as its cost (src/schema/cost.ts): a missing id is then LOOKUP_INCOMPLETE.
      cutShort ??= `the search made its ${LOOKUP_MAX_CALLS} Console calls`;
      return undefined;
    } else {
      reads += 1;
      rest = await list.read(n).catch((error: unknown) => {
        if (list.storeId === undefined) failure ??= error as Error;
        else {
          // Only a store everyone may know is left out for everyone; one the caller's lists named, for this request.
          if (deps.knownStores.knows(list.storeId)) deps.knownStores.markFailed(list.storeId);
          cutShort ??= `the public catalogue of store ${list.storeId} could not be read (${codeOf(error)}); it is left out of searches for a minute`;
        }
        return undefined;
      });
    }
    if (rest !== undefined || !peekOnly) read.set(key, rest);
    if (rest !== undefined) take(rest, list);
    return rest;
  };
  /** Reads the lists; true when every page of every list was there (always, unless peeking). */
  const search = async (lists: ProductList[], peekOnly: boolean): Promise<boolean> => {
    if (!missing() || lists.length === 0) return false;
    const firsts = await Promise.all(lists.map((list) => page(list, 1, peekOnly)));
    if (!missing()) return false;
    const rest = await laterPages(lists, firsts, peekOnly);
    return firsts.every((p) => p !== undefined) && rest.every((p) => p !== undefined);
  };
  /** Every later page of each list, all at once, once its page 1 said how many there are. */
  const laterPages = (lists: ProductList[], firsts: Array<RestProductPage | undefined>, peekOnly: boolean) => {
    const later: Array<Promise<RestProductPage | undefined>> = [];
    lists.forEach((list, i) => {
      const first = firsts[i];
      if (first === undefined) return;
      const total = int(first.totalPages) ?? 1;
      if (total > deps.limits.maxPages) cutShort ??= `${list.name} has ${total} pages; LOOKUP_MAX_PAGES is ${deps.limits.maxPages}`;
      for (let n = 2; n <= Math.min(total, deps.limits.maxPages); n += 1) later.push(page(list, n, peekOnly));
    });
    return Promise.all(later);
  };
  const catalogues = (): ProductList[] => {
    const known = deps.knownStores.list();
    const paused = deps.knownStores.paused();
    const ownOnly = [...privateStores].filter((id) => id !== deps.knownStores.defaultStoreId && !known.includes(id) && !paused.includes(id));
    for (const id of ownOnly) {
      if (servedFromSnapshot.has(id) || storePasses.has(id)) continue;
      const kept = deps.snapshot?.ofStore(id);
      if (kept === undefined) continue;
      servedFromSnapshot.add(id);
      for (const wantedId of wanted) {
        const product = kept.get(wantedId);
        if (product !== undefined && !found.has(wantedId)) found.set(wantedId, product);
      }
    }
    const stores = [...known, ...ownOnly.filter((id) => !servedFromSnapshot.has(id)).sort((a, b) => a - b)];
    if (paused.length > 0) cutShort ??= `the public catalogue of store ${paused[0]} failed recently; it is left out of searches for a minute`;
    const room = deps.limits.maxStores - 1; // the default store is always searched
    if (stores.length > room) cutShort ??= `${stores.length + 1} stores are known; LOOKUP_MAX_STORES is ${deps.limits.maxStores}`;
    const storeArgs: PageArgs[] = [{}, ...stores.slice(0, Math.max(0, room)).map((storeId) => ({ storeId }))];
    return storeArgs.map((args) => ({
      name: args.storeId === undefined ? 'catalog' : `catalog ${args.storeId}`,
      ...(args.storeId === undefined ? {} : { storeId: args.storeId }),
      // A store only this caller's lists named was read for this caller: what it shows is not learned.
      teaches: args.storeId === undefined || !ownOnly.includes(args.storeId),
      read: (n) => deps.client.catalog(withPage(args, n)),
      peek: (n) => deps.client.peekCatalog(withPage(args, n)),
    }));
  };

  // Stage 1, free: the public catalogues as the public cache (or a recent complete pass over it) holds them.
  const publicLists = catalogues();
  const names = publicLists.map((l) => l.name);
  let covered: ReadonlySet<string> = new Set();
  const snapshot = deps.snapshot?.covering(names);
  if (snapshot) {
    for (const id of wanted) {
      const product = snapshot.products.get(id);
      if (product !== undefined && !found.has(id)) found.set(id, product);
    }
    if (snapshot.cutShort !== undefined) cutShort ??= snapshot.cutShort;
    covered = snapshot.lists;
  } else {
    pass = deps.snapshot ? new Map() : undefined;
    const complete = await search(publicLists, true);
    if (complete && pass) {
      deps.snapshot!.store(pass, names, cutShort);
      covered = new Set(names);
    }
    pass = undefined;
  }
  // Page 1 of every public catalogue not covered yet. The default catalogue's page 1 also says which
  // store is the default one; read alongside the others, a cold process may read that store's page 1
  // twice (with and without its store_id), once, instead of waiting a latency to find out.
  const publicFirsts = async () => {
    if (!missing()) return;
    await Promise.all(
      catalogues()
        .filter((list) => !covered.has(list.name))
        .map((list) => page(list, 1, false)),
    );
  };
  if (deps.hasToken && missing()) {
    const own: ProductList[] = [
      { name: 'my products', read: (n) => deps.client.myProducts(withPage({}, n)), teaches: false },
      { name: 'my apps', read: (n) => deps.client.myApps(withPage({}, n)), teaches: false },
    ];
    const firsts = await Promise.all(own.map((list) => page(list, 1, false)));
    // The caller's later pages and the catalogues' page 1s at once: a cold search for an id in no
    // list is three Console latencies deep (own page 1s, then both, then the catalogues' later
    // pages), not four.
    if (missing()) await Promise.all([laterPages(own, firsts, false), publicFirsts()]);
  } else {
    await publicFirsts();
  }
  // Page 1s are read already (the request's `read` memo): this reads the catalogues' later pages.
  await search(
    catalogues().filter((list) => !covered.has(list.name)),
    false,
  );

  // Each store only this caller named whose every page was read is kept whole for the next searches.
  for (const [storeId, products] of storePasses) {
    if (!privateStores.has(storeId) || deps.knownStores.knows(storeId)) continue;
    const name = `catalog ${storeId}`;
    const first = read.get(`${name} 1`);
    const total = first === undefined ? 0 : (int(first.totalPages) ?? 1);
    let complete = first !== undefined && total <= deps.limits.maxPages;
    for (let n = 2; complete && n <= total; n += 1) complete = read.get(`${name} ${n}`) !== undefined;
    if (complete) deps.snapshot?.keepStore(storeId, products);
  }

  return ids.map((id) => (wanted.has(id) ? (found.get(id) ?? failure ?? (cutShort === undefined ? null : new LookupIncompleteError(id, cutShort))) : null));
}

function codeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : 'error';
}

function storeIdOf(product: Product): number | null {
  return product instanceof MappedProduct ? product.storeId : (product.store?.id ?? null);
}
