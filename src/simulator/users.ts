import { DEFAULT_STORE_ID, PRODUCTS, STORES, UNKNOWN_PRODUCT_ID, isApp, storeOfProduct } from './catalogue.js';
import type { SimLineItem, SimOrder, SimProduct, SimUser } from './rest-records.js';

/** Users `demo` and `user1` … `user1000`; every password is `password`. */
export const USER_COUNT = 1000;
export const DEMO_PASSWORD = 'password';
/** Default-store products that no user owns: line items "outside" a user's list point here. */
const OUTSIDE_IDS = [101, 102, 103, 104, 105];

export interface UserData {
  user: SimUser;
  /** Ordered by id. */
  products: SimProduct[];
  apps: SimProduct[];
  subscriptions: Array<{ order: SimOrder; storeId: number }>;
}

export function userIndexOf(login: string): number | undefined {
  if (login === 'demo') return 0;
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
  return Number.isInteger(n) && n >= 1 && n <= USER_COUNT ? n : undefined;
}

/** mulberry32: a small seeded PRNG, so every user's data is the same in every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(from: readonly T[], count: number, random: () => number): T[] {
  const pool = [...from];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return out;
}

const STATUSES = ['active', 'active', 'on-hold', 'pending-cancel', 'cancelled', 'active', 'expired'];

/**
 * One user's data. `pageSize` matters because line items that point at the user's own products
 * point at their first page: the one the gateway reads to resolve line items.
 */
export function buildUserData(index: number, pageSize: number): UserData {
  const random = prng(index * 7919 + 17);
  const id = userIdOf(index);
  const login = index === 0 ? 'demo' : `user${index}`;
  const user: SimUser = {
    ID: id,
    user_login: login,
    display_name: index === 0 ? 'Demo User' : `User ${index}`,
    user_email: `${login}@example.com`,
    password: DEMO_PASSWORD,
    featureFlags: { isVendor: index % 4 === 0, isWhitelabeled: index % 7 === 3 },
  };

  // Three products from every store (so at least 12, over 4 stores), then a few more anywhere.
  const ownable = PRODUCTS.filter((p) => !OUTSIDE_IDS.includes(p.id));
  const chosen = new Set<SimProduct>();
  for (const s of STORES) for (const p of pick(ownable.filter((q) => q.store.id === s.id), 3, random)) chosen.add(p);
  for (const p of pick(ownable.filter((q) => !chosen.has(q)), index % 5, random)) chosen.add(p);
  const products = [...chosen].sort((a, b) => a.id - b.id);
  const apps = pick(PRODUCTS.filter((p) => isApp(p.id)), 3 + (index % 4), random).sort((a, b) => a.id - b.id);

  const firstPage = products.slice(0, pageSize);
  const subscriptions: UserData['subscriptions'] = [];
  const count = 5 + (index % 3);
  for (let i = 0; i < count; i += 1) {
    const orderId = 500_000 + index * 10 + i;
    const ids = pick(firstPage, 2 + (i % 2), random).map((p) => p.id);
    if (i === 1) ids[0] = OUTSIDE_IDS[index % OUTSIDE_IDS.length]!;
    if (i === 3) ids[ids.length - 1] = UNKNOWN_PRODUCT_ID;
    const lineItems: SimLineItem[] = ids.map((productId, j) => ({
      id: orderId * 10 + j,
      status: 'active',
      product_id: productId,
      variation_id: 0,
      quantity: 1 + ((index + i + j) % 3),
      image: { id: productId * 10, src: `https://flecs.tech/wp-content/uploads/product-${productId}.png` },
    }));
    const status = STATUSES[(index + i) % STATUSES.length]!;
    subscriptions.push({
      storeId: storeOfProduct(ids[0]!)?.id ?? DEFAULT_STORE_ID,
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

