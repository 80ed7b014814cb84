/** Where learned store ids are shared between replicas (Redis), when there is such a place. */
export interface SharedStoreIds {
  add(id: number, max: number): Promise<void>;
  members(): Promise<number[] | undefined>;
}

/** How long a store whose public catalogue failed is left out of product searches. */
const FAILED_STORE_PAUSE_MS = 60_000;
/** How often, at most, a search asks the shared set which stores the other replicas learned. */
const SHARED_REFRESH_MS = 1000;

/**
 * The stores a product search reads (a store id is public: every product of a store's public
 * catalogue carries it). First those configured with CONSOLE_STORE_IDS, in their order: always
 * searched, so a fresh replica answers like an old one. Then the ones learned from Console answers,
 * shared through Redis when it is set so that every replica searches the same set, and bounded. A
 * store whose catalogue failed is left out for a minute: one deleted or private store must not turn
 * every search into an error and a wasted call (the search then says which store it skipped).
 */
export class KnownStores {
  private readonly learned = new Set<number>();
  private readonly failedUntil = new Map<number, number>();
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;
  /** The store whose catalogue `/api/v2/products` lists without a store_id, once seen. */
  defaultStoreId: number | undefined;

  constructor(
    readonly configured: readonly number[] = [],
    private readonly max = 1000,
    private readonly shared?: SharedStoreIds,
    private readonly now: () => number = Date.now,
  ) {}

  add(id: number): void {
    if (!Number.isSafeInteger(id) || id <= 0 || this.learned.has(id) || this.configured.includes(id)) return;
    if (this.learned.size >= this.max) return;
    this.learned.add(id);
    void this.shared?.add(id, this.max);
  }

  /** Merges what the other replicas learned (at most once a second; a miss when Redis is away). */
  async refresh(): Promise<void> {
    if (!this.shared || this.now() - this.lastRefresh < SHARED_REFRESH_MS) return;
    this.refreshing ??= (async () => {
      const members = await this.shared!.members();
      this.lastRefresh = this.now();
      for (const id of members ?? [])
        if (this.learned.size < this.max && Number.isSafeInteger(id) && id > 0 && !this.configured.includes(id)) this.learned.add(id);
    })().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  markFailed(id: number): void {
    this.failedUntil.set(id, this.now() + FAILED_STORE_PAUSE_MS);
  }

  /** Stores left out of searches for now because their catalogue failed. */
  paused(): number[] {
    const now = this.now();
    const out: number[] = [];
    for (const [id, until] of this.failedUntil) {
      if (until > now) out.push(id);
      else this.failedUntil.delete(id);
    }
    return out;
  }

  /** Stores to search, the default store's id excluded: configured ones in their order, then learned ones, lowest id first. */
  list(): number[] {
    const paused = new Set(this.paused());
    const learned = [...this.learned].sort((a, b) => a - b);
    return [...new Set([...this.configured, ...learned])].filter((id) => id !== this.defaultStoreId && !paused.has(id));
  }
}
