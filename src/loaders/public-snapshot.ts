import type { Product } from '../catalog/product.type.js';

interface Snapshot {
  products: ReadonlyMap<number, Product>;
  /** The catalogue lists (default store, `catalog <id>`) the pass read to their end. */
  lists: ReadonlySet<string>;
  /** Why a list was cut short (LOOKUP_MAX_PAGES), when one was. */
  cutShort: string | undefined;
  until: number;
}

/**
 * Across requests, PUBLIC data only: the products of every known store's public catalogue, as one
 * complete pass over the public cache found them. A product search for an id that exists nowhere
 * reads every catalogue page; with this, it does so once every few seconds instead of once per
 * request. It lives at most `lifetimeMs` (a few seconds, never longer than the cache's TTL), so it
 * adds that little to the staleness the public cache already allows.
 */
/** Stores whose public catalogues are kept one by one (see `ofStore`), at most. */
const MAX_SINGLE_STORES = 100;

export class PublicSnapshot {
  private current: Snapshot | undefined;
  /** Single stores' whole public catalogues, for the callers whose own lists name them. */
  private readonly stores = new Map<number, { products: ReadonlyMap<number, Product>; until: number }>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The snapshot, when it is fresh and covers every one of `lists`. */
  covering(lists: readonly string[]): Snapshot | undefined {
    const snapshot = this.current;
    if (snapshot === undefined || this.now() >= snapshot.until) return undefined;
    return lists.every((name) => snapshot.lists.has(name)) ? snapshot : undefined;
  }

  store(products: ReadonlyMap<number, Product>, lists: readonly string[], cutShort: string | undefined): void {
    if (this.lifetimeMs <= 0) return;
    this.current = { products, lists: new Set(lists), cutShort, until: this.now() + this.lifetimeMs };
  }

  /**
   * One store's whole public catalogue, as a complete read of it found it lately. Public data, but
   * a search uses it only for a caller whose own lists name the store (a store nobody configured
   * is never searched for callers who did not name it).
   */
  ofStore(storeId: number): ReadonlyMap<number, Product> | undefined {
    const kept = this.stores.get(storeId);
    if (kept === undefined) return undefined;
    if (this.now() < kept.until) return kept.products;
    this.stores.delete(storeId);
    return undefined;
  }

  keepStore(storeId: number, products: ReadonlyMap<number, Product>): void {
    if (this.lifetimeMs <= 0) return;
    this.stores.delete(storeId);
    this.stores.set(storeId, { products, until: this.now() + this.lifetimeMs });
    if (this.stores.size > MAX_SINGLE_STORES) this.stores.delete(this.stores.keys().next().value!);
  }
}
