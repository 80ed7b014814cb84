import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Who a request is, as the budgets see it: a bearer token earns a bucket of its own only once the
 * Console has accepted it; until then it is charged to its address, like a request without one.
 */
const MY_PRODUCTS = 'GET /api/v2/my/products';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> } };
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return out;
}

describe('tokens nobody vouched for', () => {
  let stack: Stack;
  // The budgets of issue 32's report: 5 operations (burst 10) and 10 Console calls (burst 20) a second.
  beforeAll(async () => (stack = await startStack({ env: { CLIENT_OPERATIONS_PER_SECOND: '5', CLIENT_CONSOLE_CALLS_PER_SECOND: '10' } })));
  afterAll(async () => stack.close());

  it('should charge 400 requests with fresh random tokens from one address to that address: no more Console calls than one budget', async () => {
    await stack.resetStats();
    const started = Date.now();
    const answers = await inBatches(
      Array.from({ length: 400 }, (_, i) => i),
      8,
      () => post(stack.gateway.url, { query: '{ me { products { totalPages } } }' }, { authorization: `Bearer ${randomBytes(24).toString('base64url')}` }),
    );
    const seconds = (Date.now() - started) / 1000;
    const calls = (await stack.stats())[MY_PRODUCTS] ?? 0;
    // One client's budget over the run: the operation burst (10) plus 5 a second, Console calls bounded alike.
    expect(calls).toBeLessThanOrEqual(Math.ceil(10 + 5 * seconds) + 1);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(300);
    // The ones that ran were refused by the Console, never by a crash.
    for (const answer of answers.filter((a) => a.status === 200)) expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('real users behind one address', () => {
  let stack: Stack;
  // 50 Console calls a second per caller (burst 100): the office's 100 verifications fit its
  // address's burst; after that each user spends a bucket of their own. Operations are not limited here.
  beforeAll(async () => (stack = await startStack({ env: { CLIENT_OPERATIONS_PER_SECOND: '0', CLIENT_CONSOLE_CALLS_PER_SECOND: '50' } })));
  afterAll(async () => stack.close());

  it('should give each of 100 users whose token the Console accepted a budget of their own', async () => {
    const users = Array.from({ length: 100 }, (_, i) => stack.tokenFor(400 + i));
    // Each token's first request: its verification is charged to the address (100 calls, the
    // address's burst); the request itself calls nothing, so each user's own bucket stays full.
    const first = await inBatches(users, 10, (token) => post(stack.gateway.url, { query: '{ me { __typename } }' }, { authorization: `Bearer ${token}` }));
    expect(first.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(first.filter((a) => a.body.errors !== undefined)).toEqual([]);
    // 25 aliases of one field: charged 25 before it runs, one Console call (the memo). A user's burst
    // of 100 takes four at once; what each did not call comes back when it ends, so the Console
    // answers slowly here (300 ms) and no operation ends before its user's five are charged.
    const heavy = `{ me { ${Array.from({ length: 25 }, (_, i) => `p${i}: products { page }`).join(' ')} } }`;
    await stack.fault('GET /api/v2/my/products', { latencyMs: 300 });
    // Each user's five at once. A bucket refills 50 a second, so a fifth 25 fits only if the five
    // took half a second or more to be charged (a saturated machine): the bound is stated against
    // how long each user's five took, measured here.
    const perUser = await inBatches(users, 10, async (token) => {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(stack.gateway.url, { query: heavy }, { authorization: `Bearer ${token}` })));
      const ms = performance.now() - started;
      // The budget counts Console calls: each of the four made one and got 24 back when it ended, so
      // four more run at once right away (charged and never given back, the bucket would hold the
      // 15 or so tokens that refilled meanwhile: not one more operation).
      const again = await Promise.all(Array.from({ length: 4 }, () => post(stack.gateway.url, { query: heavy }, { authorization: `Bearer ${token}` })));
      return {
        ran: answers.filter((a) => a.status === 200).length,
        refused: answers.filter((a) => a.status === 429).length,
        ms,
        again: again.filter((a) => a.status === 200).length,
      };
    });
    for (const { ran, refused, ms, again } of perUser) {
      expect(again).toBe(4);
      // Everyone gets their own four; one shared bucket would have allowed four in all.
      expect(ran).toBeGreaterThanOrEqual(4);
      // A budget is a budget: four, and what refilled while the five were charged.
      expect(ran).toBeLessThanOrEqual(4 + Math.floor(((ms / 1000) * 50) / 25));
      expect(ran + refused).toBe(5);
    }
    // On any machine that charges five requests within half a second, most users see their fifth refused.
    expect(perUser.filter((u) => u.ms < 500 && u.ran === 5)).toEqual([]);
  }, 60_000);
});

describe('a lockout under a flood of new clients', () => {
  let stack: Stack;
  // One trusted proxy, so that every flood request is a new address; 1,000 budget keys at most.
  beforeAll(async () => (stack = await startStack({ env: { TRUST_PROXY_HOPS: '1', LIMIT_MAX_KEYS: '1000', CLIENT_OPERATIONS_PER_SECOND: '5' } })));
  afterAll(async () => stack.close());

  it('should still refuse the locked guesser after 1,500 new clients, each with a new address and a random token', async () => {
    const guess = (i: number) => post(stack.gateway.url, { query: LOGIN, variables: { u: 'user7', p: `guess-${i}` } }, { 'x-forwarded-for': '203.0.113.9' });
    for (let i = 0; i < 10; i += 1) expect((await guess(i)).body.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect((await guess(10)).body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    await inBatches(
      Array.from({ length: 1500 }, (_, i) => i),
      20,
      (i) =>
        post(
          stack.gateway.url,
          { query: '{ __typename }' },
          { 'x-forwarded-for': `10.1.${i >> 8}.${i & 255}`, authorization: `Bearer ${randomBytes(16).toString('hex')}` },
        ),
    );
    await stack.resetStats();
    expect((await guess(11)).body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await stack.stats())['POST /api/v2/auth/login'] ?? 0).toBe(0);
  });
});
