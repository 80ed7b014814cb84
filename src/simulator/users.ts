import { DEFAULT_STORE_ID, DELISTED_PRODUCTS, PRODUCTS, UNKNOWN_PRODUCT_ID, isApp, storeOfProduct } from './catalogue.js';
import { prng } from './prng.js';
import type { SimLineItem, SimOrder, SimProduct, SimUser } from './rest-records.js';

/** Users `demo` and `user1` … `user1000`; every password is `password`. */
export const USER_COUNT = 1000;
/**
 * Users `compact1` … `compact100`: small accounts whose products, apps and subscriptions each fit on
 * one page (as many real accounts do), the bench's `dashboard-onepage`. Their indexes follow the
 * others', so that no existing user changes.
 */
export const COMPACT_USER_COUNT = 100;
export const DEMO_PASSWORD = 'password';

/** The login of a user index: demo, userN, or compactN. */
export function loginOf(index: number): string {
  return index === 0 ? 'demo' : index > USER_COUNT ? `compact${index - USER_COUNT}` : `user${index}`;
}

export interface UserData {
  user: SimUser;
  /** Ordered by id. */
  products: SimProduct[];
  apps: SimProduct[];
  subscriptions: Array<{ order: SimOrder; storeId: number }>;
}

export function userIndexOf(login: string): number | undefined {
  if (login === 'demo') return 0;
  const compact = /^compact([1-9]\d{0,2})$/.exec(login);
  if (compact) return Number(compact[1]) <= COMPACT_USER_COUNT ? USER_COUNT + Number(compact[1]) : undefined;
  const match = /^user([1-9]\d{0,3})$/.exec(login);
  const n = match ? Number(match[1]) : NaN;
  return n >= 1 && n <= USER_COUNT ? n : undefined;
}

export function userIdOf(index: number): number {
  return index === 0 ? 42 : 1000 + index;
}

export function indexOfUserId(id: number): number | undefined {
  if (id === 42) return 0;
  const n = id - 1000;
  return Number.isInteger(n) && n >= 1 && n <= USER_COUNT + COMPACT_USER_COUNT ? n : undefined;
}

function pick<T>(from: readonly T[], count: number, random: () => number): T[] {
  const pool = [...from];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
  return out;
}

const STATUSES = ['active', 'active', 'on-hold', 'pending-cancel', 'cancelled', 'active', 'expired'];

/** How many products a user owns: demo 27, one user in three 21–33 (over 2 pages of 10), the rest 6–17, compact users 3–7. */
function productCountOf(index: number): number {
  if (index === 0) return 27;
  if (index > USER_COUNT) return 3 + (index % 5);
  return index % 3 === 0 ? 21 + (index % 13) : 6 + (index % 12);
}

/**
 * One user's data, shaped like a real Console account: products over several pages and stores
 * (some since delisted from the public catalogue), apps that include free ones never bought (so
 * only `/my/products/apps` lists them), and subscriptions whose line items point at products on any
 * page, at those apps, at other stores' products the user does not own, and at an id that exists
 * nowhere. `pageSize` is only used to make sure line items reach past the first page.
 */
export function buildUserData(index: number, pageSize: number): UserData {
  const random = prng(index * 7919 + 17);
  const id = userIdOf(index);
  const login = loginOf(index);
  const user: SimUser = {
    ID: id,
    user_login: login,
    display_name: index === 0 ? 'Demo User' : index > USER_COUNT ? `Compact User ${index - USER_COUNT}` : `User ${index}`,
    user_email: `${login}@example.com`,
    password: DEMO_PASSWORD,
    featureFlags: { isVendor: index % 4 === 0, isWhitelabeled: index % 7 === 3 },
  };

  const paid = (p: SimProduct) => p.price !== '';
  const ownedDelisted = pick(DELISTED_PRODUCTS.filter(paid), 1 + (index % 2), random);
  const ownedListed = pick(PRODUCTS.filter(paid), productCountOf(index) - ownedDelisted.length, random);
  const products = [...ownedListed, ...ownedDelisted].sort((a, b) => a.id - b.id);
  const owned = new Set(products.map((p) => p.id));
  // Free apps are installed, not bought: /my/products does not list them, /my/products/apps does.
  const freeApps = pick(
    [...PRODUCTS, ...DELISTED_PRODUCTS].filter((p) => isApp(p) && !paid(p)),
    index > USER_COUNT ? 1 : 1 + (index % 3),
    random,
  );
  const apps = [...products.filter(isApp), ...freeApps].sort((a, b) => a.id - b.id);

  const firstPage = products.slice(0, pageSize);
  const laterPages = products.slice(pageSize);
  const notOwned = PRODUCTS.filter((p) => !owned.has(p.id) && paid(p));
  const otherStores = notOwned.filter((p) => p.store.id !== DEFAULT_STORE_ID);
  const defaultStore = notOwned.filter((p) => p.store.id === DEFAULT_STORE_ID);
  const one = (from: readonly SimProduct[]): number[] => pick(from, 1, random).map((p) => p.id);
  const lineSets: number[][] = [
    [...one(firstPage), ...one(firstPage)],
    [...one(laterPages.length > 0 ? laterPages : firstPage), ...one(otherStores)],
    [...one(freeApps), ...one(products)],
    [...one(products), UNKNOWN_PRODUCT_ID],
    [...one(ownedDelisted), ...one(defaultStore), ...one(laterPages.length > 0 ? laterPages : products)],
    [...one(otherStores), ...one(products)],
    [...one(products), ...one(products)],
  ];
  const subscriptions: UserData['subscriptions'] = [];
  const count = 5 + (index % 3);
  for (let i = 0; i < count; i += 1) {
    const orderId = 500_000 + index * 10 + i;
    const ids = lineSets[i];
    const lineItems: SimLineItem[] = ids.map((productId, j) => ({
      id: orderId * 10 + j,
      status: 'active',
      product_id: productId,
      variation_id: 0,
      quantity: 1 + ((index + i + j) % 3),
      image: { id: productId * 10, src: `https://flecs.tech/wp-content/uploads/product-${productId}.png` },
    }));
    const status = STATUSES[(index + i) % STATUSES.length];
    subscriptions.push({
      storeId: storeOfProduct(ids[0])?.id ?? DEFAULT_STORE_ID,
      order: {
        id: orderId,
        status,
        customer_id: id,
        line_items: lineItems,
        billing: {
          first_name: index === 0 ? 'Demo' : 'User',
          last_name: index === 0 ? 'User' : String(index),
          company: index % 2 === 0 ? `Company ${index}` : '',
          email: user.user_email,
        },
      },
    });
  }
  return { user, products, apps, subscriptions };
}
