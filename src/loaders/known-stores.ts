/** Where learned store ids are shared between replicas (Redis), when there is such a place. */
export interface SharedStoreIds {
  /** Adds or renews a store until `expiresAt` (epoch ms), while fewer than `max` are kept. */
  add(id: number, expiresAt: number, max: number): Promise<void>;
  /** The stores not yet expired, with when each expires. */
  members(): Promise<Array<[id: number, expiresAt: number]> | undefined>;
}

/** How long a learned store is searched after it was last seen in a public answer. */
export const LEARNED_STORE_TTL_MS = 24 * 3_600_000;

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
  /** Learned store id → when it expires (epoch ms); renewed each time a public answer shows it again. */
  private readonly learned = new Map<number, number>();
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
    if (!Number.isSafeInteger(id) || id <= 0 || this.configured.includes(id)) return;
    const now = this.now();
    const expiresAt = this.learned.get(id);
    // Renewed at most once per half TTL: a busy store is not rewritten to Redis on every answer.
    if (expiresAt !== undefined && expiresAt - now > LEARNED_STORE_TTL_MS / 2) return;
    if (expiresAt === undefined && this.liveCount(now) >= this.max) return;
    this.learned.set(id, now + LEARNED_STORE_TTL_MS);
    void this.shared?.add(id, now + LEARNED_STORE_TTL_MS, this.max);
  }

  /** True for a configured store, or a learned one not yet expired. */
  knows(id: number): boolean {
    return this.configured.includes(id) || (this.learned.get(id) ?? 0) > this.now();
  }

  /** Merges what the other replicas learned (at most once a second; a miss when Redis is away). */
  async refresh(): Promise<void> {
    if (!this.shared || this.now() - this.lastRefresh < SHARED_REFRESH_MS) return;
    this.refreshing ??= (async () => {
      const members = await this.shared!.members();
      const now = (this.lastRefresh = this.now());
      for (const [id, expiresAt] of members ?? []) {
        if (!Number.isSafeInteger(id) || id <= 0 || this.configured.includes(id) || expiresAt <= now) continue;
        if (this.learned.has(id) || this.liveCount(now) < this.max) this.learned.set(id, Math.max(expiresAt, this.learned.get(id) ?? 0));
      }
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
    const now = this.now();
    this.liveCount(now);
    const learned = [...this.learned.keys()].sort((a, b) => a - b);
    return [...new Set([...this.configured, ...learned])].filter((id) => id !== this.defaultStoreId && !paused.has(id));
  }

  /** Forgets expired stores; returns how many are left. */
  private liveCount(now: number): number {
    for (const [id, expiresAt] of this.learned) if (expiresAt <= now) this.learned.delete(id);
    return this.learned.size;
  }
}
