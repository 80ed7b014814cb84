import { Pool } from 'undici';
import { DEFAULT_STORE_ID, PRODUCTS, PRODUCTS_BY_ID, STORES } from '../../src/simulator/catalogue.js';
import { buildUserData, loginOf, type UserData } from '../../src/simulator/users.js';
import { consoleLogin } from '../support/console-login.js';
import { contendCpu, startProcesses } from '../support/processes.js';

/**
 * Many users at once, every answer compared in full with what the Console's REST data says for
 * that user (the simulator's own records, read here without the gateway): the promise that a
 * product that exists is never `null` and nothing of one user reaches another, held at default
 * settings (budgets and login limits on) under load and, when asked, with the CPU contended on
 * purpose. Shared by `test/integration/load-equivalence.test.ts` (a short run in `npm test`) and
 * `npm run soak:equivalence` (a long one).
 */
const PAGE_SIZE = 10;
/** Anonymous visitors browsing the catalogues, each from an address of its own. */
const VISITORS = 100;
/** The one address every user is behind. */
const USERS_ADDRESS = '10.8.0.1';

const LINE_ITEMS = '{ me { subscriptions { total items { id lineItems { id productId quantity product { id name } } } } } }';
const DASHBOARD =
  '{ me { products { page totalPages items { id name } } apps { totalPages items { id } } subscriptions { total items { id lineItems { productId product { id name } } } } } }';

interface Expected {
  lineItems: unknown;
  dashboard: unknown;
}

/**
 * Which stores a product search may read: `configured` (CONSOLE_STORE_IDS names all six), `unlearned`
 * (none configured, and no request ever names a store: only the default one and the stores the
 * caller's own lists name), `learning` (none configured, and anonymous clients browse every store's
 * catalogue during the run, so that stores are learned while searches run).
 */
export type StoreKnowledge = 'configured' | 'unlearned' | 'learning';

const LISTED = new Set(PRODUCTS.map((p) => p.id));

/**
 * What the gateway must answer for this user, from the Console's data and the lookup's documented
 * rule (docs/runtime.md, Product lookup): a line item's product is found in the user's own products
 * or apps, or in the public catalogue of a store the search may read: the default store, the
 * configured and learned ones, and every store the user's own lists name. It is null only when
 * none of those lists has it. `optional`: products that may be null while their store is not yet
 * learned (only in a `learning` run); every other product must be found whatever else runs.
 */
export function expectedFor(user: UserData, knowledge: StoreKnowledge): Expected & { optional: ReadonlySet<number> } {
  const mine = [...user.products, ...user.apps];
  const own = new Set(mine.map((p) => p.id));
  const searched = new Set([DEFAULT_STORE_ID, ...mine.map((p) => p.store.id)]);
  const optional = new Set<number>();
  const productOf = (id: number) => {
    const product = PRODUCTS_BY_ID.get(id);
    if (product === undefined) return null;
    if (own.has(id) || (LISTED.has(id) && searched.has(product.store.id))) return { id, name: product.name };
    if (!LISTED.has(id) || knowledge === 'unlearned') return null;
    if (knowledge === 'learning') optional.add(id);
    return { id, name: product.name };
  };
  const subscriptions = user.subscriptions.map((s) => s.order);
  return {
    optional,
    lineItems: {
      me: {
        subscriptions: {
          total: subscriptions.length,
          items: subscriptions.map((o) => ({
            id: o.id,
            lineItems: o.line_items.map((li) => ({ id: li.id, productId: li.product_id, quantity: li.quantity, product: productOf(li.product_id) })),
          })),
        },
      },
    },
    dashboard: {
      me: {
        products: {
          page: 1,
          totalPages: Math.max(1, Math.ceil(user.products.length / PAGE_SIZE)),
          items: user.products.slice(0, PAGE_SIZE).map((p) => ({ id: p.id, name: p.name })),
        },
        apps: { totalPages: Math.max(1, Math.ceil(user.apps.length / PAGE_SIZE)), items: user.apps.slice(0, PAGE_SIZE).map((p) => ({ id: p.id })) },
        subscriptions: {
          total: subscriptions.length,
          items: subscriptions.map((o) => ({
            id: o.id,
            lineItems: o.line_items.map((li) => ({ productId: li.product_id, product: productOf(li.product_id) })),
          })),
        },
      },
    },
  };
}

/** An answer with each optional product that came back null filled in, so that it compares with the expected one. */
function filledIn(data: unknown, optional: ReadonlySet<number>): unknown {
  const subscriptions = (data as { me?: { subscriptions?: { items?: Array<{ lineItems?: Array<{ productId: number; product: unknown }> }> } } } | null)?.me
    ?.subscriptions?.items;
  for (const item of subscriptions ?? []) {
    for (const line of item.lineItems ?? []) {
      if (line.product === null && optional.has(line.productId)) {
        const product = PRODUCTS_BY_ID.get(line.productId)!;
        line.product = { id: product.id, name: product.name };
      }
    }
  }
  return data;
}

export interface EquivalenceOptions {
  users: number;
  clients: number;
  requests: number;
  knowledge: StoreKnowledge;
  /** Busy processes started beside the run, one per core by default when true. */
  contended?: boolean;
}

