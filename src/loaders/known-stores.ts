/**
 * Store ids this gateway has seen in Console answers (a store id is public: every product of the
 * store's public catalogue carries it). Shared across requests so that a product search also
 * looks in stores the current request has not met. Bounded: a store seen after the bound is
 * still searched when the request itself saw it.
 */
export class KnownStores {
  private readonly ids = new Set<number>();
  /** The store whose catalogue `/api/v2/products` lists without a store_id, once seen. */
  defaultStoreId: number | undefined;

  constructor(private readonly max = 1000) {}

  add(id: number): void {
    if (this.ids.size < this.max && Number.isSafeInteger(id) && id > 0) this.ids.add(id);
  }

  /** Known stores, lowest id first (deterministic), the default store's id excluded. */
  list(): number[] {
    return [...this.ids].filter((id) => id !== this.defaultStoreId).sort((a, b) => a - b);
  }
}
