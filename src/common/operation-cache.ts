import { Kind, type DocumentNode } from 'graphql';

/**
 * A value per (parsed document, operation name) that lives as long as the document does. Apollo's
 * document store hands back the same DocumentNode for a repeated query, so whatever is derived
 * from a hot query here is derived once, and its memory follows Apollo's LRU store.
 *
 * The name is the client's to write, and hot or trusted documents live for good: only a name that
 * one of the document's operations carries (or none) is kept, so each document holds at most one
 * entry per operation it defines, whatever names clients send. A name the document does not define
 * is an error for the request anyway; it is worked out again each time and never kept.
 */
export class OperationCache<T> {
  // Keyed by the requested name as sent: null (none) and "" (an operation named "", which no
  // document has) are different requests and must never share an entry.
  private readonly byDocument = new WeakMap<DocumentNode, Map<string | null, T>>();

  get(document: DocumentNode, operationName: string | null | undefined): T | undefined {
    return this.byDocument.get(document)?.get(operationName ?? null);
  }

  set(document: DocumentNode, operationName: string | null | undefined, value: T): void {
    const name = operationName ?? null;
    if (name !== null && !definesOperation(document, name)) return;
    let byName = this.byDocument.get(document);
    if (!byName) {
      byName = new Map();
      this.byDocument.set(document, byName);
    }
    byName.set(name, value);
  }
}

/** True when one of the document's operations is called `name`. */
export function definesOperation(document: DocumentNode, name: string): boolean {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name) return true;
  }
  return false;
}
