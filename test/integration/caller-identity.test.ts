import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { DashboardDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * One identity for every limit (docs/security.md, "Who is calling"): a user is an account the
 * Console vouched for, whatever token or address it comes with; everything else is its network.
 * Each case is an attack or a crowd as it arrives from outside, over real HTTP.
 */
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
/** The dashboard of test/operations/dashboard.graphql: three lists and every line item's product. */
const DASHBOARD = print(DashboardDocument);
const LOGIN_CALLS = 'POST /api/v2/auth/login';

type Answer = { status: number; body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(await res.text()) as Answer['body'] };
}

/** Runs `work` over `items`, at most `width` at a time. */
async function pooled<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]);
    }),
  );
  return out;
}

const codes = (answers: Answer[]) => answers.map((a) => a.body.errors?.[0]?.extensions?.code ?? a.status);

describe('returning users behind one address, at the default budgets', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ budgets: 'default' })));
  afterAll(async () => stack.close());

  it('should answer 40 users with tokens the gateway never saw, all at once, ten rounds: 400 of 400', async () => {
    // Tokens the Console issued itself (its web app, or before the gateway restarted).
    const tokens = Array.from({ length: 40 }, (_, i) => stack.tokenFor(600 + i));
    const answers: Answer[] = [];
    for (let round = 0; round < 10; round += 1) {
      answers.push(...(await Promise.all(tokens.map((token) => post(stack.gateway.url, { query: DASHBOARD }, { authorization: `Bearer ${token}` })))));
    }
    expect(answers.filter((a) => a.status !== 200 || a.body.errors !== undefined).map((a) => codes([a])[0])).toEqual([]);
    expect(answers).toHaveLength(400);
  }, 60_000);

  it("should answer each of 1,000 users behind one address, verifying as many at once as the address's budget allows, and then give each a budget of their own", async () => {
    const tokens = Array.from({ length: 1000 }, (_, i) => stack.tokenFor(1 + i));
    // Their first requests, 50 at a time: each new token's verification is charged to the address
    // (CLIENT_CONSOLE_CALLS_PER_SECOND at its default, 200 a second, burst 400). A request whose
    // verification the address cannot pay for runs on that same spent budget: RATE_LIMITED with
    // Retry-After, and the client's retry is verified then. How many can be refused depends on how
    // fast the wave arrives, so the bound is computed from the wave's own duration.
    const started = performance.now();
    const first = await pooled(tokens, 50, (token) =>
      post(stack.gateway.url, { query: '{ me { subscriptions { total } } }' }, { authorization: `Bearer ${token}` }),
    );
    const seconds = (performance.now() - started) / 1000;
    const refused = first.filter((a) => a.status === 429);
    expect(first.filter((a) => a.status !== 429 && (a.status !== 200 || a.body.errors !== undefined)).map((a) => codes([a])[0])).toEqual([]);
    expect(refused.length).toBeLessThanOrEqual(Math.max(0, Math.ceil(1000 - 400 - 200 * seconds)) + 50);
    for (const a of refused) expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    // Every refused user, retrying as Retry-After asks, is answered.
    const retried = first.flatMap((a, i) => (a.status === 429 ? [tokens[i]] : []));
    for (let round = 0; round < 10 && retried.length > 0; round += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      const again = await pooled(retried.splice(0), 50, async (token) => ({
        token,
        answer: await post(stack.gateway.url, { query: '{ me { subscriptions { total } } }' }, { authorization: `Bearer ${token}` }),
      }));
      for (const { token, answer } of again) {
        if (answer.status === 429) retried.push(token);
        else expect(answer.body.errors).toBeUndefined();
      }
    }
    expect(retried).toEqual([]);
    // One user spends its whole operation budget (50 a second, burst 100)...
    const spender = await Promise.all(
      Array.from({ length: 150 }, () => post(stack.gateway.url, { query: '{ __typename }' }, { authorization: `Bearer ${tokens[0]}` })),
    );
    expect(spender.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    // ...and every other user of that address still has all of theirs.
    const others = await pooled(tokens.slice(1), 50, (token) => post(stack.gateway.url, { query: '{ __typename }' }, { authorization: `Bearer ${token}` }));
    expect(others.filter((a) => a.status !== 200).length).toBe(0);
  }, 90_000);
});

