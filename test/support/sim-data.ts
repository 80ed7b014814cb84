import { DEFAULT_STORE_ID, STORES, publicCatalogue } from '../../src/simulator/catalogue.js';
import type { UserData } from '../../src/simulator/users.js';

/** Facts about the simulator's data that tests compare the gateway's behaviour with. */
export const PAGE_SIZE = 10;

export function pagesOf(count: number): number {
  return Math.max(1, Math.ceil(count / PAGE_SIZE));
}

/** Pages of every store's public catalogue, the default one read without store_id. */
export function allCataloguePages(): number {
  return STORES.reduce((sum, s) => sum + pagesOf(publicCatalogue(s.id).length), 0);
}

/**
 * The Console calls of the README's dashboard for one user: its /my/ routes (every page of the
 * products and apps, since one line item points at an id that exists nowhere, which only reading
 * every list proves), validate, and, on a cold public cache, every catalogue page. A cold process
 * does not know yet which store is the default one: when the user's first pages taught it the
 * default store's id, that store's page 1 is read twice, with and without store_id (README,
 * "Product lookup").
 */
export function dashboardCalls(user: UserData, cache: 'cold' | 'warm'): Record<string, number> {
  const learned = new Set([...user.products.slice(0, PAGE_SIZE), ...user.apps.slice(0, PAGE_SIZE)].map((p) => p.store.id));
  return {
    'GET /api/v2/my/products': pagesOf(user.products.length),
    'GET /api/v2/my/products/apps': pagesOf(user.apps.length),
    'GET /api/v2/my/subscriptions': 1,
    'POST /api/v2/auth/validate': 1,
    ...(cache === 'cold' ? { 'GET /api/v2/products': allCataloguePages() + (learned.has(DEFAULT_STORE_ID) ? 1 : 0) } : {}),
  };
}
