import type { DocumentNode } from 'graphql';

/**
 * A value per (parsed document, operation name) that lives as long as the document does. Apollo's
 * document store hands back the same DocumentNode for a repeated query, so whatever is derived
 * from a hot query here is derived once, and its memory follows Apollo's LRU store.
 */
export class OperationCache<T> {
  // Keyed by the requested name as sent: null (none) and "" (an operation named "", which no
  // document has) are different requests and must never share an entry.
  private readonly byDocument = new WeakMap<DocumentNode, Map<string | null, T>>();

  get(document: DocumentNode, operationName: string | null | undefined): T | undefined {
    return this.byDocument.get(document)?.get(operationName ?? null);
  }

  set(document: DocumentNode, operationName: string | null | undefined, value: T): void {
    let byName = this.byDocument.get(document);
    if (!byName) {
      byName = new Map();
      this.byDocument.set(document, byName);
    }
    byName.set(operationName ?? null, value);
  }
}
