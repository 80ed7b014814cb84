import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';
import { ByteLru } from './byte-lru.js';

/**
 * Measured here (graphql 16, `node --expose-gc`, 20,000 documents): a parsed document with its
 * locations keeps its whole token list alive, ~110 bytes per character of its source (a 39-character
 * query 4.3 kB, the 225-character dashboard of docs/queries.md 20 kB): four to five times its JSON size.
 */
const BYTES_PER_SOURCE_CHAR = 110;
const ENTRY_OVERHEAD_BYTES = 512;
/** Keys of documents seen once: a key costs ~2 bytes per character plus the map's entry. */
const SEEN_ONCE_MAX_BYTES = 1_048_576;

/** Estimated heap cost of a parsed document (from its source length; JSON size × 3 without locations). */
export function documentBytes(document: DocumentNode): number {
  const sourceLength = document.loc?.end;
  return ENTRY_OVERHEAD_BYTES + (sourceLength !== undefined ? sourceLength * BYTES_PER_SOURCE_CHAR : JSON.stringify(document).length * 3);
}

/**
 * Apollo's document store (parsed and validated documents, by query hash), bounded by what the
 * documents really cost. A document is kept only the second time its hash comes by: until then only
 * its key is remembered, so a flood of distinct one-off documents costs a key each, while every
 * document a client repeats skips parsing and validation from its third request on. Everything
 * keyed by a parsed document elsewhere (operation limits, cache-control marks, compiled operations'
 * marks) is held weakly and goes when the document goes.
 */
export class DocumentStore implements KeyValueCache<DocumentNode> {
  private readonly documents: ByteLru<string, DocumentNode>;
  private readonly seenOnce = new ByteLru<string, true>(SEEN_ONCE_MAX_BYTES);
  /** Trusted documents, by query hash: parsed and validated at start, always served, never evicted. */
  private readonly pinned = new Map<string, DocumentNode>();

  constructor(maxBytes: number) {
    this.documents = new ByteLru(maxBytes);
  }

  /** Keeps a document for good; Apollo then neither parses nor validates its text again. */
  pin(queryHash: string, document: DocumentNode): void {
    this.pinned.set(queryHash, document);
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    // Apollo's key is "<schema hash>:<query hash>".
    return this.pinned.size > 0 ? (this.pinned.get(key.slice(key.lastIndexOf(':') + 1)) ?? this.documents.get(key)) : this.documents.get(key);
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    if (!this.seenOnce.delete(key)) {
      this.seenOnce.set(key, true, key.length * 2 + 64);
      return;
    }
    this.documents.set(key, document, documentBytes(document));
  }

  async delete(key: string): Promise<boolean> {
    this.seenOnce.delete(key);
    return this.documents.delete(key);
  }

  stats(): { entries: number; bytes: number } {
    const kept = this.documents.stats();
    const keys = this.seenOnce.stats();
    return { entries: kept.entries + keys.entries, bytes: kept.bytes + keys.bytes };
  }
}
