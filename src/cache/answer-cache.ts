import { ByteLru } from './byte-lru.js';

/**
 * Whole answers of public operations, as the bytes sent (ANSWER_CACHE_MAX_BYTES): keyed by
 * document, operation name and variables, never holding an answer with a private field (the
 * prepared path decides, src/graphql/public-answers.ts). An answer is fresh until the shortest-lived
 * public Console data it was built from stops being fresh, then served stale for the public cache's
 * stale window while one request rebuilds it; past that it is gone. Shared by every request; it
 * holds answers that were built without any caller's token.
 */
export interface CachedAnswer {
  body: string;
  /** Epoch ms until which it is fresh. */
  freshUntil: number;
  /** Its weak ETag, made the first time it is sent as a public answer (src/http/answer.ts). */
  etag?: string;
  /** Its compressed bytes by encoding (br, gzip), made the first time a client accepts one. */
  encoded?: Map<string, Buffer>;
}

/** Where a response served from the answer cache carries its entry, for the HTTP layer's ETag and compression. */
export const WHOLE_ANSWER = Symbol('whole answer');

/** What a lookup found: a fresh answer, a stale one (someone rebuilds it), or nothing to serve. */
export type AnswerLookup = { answer: CachedAnswer; fresh: boolean } | undefined;

/** Bytes an entry costs beside its body and key: the entry object, the LRU's bookkeeping. */
const ENTRY_OVERHEAD = 200;

export class AnswerCache {
  private readonly entries: ByteLru<string, CachedAnswer>;
  /** Keys one request is rebuilding now: the others serve the stale answer meanwhile. */
  private readonly rebuilding = new Set<string>();

  constructor(
    maxBytes: number,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new ByteLru(maxBytes, Number.POSITIVE_INFINITY, now);
  }

  /**
   * A fresh answer; or a stale one while another request rebuilds it; undefined when the caller
   * should run the operation (nothing held, or stale and nobody rebuilding: the caller is now the
   * one that rebuilds, and must call `store` or `abandon`).
   */
  lookup(key: string): AnswerLookup {
    const answer = this.entries.get(key);
    if (answer === undefined) return undefined;
    if (this.now() < answer.freshUntil) return { answer, fresh: true };
    if (this.rebuilding.has(key)) return { answer, fresh: false };
    this.rebuilding.add(key);
    return undefined;
  }

  /** A new answer for `key`, fresh until `freshUntil`; not kept when that has already passed. */
  store(key: string, body: string, freshUntil: number): void {
    this.rebuilding.delete(key);
    const freshFor = freshUntil - this.now();
    if (freshFor <= 0) return;
    // A string costs up to two bytes a character; its compressed forms, made later, less than one more.
    this.entries.set(key, { body, freshUntil }, 3 * body.length + 2 * key.length + ENTRY_OVERHEAD, freshFor + this.staleMs);
  }

  /** The rebuild ended without an answer to keep (an error, a refusal): the next request tries. */
  abandon(key: string): void {
    this.rebuilding.delete(key);
  }

  stats(): { entries: number; bytes: number } {
    return this.entries.stats();
  }
}
