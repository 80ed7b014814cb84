import { describe, expect, it } from '@jest/globals';
import type { CacheStore, CachedEntry } from '../../src/cache/cache-store.js';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { PublicCache } from '../../src/cache/public-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function cache(options: { ttlMs: number; staleMs: number; store?: CacheStore; now?: () => number }) {
  const metrics = new GatewayMetrics();
  const now = options.now ?? Date.now;
  const store = options.store ?? new MemoryStore(1_048_576, now);
  return { metrics, cache: new PublicCache({ ttlMs: options.ttlMs, staleMs: options.staleMs, store, logger: createLogger('silent'), metrics, now }) };
}

/** A loader that counts its calls and answers after `ms` (or fails when told to). */
function loader(ms = 5) {
  let calls = 0;
  let fail = false;
  return {
    calls: () => calls,
    failNext: (value: boolean) => void (fail = value),
    load: () => {
      calls += 1;
      const n = calls;
      const failing = fail;
      return new Promise<string>((resolve, reject) => setTimeout(() => (failing ? reject(new Error('upstream down')) : resolve(`answer ${n}`)), ms));
    },
  };
}

async function events(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const metric = await metrics.publicCacheEvents.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.event), v.value]));
}

describe('PublicCache', () => {
  it('should let each caller wait for a shared load its own way, and never make a cached value wait', async () => {
    const { cache: c } = cache({ ttlMs: 1000, staleMs: 0 });
    const l = loader(50);
    const waits: string[] = [];
    const impatient = (shared: Promise<string>) => {
      waits.push('impatient');
      return Promise.race([shared, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('out of time')), 5))]);
    };
    const patient = (shared: Promise<string>) => {
      waits.push('patient');
      return shared;
    };
    const first = c.get('k', l.load, impatient);
    const second = c.get('k', l.load, patient);
    await expect(first).rejects.toThrow('out of time');
    // The impatient caller gave up; the load it started went on for the one that joined it.
    await expect(second).resolves.toBe('answer 1');
    expect(l.calls()).toBe(1);
    await expect(c.get('k', l.load, impatient)).resolves.toBe('answer 1');
    expect(waits).toEqual(['impatient', 'patient']);
  });

  it('should serve a fresh entry without calling upstream, and call again after TTL + stale window', async () => {
    const time = clock();
    const { cache: c, metrics } = cache({ ttlMs: 1000, staleMs: 500, now: time.now });
    const l = loader();
    expect(await c.get('k', l.load)).toBe('answer 1');
    time.advance(999);
    expect(await c.get('k', l.load)).toBe('answer 1');
    expect(l.calls()).toBe(1);
    time.advance(1000); // past TTL + stale window: a plain miss
    expect(await c.get('k', l.load)).toBe('answer 2');
    expect(await events(metrics)).toEqual({ miss: 2, hit: 1 });
  });

  it('should serve a stale entry at once while exactly one background refresh runs', async () => {
    const time = clock();
    const { cache: c, metrics } = cache({ ttlMs: 1000, staleMs: 5000, now: time.now });
    const l = loader(30);
    await c.get('k', l.load);
    time.advance(1500);
    let refreshed = false;
    const load = () => l.load().then((value) => ((refreshed = true), value));
    const answers = await Promise.all(Array.from({ length: 10 }, () => c.get('k', load)));
    // Nobody waited for the refresh (30 ms): every answer was the stale one, in before it ended.
    expect(refreshed).toBe(false);
    expect(new Set(answers)).toEqual(new Set(['answer 1']));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(l.calls()).toBe(2);
    expect(await c.get('k', l.load)).toBe('answer 2');
    expect(await events(metrics)).toMatchObject({ stale: 10, refresh: 1, hit: 1 });
  });

  it('should keep the stale entry when its refresh fails, and never store the error', async () => {
    const time = clock();
    const { cache: c, metrics } = cache({ ttlMs: 1000, staleMs: 5000, now: time.now });
    const l = loader();
    await c.get('k', l.load);
    time.advance(2000);
    l.failNext(true);
    expect(await c.get('k', l.load)).toBe('answer 1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await c.get('k', l.load)).toBe('answer 1'); // still stale, a new refresh starts
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await events(metrics)).toMatchObject({ refresh_failure: 2 });
    time.advance(10_000); // the stale window is over: the error is not served from the cache
    await expect(c.get('k', l.load)).rejects.toThrow('upstream down');
    l.failNext(false);
    expect(await c.get('k', l.load)).toMatch(/^answer \d$/);
  });

  it('should share one upstream call between concurrent misses, and not store a failure', async () => {
    const { cache: c } = cache({ ttlMs: 1000, staleMs: 0 });
    const l = loader(20);
    l.failNext(true);
    const failed = await Promise.allSettled(Array.from({ length: 20 }, () => c.get('k', l.load)));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    expect(l.calls()).toBe(1);
    l.failNext(false);
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.get('k', l.load)));
    expect(new Set(answers)).toEqual(new Set(['answer 2']));
    expect(l.calls()).toBe(2);
  });

  it('should store nothing with a TTL of 0 but still share in-flight calls', async () => {
    const { cache: c } = cache({ ttlMs: 0, staleMs: 5000 });
    const l = loader(20);
    await Promise.all(Array.from({ length: 10 }, () => c.get('k', l.load)));
    expect(l.calls()).toBe(1);
    await c.get('k', l.load);
    expect(l.calls()).toBe(2);
    expect(await c.peek('k')).toBeUndefined();
  });

  it('should miss, not fail, when its store fails on every read and write', async () => {
    const broken: CacheStore = {
      read: async (): Promise<CachedEntry | undefined> => Promise.reject(new Error('store down')),
      write: async () => Promise.reject(new Error('store down')),
      close: async () => undefined,
    };
    const { cache: c } = cache({ ttlMs: 1000, staleMs: 0, store: broken });
    const l = loader();
    expect(await c.get('k', l.load)).toBe('answer 1');
    expect(await c.get('k', l.load)).toBe('answer 2');
    expect(await c.peek('k')).toBeUndefined();
  });
});

describe('MemoryStore', () => {
  it('should stay within its byte bound, dropping the least recently used first', async () => {
    const store = new MemoryStore(10_000);
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 30; i += 1) await store.write(`k${i}`, { value, storedAt: 0 }, 60_000);
    expect(store.size().bytes).toBeLessThanOrEqual(10_000);
    const kept = store.size().entries;
    expect(kept).toBeGreaterThanOrEqual(8);
    // The oldest survivor is read (so it is the most recently used), then one more entry is written:
    // the one dropped is the next oldest, not the one just read (FIFO would drop that one).
    const oldest = 30 - kept;
    expect(await store.read(`k${oldest}`)).toBeDefined();
    await store.write('k30', { value, storedAt: 0 }, 60_000);
    expect(await store.read(`k${oldest}`)).toBeDefined();
    expect(await store.read(`k${oldest + 1}`)).toBeUndefined();
    expect(await store.read('k30')).toBeDefined();
  });

  it('should forget an entry once its lifetime is over, and refuse one larger than the whole store', async () => {
    const time = clock();
    const store = new MemoryStore(1000, time.now);
    await store.write('short', { value: 1, storedAt: 0 }, 100);
    time.advance(100);
    expect(await store.read('short')).toBeUndefined();
    await store.write('huge', { value: 'y'.repeat(2000), storedAt: 0 }, 100);
    expect(await store.read('huge')).toBeUndefined();
    expect(store.size()).toEqual({ entries: 0, bytes: 0 });
  });
});
