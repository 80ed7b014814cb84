/**
 * Global object ids (the GraphQL spec's Global Object Identification, as Relay uses it): the type
 * and the Console's own key, `Product:1442` or `ProductSubscription:<store>:<id>`, in base64url.
 * Opaque to clients, the same on every replica and in every release (nothing in them depends on
 * a key or a deployment), and distinct across types even where the Console's integer ids clash.
 * They are names, not capabilities: `node` reads with the caller's own token.
 */
export type NodeKey = { type: 'Product'; id: number } | { type: 'ProductSubscription'; storeId: number | null; id: number };

/** Longest id worth decoding: the longest valid one is well under this. */
const MAX_ID_LENGTH = 128;

export function productNodeId(id: number): string {
  return Buffer.from(`Product:${id}`).toString('base64url');
}

/** A subscription is read from its store's list (`null`: the Console's default store). */
export function subscriptionNodeId(storeId: number | null, id: number): string {
  return Buffer.from(`ProductSubscription:${storeId ?? 0}:${id}`).toString('base64url');
}

/** The key a global id names; undefined when it is not one of ours (any string may arrive here). */
export function parseNodeId(nodeId: string): NodeKey | undefined {
  if (nodeId.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(nodeId)) return undefined;
  const parts = Buffer.from(nodeId, 'base64url').toString('utf8').split(':');
  const whole = (s: string | undefined) => (s !== undefined && /^(0|[1-9]\d{0,9})$/.test(s) && Number(s) <= 2_147_483_647 ? Number(s) : undefined);
  if (parts[0] === 'Product' && parts.length === 2) {
    const id = whole(parts[1]);
    return id !== undefined && id > 0 ? { type: 'Product', id } : undefined;
  }
  if (parts[0] === 'ProductSubscription' && parts.length === 3) {
    const storeId = whole(parts[1]);
    const id = whole(parts[2]);
    return storeId !== undefined && id !== undefined && id > 0 ? { type: 'ProductSubscription', storeId: storeId === 0 ? null : storeId, id } : undefined;
  }
  return undefined;
}