export interface EquivalenceRun {
  requests: number;
  /** Answers that differed from the Console's data: the first few, described. */
  wrong: string[];
  wrongCount: number;
  /** Requests refused by a limit (429), or still 503 after five tries: not wrong, but never answered. */
  refused: number;
  /**
   * 503 OVERLOADED answers, each retried after its Retry-After as a well-behaved client does: the
   * admission refuses what a Console slowed down (here by a starved simulator on a busy machine)
   * cannot take in time, and the retried answer is compared like any other.
   */
  overloaded: number;
  seconds: number;
}

/** Starts the simulator and a gateway at default settings (budgets on), runs the load, compares every answer. */
export async function runEquivalence(options: EquivalenceOptions): Promise<EquivalenceRun> {
  const { simulator, gateway, simUrl, url } = await startProcesses({
    NODE_ENV: 'production',
    // The defaults, which the test helpers otherwise turn off for loopback tests.
    CLIENT_OPERATIONS_PER_SECOND: '50',
    CLIENT_CONSOLE_CALLS_PER_SECOND: '200',
    // Behind the Ingress, as production runs (X-Forwarded-For below): the users all behind one
    // address (an office's NAT: each keeps a budget of its own all the same), each anonymous visitor
    // behind its own. From one address too, the visitors' catalogue pages alone came at 70 a second
    // once they were answered from the answer cache, and that address's budget (50) refused them.
    TRUST_PROXY_HOPS: '1',
    ...(options.knowledge === 'configured' ? { CONSOLE_STORE_IDS: STORES.map((s) => s.id).join(',') } : {}),
  });
  const busy = options.contended ? contendCpu() : undefined;
  const pool = new Pool(new URL(url).origin, { connections: options.clients });
  try {
    // Users spread over the simulator's thousand, each logged in at the Console itself: tokens the gateway has not seen.
    const indexes = Array.from({ length: options.users }, (_, i) => 1 + ((i * 7919) % 1000));
    const users = await Promise.all(
      indexes.map(async (index) => {
        const token = await consoleLogin(simUrl, loginOf(index));
        return { index, token, expected: expectedFor(buildUserData(index, PAGE_SIZE), options.knowledge) };
      }),
    );
    const started = Date.now();
    const wrong: string[] = [];
    let wrongCount = 0;
    let refused = 0;
    let overloaded = 0;
    let next = 0;
    /** Sends until the answer is not 503 OVERLOADED (five tries at most, each after its Retry-After). */
    const send = async (headers: Record<string, string>, body: string) => {
      for (let attempt = 1; ; attempt += 1) {
        const res = await pool.request({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', ...headers }, body });
        const text = await res.body.text();
        if (res.statusCode !== 503 || attempt === 5) return { statusCode: res.statusCode, text };
        overloaded += 1;
        await new Promise((r) => setTimeout(r, Number(res.headers['retry-after'] ?? 1) * 1000 * (0.5 + Math.random() / 2)));
      }
    };
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        for (let k = next++; k < options.requests; k = next++) {
          if (options.knowledge === 'learning' && k % 10 === 9) {
            // An anonymous visitor browsing a store's catalogue: the gateway learns the store.
            const storeId = STORES[k % STORES.length].id;
            const visitor = `10.9.0.${Math.floor(k / 10) % VISITORS}`;
            const res = await send(
              { 'x-forwarded-for': visitor },
              JSON.stringify({ query: `{ catalog(storeId: ${storeId}, page: ${1 + (k % 3)}) { page } }` }),
            );
            if (res.statusCode === 429 || res.statusCode === 503) refused += 1;
            continue;
          }
          const user = users[(k * 31) % users.length];
          const kind = k % 2 === 0 ? 'lineItems' : 'dashboard';
          const res = await send(
            { authorization: `Bearer ${user.token}`, 'x-forwarded-for': USERS_ADDRESS },
            JSON.stringify({ query: kind === 'lineItems' ? LINE_ITEMS : DASHBOARD }),
          );
          const text = res.text;
          if (res.statusCode === 429 || res.statusCode === 503) {
            refused += 1;
            continue;
          }
          const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
          const same =
            res.statusCode === 200 &&
            body.errors === undefined &&
            JSON.stringify(filledIn(body.data, user.expected.optional)) === JSON.stringify(user.expected[kind]);
          if (!same) {
            wrongCount += 1;
            if (wrong.length < 5) wrong.push(`user${user.index} ${kind}: ${res.statusCode} ${describeDifference(body, user.expected[kind])}`);
          }
        }
      }),
    );
    return { requests: options.requests, wrong, wrongCount, refused, overloaded, seconds: (Date.now() - started) / 1000 };
  } finally {
    busy?.stop();
    await pool.close();
    await gateway.stop();
    await simulator.stop();
  }
}

/** The first place an answer differs from the expected one, or its errors. */
function describeDifference(body: { data?: unknown; errors?: unknown }, expected: unknown): string {
  if (body.errors !== undefined) return `errors ${JSON.stringify(body.errors).slice(0, 300)}`;
  const walk = (got: unknown, want: unknown, path: string): string | undefined => {
    if (JSON.stringify(got) === JSON.stringify(want)) return undefined;
    if (got && want && typeof got === 'object' && typeof want === 'object') {
      for (const key of new Set([...Object.keys(got), ...Object.keys(want)])) {
        const found = walk((got as Record<string, unknown>)[key], (want as Record<string, unknown>)[key], `${path}.${key}`);
        if (found) return found;
      }
    }
    return `${path}: got ${JSON.stringify(got)?.slice(0, 120)}, want ${JSON.stringify(want)?.slice(0, 120)}`;
  };
  return walk(body.data, expected, 'data') ?? 'same data';
}
