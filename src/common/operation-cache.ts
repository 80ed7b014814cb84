import type { DocumentNode } from 'graphql';

/**
 * A value per (parsed document, operation name) that lives as long as the document does. Apollo's
 * document store hands back the same DocumentNode for a repeated query, so whatever is derived
 * from a hot query here is derived once, and its memory follows Apollo's LRU store.
 */
export class OperationCache<T> {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, T>>();

  get(document: DocumentNode, operationName: string | null | undefined): T | undefined {
    return this.byDocument.get(document)?.get(operationName ?? '');
  }

  set(document: DocumentNode, operationName: string | null | undefined, value: T): void {
    let byName = this.byDocument.get(document);
    if (!byName) {
      byName = new Map();
      this.byDocument.set(document, byName);
    }
    byName.set(operationName ?? '', value);
  }
}