describe('one budget per user, however many tokens and however new', () => {
  let stack: Stack;
  // 5 operations a second, burst 10: the numbers of the report.
  beforeAll(async () => (stack = await startStack({ env: { CLIENT_OPERATIONS_PER_SECOND: '5' } })));
  afterAll(async () => stack.close());

  it('should run at most 12 of 40 simultaneous operations of one token the gateway has not seen', async () => {
    const token = stack.tokenFor(31);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => post(stack.gateway.url, { query: '{ me { subscriptions { total } } }' }, { authorization: `Bearer ${token}` })),
    );
    const ran = answers.filter((a) => a.status === 200);
    expect(ran.length).toBeGreaterThanOrEqual(10);
    expect(ran.length).toBeLessThanOrEqual(12);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 429 && a.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED')).toBe(true);
  });

  it('should give the 20 tokens of one account one budget: 10 at once with each runs about one burst, not twenty', async () => {
    // Ten tokens from the gateway's own login, ten the Console issued elsewhere: all user7's.
    const logins = await Promise.all(Array.from({ length: 10 }, () => post(stack.gateway.url, { query: LOGIN, variables: { u: 'user7', p: 'password' } })));
    const tokens = [...logins.map((a) => (a.body.data?.login as { token: string }).token), ...Array.from({ length: 10 }, () => stack.tokenFor(7))];
    expect(new Set(tokens).size).toBe(20);
    const answers = await Promise.all(
      tokens.flatMap((token) => Array.from({ length: 10 }, () => post(stack.gateway.url, { query: '{ __typename }' }, { authorization: `Bearer ${token}` }))),
    );
    const ran = answers.filter((a) => a.status === 200).length;
    // The logins spent 10 operations of the address, not of user7; user7's burst is 10, plus what refills meanwhile.
    expect(ran).toBeGreaterThanOrEqual(10);
    expect(ran).toBeLessThanOrEqual(16);
  });

  it('should make no /my/ call with a token the Console said is invalid, and say why', async () => {
    // A token the gateway does not know is charged to its address, whose whole burst the logins
    // above spent: it refills at 5 a second, all 10 in 2 s. (This test passed only while the
    // test before it took 200 ms or more.)
    await new Promise((r) => setTimeout(r, 2000));
    await stack.resetStats();
    const answer = await post(stack.gateway.url, { query: '{ me { products { page } } }' }, { authorization: 'Bearer not-a-token-the-console-knows' });
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(answer.body.errors?.[0]?.message).not.toContain('not-a-token');
    const stats = await stack.stats();
    expect(stats['POST /api/v2/auth/validate']).toBe(1);
    expect(stats['GET /api/v2/my/products'] ?? 0).toBe(0);
  });
});

describe('password guessing across networks', () => {
  let stack: Stack;
  // One trusted proxy: every guess can come from an address of its own, as from a botnet.
  beforeAll(async () => (stack = await startStack({ env: { TRUST_PROXY_HOPS: '1' } })));
  afterAll(async () => stack.close());
  const login = (user: string, password: string, from: string) =>
    post(stack.gateway.url, { query: LOGIN, variables: { u: user, p: password } }, { 'x-forwarded-for': from });

  it('should let a bounded number of 300 guesses from 300 addresses reach the Console, and the real user in from a network it used before', async () => {
    // The real user logged in from home before the attack.
    expect((await login('user8', 'password', '198.51.100.23')).body.data?.login).toBeDefined();
    await stack.resetStats();
    const guesses = await pooled(
      Array.from({ length: 300 }, (_, i) => i),
      20,
      (i) => login('user8', `guess-${i}`, `10.${i >> 8}.${i & 255}.9`),
    );
    const reached = (await stack.stats())[LOGIN_CALLS] ?? 0;
    // LOGIN_MAX_FAILURES_PER_ACCOUNT (50 an hour) reach the Console; the rest are refused unsent.
    expect(reached).toBe(50);
    expect(codes(guesses).filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(50);
    expect(codes(guesses).filter((c) => c === 'RATE_LIMITED')).toHaveLength(250);
    // From home the real user still gets in; from a network it never used, it waits like the attacker.
    expect((await login('user8', 'password', '198.51.100.23')).body.data?.login).toBeDefined();
    expect(codes([await login('user8', 'password', '192.0.2.44')])).toEqual(['RATE_LIMITED']);
    // Another account is untouched.
    expect((await login('user9', 'password', '192.0.2.44')).body.data?.login).toBeDefined();
  }, 60_000);

  it('should treat 200 addresses of one IPv6 /64 as one network', async () => {
    await stack.resetStats();
    const hex = (i: number) => i.toString(16);
    const guesses = await pooled(
      Array.from({ length: 200 }, (_, i) => i),
      20,
      (i) => login('user10', `guess-${i}`, `2001:db8:7:8:${hex(i)}:${hex(i * 7)}:${hex(i * 13)}:1`),
    );
    // LOGIN_MAX_FAILURES_PER_USER_ADDRESS (10) for the pair (user10, 2001:db8:7:8::/64).
    expect((await stack.stats())[LOGIN_CALLS] ?? 0).toBe(10);
    expect(codes(guesses).filter((c) => c === 'RATE_LIMITED')).toHaveLength(190);
    // Another /64 is another network.
    expect(codes([await login('user10', 'wrong', '2001:db8:7:9::1')])).toEqual(['INVALID_CREDENTIALS']);
  }, 60_000);
});

describe('CORS_ORIGINS=* on answers a cache may keep', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { CORS_ORIGINS: '*' } })));
  afterAll(async () => stack.close());

  it('should answer any origin with `*`, never one origin echoed into an answer a CDN keeps for everyone', async () => {
    const res = await fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ catalog { page } }')}`, { headers: { origin: 'https://a.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    await res.text();
  });
});
