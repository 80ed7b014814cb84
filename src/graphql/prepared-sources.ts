import type { DocumentNode } from 'graphql';
import { ByteLru } from '../cache/byte-lru.js';

/** Bytes a remembered source costs besides its text (map entry, WeakRef, key). */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Document texts that have already run compiled, mapped to their parsed document, so that the next
 * request with the same text skips Apollo's pipeline (src/graphql/prepared-path.ts). The document is
 * held weakly: it lives as long as Apollo's document store or the trusted manifest keeps it, and
 * this map never makes a document outlive them. Bounded by the texts' size and by count.
 */
export class PreparedSources {
  private readonly documents: ByteLru<string, WeakRef<DocumentNode>>;
  // SHA-256 hashes of those texts: an APQ request naming one is worth looking up (src/graphql/prepared-path.ts).
  private readonly hashes: ByteLru<string, true>;

  constructor(maxBytes: number, maxEntries: number) {
    this.documents = new ByteLru(maxBytes, maxEntries);
    this.hashes = new ByteLru(maxBytes, maxEntries);
  }

  remember(source: string, document: DocumentNode, queryHash: string): void {
    if (this.documents.get(source)?.deref() === document) return;
    this.documents.set(source, new WeakRef(document), 2 * source.length + ENTRY_OVERHEAD_BYTES);
    this.hashes.set(queryHash, true, 2 * queryHash.length + ENTRY_OVERHEAD_BYTES);
  }

  knowsHash(queryHash: string): boolean {
    return this.hashes.has(queryHash);
  }

  documentOf(source: string): DocumentNode | undefined {
    return this.documents.get(source)?.deref();
  }

  stats(): { entries: number; bytes: number } {
    const documents = this.documents.stats();
    return { entries: documents.entries, bytes: documents.bytes + this.hashes.stats().bytes };
  }
}
