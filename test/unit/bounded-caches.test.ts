import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { ByteLru } from '../../src/cache/byte-lru.js';
import { DocumentStore, documentBytes } from '../../src/cache/document-store.js';
import { MemoryApqCache } from '../../src/cache/memory-apq-cache.js';
import { VouchedTokens } from '../../src/edge/vouched-tokens.js';
import { MemoryLimitStore } from '../../src/edge/limit-store.js';

/** Each bounded cache filled past its bound: what stays, and what is dropped. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('ByteLru, the one bounded cache', () => {
  it('should drop the least recently used entries once their estimated bytes pass the budget', () => {
    const lru = new ByteLru<string, string>(300);
    for (const key of ['a', 'b', 'c']) lru.set(key, key, 100);
    expect(lru.get('a')).toBe('a'); // a is now the most recently used
    lru.set('d', 'd', 100);
    expect([lru.has('a'), lru.has('b'), lru.has('c'), lru.has('d')]).toEqual([true, false, true, true]);
    expect(lru.stats()).toEqual({ entries: 3, bytes: 300 });
  });

  it('should hold at most its entries when it has that bound too, and keep nothing larger than the whole budget', () => {
    const lru = new ByteLru<string, number>(1000, 2);
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.set('c', 3, 10);
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([false, true, true]);
    lru.set('b', 4, 2000);
    expect(lru.has('b')).toBe(false);
  });

  it('should forget an entry once its lifetime is over, by the clock it is given', () => {
    const time = clock();
    const lru = new ByteLru<string, number>(1000, Number.POSITIVE_INFINITY, time.now);
    lru.set('short', 1, 10, 100);
    lru.set('long', 2, 10);
    time.advance(101);
    expect(lru.get('short')).toBeUndefined();
    expect(lru.get('long')).toBe(2);
  });

  it('should keep nothing with a budget of 0, and refuse to be unbounded', () => {
    const none = new ByteLru<string, number>(0);
    none.set('a', 1, 1);
    expect(none.get('a')).toBeUndefined();
    expect(() => new ByteLru(Number.POSITIVE_INFINITY)).toThrow(/needs a bound/);
  });
});

describe('the caches built on it', () => {
  it('APQ store (APQ_CACHE_MAX_BYTES): the oldest registrations go, and each expires after its TTL', async () => {
    const time = clock();
    const apq = new MemoryApqCache(2000, time.now);
    for (let i = 0; i < 10; i += 1) await apq.set(`apq:${i}`, `{ q${i}: __typename }`, { ttl: 60 });
    expect(apq.stats().bytes).toBeLessThanOrEqual(2000);
    expect(await apq.get('apq:0')).toBeUndefined();
    expect(await apq.get('apq:9')).toBe('{ q9: __typename }');
    time.advance(60_001);
    expect(await apq.get('apq:9')).toBeUndefined();
  });

  it('document store (DOCUMENT_CACHE_MAX_BYTES): keeps a document the second time it comes, within its budget', async () => {
    const docs = ['{ a: __typename }', '{ b: __typename }', '{ c: __typename }'].map((source) => parse(source));
    const store = new DocumentStore(documentBytes(docs[0]) * 2);
    for (const [i, doc] of docs.entries()) {
      await store.set(`h${i}`, doc);
      expect(await store.get(`h${i}`)).toBeUndefined(); // seen once: only its key is kept
      await store.set(`h${i}`, doc);
    }
    expect([await store.get('h0'), await store.get('h1'), await store.get('h2')].map(Boolean)).toEqual([false, true, true]);
  });

  it('limit counters (LIMIT_MAX_KEYS): the least recently used client starts afresh', async () => {
    const store = new MemoryLimitStore(1000, () => 0);
    for (let i = 0; i < 1001; i += 1) await store.take(`a:${i}`, 10, 1, 10);
    expect(store.size).toBe(1000);
    expect((await store.take('a:1000', 10, 1, 10)).allowed).toBe(false);
    expect((await store.take('a:0', 10, 1, 10)).allowed).toBe(true); // dropped, so a full bucket again
  });

  it('vouched tokens (LIMIT_MAX_KEYS, ACCEPTED_TOKEN_TTL_SECONDS): the oldest is forgotten first', async () => {
    const tokens = new VouchedTokens(60_000, 2);
    tokens.vouched('t1', 'u:1');
    tokens.vouched('t2', 'u:2');
    tokens.vouched('t3', 'u:2');
    expect([await tokens.principalOf('t1'), await tokens.principalOf('t2'), await tokens.principalOf('t3')]).toEqual([undefined, 'u:2', 'u:2']);
    tokens.refused('t3');
    expect(await tokens.principalOf('t3')).toBeUndefined();
  });
});
