import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryLimitStore } from '../../src/edge/limit-store.js';
import { startGatewayProcess, startProcess, type Started } from '../support/processes.js';
import { REDIS_SERVER, startRedis, warnRedisMissing, type RunningRedis } from '../support/redis.js';
import { startStack, type Stack } from '../support/stack.js';

/** The defended edge (issue 15): login brute force, per-client budgets, the client's address. */
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const LOGIN_ROUTE = 'POST /api/v2/auth/login';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  };
}

describe('login brute-force protection', () => {
  let stack: Stack;
  // One hop trusted: X-Forwarded-For names the client, as behind an ingress.
  beforeAll(async () => (stack = await startStack({ env: { TRUST_PROXY_HOPS: '1' } })));
  afterAll(async () => stack.close());
  afterEach(async () => stack.resetStats());

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('should let 10 wrong passwords for one user from one address reach the Console, refuse the next 190 without a call, and still let the user in from another address', async () => {
    const answers = [];
    for (let i = 0; i < 200; i += 1)
      answers.push(await post(stack.gateway.url, { query: LOGIN, variables: { u: 'user7', p: `guess-${i}` } }, from('203.0.113.9')));
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(10);
    expect(answers.slice(0, 10).map((a) => a.body.errors?.[0]?.extensions?.code)).toEqual(Array(10).fill('INVALID_CREDENTIALS'));
    for (const refused of answers.slice(10)) {
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      expect(refused.body.errors?.[0]?.extensions?.retryAfter as number).toBeGreaterThan(800); // the rest of the 15-minute window
      // Never the password, and the same words whether or not the user exists.
      expect(JSON.stringify(refused.body)).not.toContain('guess-');
    }
    const unknownUser = await post(stack.gateway.url, { query: LOGIN, variables: { u: 'nobody-here', p: 'x' } }, from('203.0.113.9'));
    expect(unknownUser.body.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    // Case and spaces do not make another username.
    const variant = await post(stack.gateway.url, { query: LOGIN, variables: { u: '  USER7 ', p: 'password' } }, from('203.0.113.9'));
    expect(variant.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    // The real user, elsewhere: the attacker did not lock them out.
    const elsewhere = await post(stack.gateway.url, { query: LOGIN, variables: { u: 'user7', p: 'password' } }, from('198.51.100.20'));
    expect(elsewhere.body.errors).toBeUndefined();
    // Another user from the attacker's address is unaffected (under the per-address limit).
    const other = await post(stack.gateway.url, { query: LOGIN, variables: { u: 'user8', p: 'password' } }, from('203.0.113.9'));
    expect(other.body.errors).toBeUndefined();
  });

  it('should count aliased login fields one attempt each: a batch stops at its first failed guess, and a spent limit refuses the batch (issue 23.8)', async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: login(username: "user9", password: "wrong${i}") { token }`).join(' ');
    // Mutation fields run one after another, and a failed non-null login ends the operation: one guess per batch.
    const first = await post(stack.gateway.url, { query: `mutation { ${aliases} }` }, from('203.0.113.50'));
    expect(first.body.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_CREDENTIALS']);
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(1);
    for (let i = 0; i < 9; i += 1) await post(stack.gateway.url, { query: `mutation { ${aliases} }` }, from('203.0.113.50'));
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(10);
    const refused = await post(stack.gateway.url, { query: 'mutation { ok: login(username: "user9", password: "password") { token } }' }, from('203.0.113.50'));
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(10);
  });

  it('should block an address after 100 failures whichever usernames it tries', async () => {
    for (let i = 0; i < 100; i += 1) await post(stack.gateway.url, { query: LOGIN, variables: { u: `user${100 + i}`, p: 'wrong' } }, from('203.0.113.77'));
    const next = await post(stack.gateway.url, { query: LOGIN, variables: { u: 'user300', p: 'password' } }, from('203.0.113.77'));
    expect(next.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(100);
  });
});

describe('the client address without trusted proxies', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { LOGIN_MAX_FAILURES_PER_USER_ADDRESS: '3' } })));
  afterAll(async () => stack.close());

  it('should ignore a forged X-Forwarded-For: every guess counts against the TCP peer', async () => {
    for (let i = 0; i < 6; i += 1)
      await post(stack.gateway.url, { query: LOGIN, variables: { u: 'user11', p: 'wrong' } }, { 'x-forwarded-for': `192.0.2.${i}` });
    expect((await stack.stats())[LOGIN_ROUTE]).toBe(3);
  });
});

describe('per-client budgets', () => {
  let stack: Stack;
  // Small budgets so that a test can spend one quickly.
  beforeAll(async () => (stack = await startStack({ env: { CLIENT_OPERATIONS_PER_SECOND: '5', CLIENT_CONSOLE_CALLS_PER_SECOND: '1000' } })));
  afterAll(async () => stack.close());

  it('should answer 429 with Retry-After to a token over its budget, without a Console call, while another token keeps working', async () => {
    const greedy = stack.tokenFor(12);
    const statuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 15; i += 1) {
      const res = await post(stack.gateway.url, { query: '{ me { products { page } } }' }, { authorization: `Bearer ${greedy}` });
      statuses.push(res.status);
      if (res.status === 429) refusal ??= res;
    }
    // The burst is twice the rate: 10 at once, then one every 200 ms.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(15);
    expect(refusal!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(refusal!.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    await stack.resetStats();
    await post(stack.gateway.url, { query: '{ me { products { page } } }' }, { authorization: `Bearer ${greedy}` });
    expect((await stack.stats())['GET /api/v2/my/products'] ?? 0).toBe(0);
    const other = await post(stack.gateway.url, { query: '{ me { products { page } } }' }, { authorization: `Bearer ${stack.tokenFor(13)}` });
    expect(other.status).toBe(200);
    expect(other.body.errors).toBeUndefined();
  });

  it('should never limit /healthz, /readyz or /metrics', async () => {
    const base = stack.gateway.url.replace(/\/graphql$/, '');
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => fetch(i % 3 === 2 ? stack.gateway.metricsUrl : `${base}/${i % 3 ? 'readyz' : 'healthz'}`).then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('the Console-call budget', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { CLIENT_OPERATIONS_PER_SECOND: '1000', CLIENT_CONSOLE_CALLS_PER_SECOND: '3' } })));
  afterAll(async () => stack.close());

  it('should charge an operation its upstream cost before it runs, and refuse it whole when the budget is spent', async () => {
    const token = stack.tokenFor(14);
    // A token the gateway has not seen is verified before its first operation, which already runs on its user's budget (burst 6).
    const dashboard = '{ me { products { page } apps { page } subscriptions { total } } }'; // 3 Console calls
    const first = await post(stack.gateway.url, { query: dashboard }, { authorization: `Bearer ${token}` });
    const second = await post(stack.gateway.url, { query: dashboard }, { authorization: `Bearer ${token}` });
    await stack.resetStats();
    const third = await post(stack.gateway.url, { query: dashboard }, { authorization: `Bearer ${token}` });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(third.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await stack.stats()).toEqual({});
  });
});

describe('in-process counters under a million distinct clients', () => {
  it('should hold at most LIMIT_MAX_KEYS keys, the least recently used dropped first', async () => {
    // A clock that stands still: no bucket refills while the test runs.
    const store = new MemoryLimitStore(1000, () => 0);
    for (let i = 0; i < 1_000_000; i += 1) await store.take(`t:${i}`, 1, 50, 100);
    expect(store.size).toBe(1000);
    // The newest clients are the ones kept: the last one has spent one token of its burst, so a
    // whole burst no longer fits; the first one was dropped and starts afresh with a full burst.
    expect((await store.take('t:999999', 100, 50, 100)).allowed).toBe(false);
    expect((await store.take('t:999000', 100, 50, 100)).allowed).toBe(false);
    expect((await store.take('t:0', 100, 50, 100)).allowed).toBe(true);
    expect((await store.take('t:998999', 100, 50, 100)).allowed).toBe(true);
  });
});

const redisSuite = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) warnRedisMissing('test/integration/edge.test.ts');

redisSuite('limits shared by three replicas on one Redis', () => {
  let redis: RunningRedis;
  let simulator: Started;
  let simUrl: string;
  const gateways: Array<{ process: Started; url: string }> = [];

  beforeAll(async () => {
    redis = await startRedis();
    simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
    simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    for (let i = 0; i < 3; i += 1) {
      gateways.push(
        await startGatewayProcess({
          CONSOLE_URL: simUrl,
          NODE_ENV: 'production',
          REDIS_URL: redis.url,
          CLIENT_OPERATIONS_PER_SECOND: '5',
          CLIENT_CONSOLE_CALLS_PER_SECOND: '0',
        }),
      );
    }
  }, 30_000);
  afterAll(async () => {
    for (const g of gateways) await g.process.stop();
    await simulator?.stop();
    await redis?.close();
  });

  it('should enforce one budget across the replicas, and go on per process, without a 5xx, once Redis is gone', async () => {
    const login = await post(`${simUrl}/api/v2/auth/login`, { username: 'user15', password: 'password', issueJWT: true });
    const token = (login.body as unknown as { data: { jwt: { token: string } } }).data.jwt.token;
    const auth = { authorization: `Bearer ${token}` };
    const round = async (count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i += 1) statuses.push((await post(gateways[i % 3].url, { query: '{ __typename }' }, auth)).status);
      return statuses;
    };
    const shared = await round(30);
    // One bucket for all three: a burst of 10 (plus what refills meanwhile), not 3 × 10.
    expect(shared.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(shared.filter((s) => s === 200).length).toBeLessThan(20);
    expect(shared.filter((s) => s !== 200 && s !== 429)).toEqual([]);

    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    const alone = await round(60);
    // Per process now: each replica has a burst of its own, and the limits still hold.
    expect(alone.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(alone.filter((s) => s === 200).length).toBeGreaterThanOrEqual(25);
    expect(alone.filter((s) => s === 429).length).toBeGreaterThan(0);
    await redis.restart();
  }, 30_000);
});
