import type { CacheStore, CachedEntry } from './cache-store.js';

interface Slot {
  entry: CachedEntry;
  expiresAt: number;
  bytes: number;
}

/**
 * The in-process store: least recently used first out, bounded by the approximate size of what it
 * holds (the JSON length of each answer, measured once when written: writes happen once per
 * TTL per key, reads on every request). Values are shared between requests as they are: the
 * mappers never change what they read.
 */
export class MemoryStore implements CacheStore {
  private readonly slots = new Map<string, Slot>(); // insertion order = least recently used first
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string): Promise<CachedEntry | undefined> {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.now()) {
      this.bytes -= slot.bytes;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.entry;
  }

  async write(key: string, entry: CachedEntry, lifetimeMs: number): Promise<void> {
    const bytes = key.length + JSON.stringify(entry.value).length;
    const old = this.slots.get(key);
    if (old) {
      this.slots.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return; // larger than the whole store: not worth evicting everything
    this.slots.set(key, { entry, expiresAt: this.now() + lifetimeMs, bytes });
    this.bytes += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.slots.delete(oldest);
      this.bytes -= slot.bytes;
    }
  }

  /** Approximate bytes held, for tests and metrics. */
  size(): { entries: number; bytes: number } {
    return { entries: this.slots.size, bytes: this.bytes };
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }
}
