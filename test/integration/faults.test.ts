import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { LoginDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The fault matrix: every Console route the gateway calls × every fault the simulator can inject.
 * Adding a fault or a route is one line in a table below.
 */
const TIMEOUT_MS = 400;
let stack: Stack;
/** user1's token, verified by the gateway before any case injects a fault into validate. */
let user1: string;
beforeAll(async () => {
  // The circuit breaker has its own test; here it must not turn one case's faults into the next's.
  // The public cache too: every case must reach the Console.
  stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), CIRCUIT_FAILURE_THRESHOLD: '1000', PUBLIC_CACHE_TTL_MS: '0' } });
  user1 = await stack.returningUser(1);
});
afterAll(async () => stack.close());
beforeEach(async () => {
  await stack.clearFaults();
  await stack.resetStats();
});

interface RouteCase {
  /** The operation; `$token` is replaced by a fresh token. */
  query: string;
  /** Path of the field that must fail. */
  path: string;
  /** Fields that must still resolve (dotted paths into data). */
  intact: string[];
  /** The code a 401/403 from this route becomes. */
  refused: string;
  /** Statuses this route reads as the caller's input refused (BAD_USER_INPUT, no upstream details). */
  inputRefused?: number[];
}

const ROUTES: Record<string, RouteCase> = {
  'POST /api/v2/auth/login': {
    query: 'mutation { login(username: "user5", password: "password") { token } }',
    path: 'login',
    intact: [],
    refused: 'INVALID_CREDENTIALS',
  },
  'POST /api/v2/auth/validate': {
    query: '{ validateToken(token: "$token") { isValid } catalog { page } }',
    path: 'validateToken',
    intact: ['catalog'],
    refused: 'UPSTREAM_ERROR',
  },
  'GET /api/v2/my/products': {
    query: '{ me { products { page } apps { page } subscriptions { total } } catalog { page } }',
    path: 'me.products',
    intact: ['me.apps', 'me.subscriptions', 'catalog'],
    refused: 'UNAUTHENTICATED',
  },
  'GET /api/v2/my/products/apps': {
    query: '{ me { products { page } apps { page } subscriptions { total } } catalog { page } }',
    path: 'me.apps',
    intact: ['me.products', 'me.subscriptions', 'catalog'],
    refused: 'UNAUTHENTICATED',
  },
  'GET /api/v2/my/subscriptions': {
    query: '{ me { products { page } apps { page } subscriptions { total } } catalog { page } }',
    path: 'me.subscriptions',
    intact: ['me.products', 'me.apps', 'catalog'],
    refused: 'UNAUTHENTICATED',
  },
  'GET /api/v2/products': {
    query: '{ catalog { page } appCatalog { total } me { products { page } } }',
    path: 'catalog',
    intact: ['appCatalog', 'me.products'],
    refused: 'UPSTREAM_ERROR',
  },
  'GET /api/v2/products/apps': {
    query: '{ catalog { page } appCatalog { total } me { products { page } } }',
    path: 'appCatalog',
    intact: ['catalog', 'me.products'],
    refused: 'UPSTREAM_ERROR',
  },
  'POST /api/v2/products/apps/reviews': {
    query: 'mutation { reviewApp(input: { productId: 1201, rating: 5, review: "Runs well.", reviewer: "Demo", reviewerEmail: "demo@example.com" }) { id } }',
    path: 'reviewApp',
    intact: [],
    refused: 'UNAUTHENTICATED',
    inputRefused: [400, 404, 422],
  },
};

/** `code` is an error code, or 'refused' for a request refused before any field ran. */
type Expect = { code: string; status?: number; retryAfter?: number } | 'ok';
const FAULTS: Array<[string, { status?: number; mode?: string; latencyMs?: number }, Expect]> = [
  ['500', { status: 500 }, { code: 'UPSTREAM_ERROR', status: 500 }],
  ['503', { status: 503 }, { code: 'UPSTREAM_ERROR', status: 503 }],
  ['502 with an HTML body', { mode: 'html' }, { code: 'UPSTREAM_ERROR', status: 502 }],
  ['truncated JSON', { mode: 'truncated' }, { code: 'UPSTREAM_ERROR', status: 200 }],
  ['an empty body', { mode: 'empty' }, { code: 'UPSTREAM_ERROR', status: 200 }],
  ['a JSON envelope of the wrong shape', { mode: 'malformed' }, { code: 'UPSTREAM_ERROR', status: 200 }],
  ['a connection reset', { mode: 'reset' }, { code: 'UPSTREAM_UNAVAILABLE' }],
  ['a hang', { mode: 'hang' }, { code: 'UPSTREAM_TIMEOUT' }],
  ['401', { status: 401 }, { code: 'refused', status: 401 }],
  ['403', { status: 403 }, { code: 'refused', status: 403 }],
  ['404', { status: 404 }, { code: 'UPSTREAM_ERROR', status: 404 }],
  ['429 with Retry-After', { status: 429 }, { code: 'UPSTREAM_RATE_LIMITED', status: 429, retryAfter: 1 }],
  ['slow but inside the timeout', { latencyMs: TIMEOUT_MS / 4 }, 'ok'],
];

function at(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], data);
}

describe.each(Object.entries(ROUTES))('a fault on %s', (route, spec) => {
  it.each(FAULTS)('should answer %s with the right code on that field only, in time, without the token', async (_name, fault, expected) => {
    await stack.fault(route, fault);
    const token = stack.tokenFor(5);
    const started = performance.now();
    const res = await stack.gql(spec.query.replace('$token', token), {}, { token });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    expect(res.status).toBe(200);
    // (A successful login legitimately returns a token: the same one, within the same second.)
    if (expected !== 'ok') expect(res.text).not.toContain(token);
    expect(res.text).not.toMatch(/<html|<h1|Injected fault|stacktrace/i);
    // expect.anything() refuses null and undefined: `at()` answers undefined when a parent was wiped out.
    for (const field of spec.intact) expect({ field, value: at(res.body.data, field) }).toEqual({ field, value: expect.anything() });
    if (expected === 'ok') {
      expect(res.body.errors).toBeUndefined();
      expect(at(res.body.data, spec.path)).toEqual(expect.anything());
      return;
    }
    expect(res.body.errors).toHaveLength(1);
    const error = res.body.errors![0];
    expect(error.path?.join('.')).toBe(spec.path);
    if (expected.status !== undefined && spec.inputRefused?.includes(expected.status)) {
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(at(res.body.data, spec.path) ?? null).toBeNull();
      return;
    }
    expect(error.extensions?.code).toBe(expected.code === 'refused' ? spec.refused : expected.code);
    expect(error.extensions?.upstream).toEqual({ route, ...(expected.status === undefined ? {} : { status: expected.status }) });
    if (expected.retryAfter !== undefined) expect(error.extensions?.retryAfter).toBe(expected.retryAfter);
    expect(at(res.body.data, spec.path) ?? null).toBeNull();
  });
});

describe('retries', () => {
  it.each([
    ['GET', 'GET /api/v2/my/products', '{ me { products { page } } }', 2],
    ['POST', 'POST /api/v2/auth/validate', '{ validateToken(token: "abc") { isValid } }', 1],
  ])('should retry a %s on 503 %s times in all', async (_method, route, query, calls) => {
    await stack.fault(route, { status: 503 });
    await stack.gql(query, {}, { token: user1 });
    expect((await stack.stats())[route]).toBe(calls);
  });

  it('should not retry a 500 or a timeout', async () => {
    await stack.fault('GET /api/v2/my/products', { status: 500 });
    await stack.fault('GET /api/v2/my/subscriptions', { mode: 'hang' });
    await stack.gql('{ me { products { page } subscriptions { total } } }', {}, { token: stack.tokenFor(1) });
    const stats = await stack.stats();
    expect(stats['GET /api/v2/my/products']).toBe(1);
    expect(stats['GET /api/v2/my/subscriptions']).toBe(1);
  });
});

describe('auth as a session', () => {
  it('should make no further /my/ call once the Console refused the token in this request', async () => {
    await stack.fault('GET /api/v2/my/products', { status: 401, latencyMs: 0 });
    await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: 150 });
    // subscriptions starts in parallel; the line items' product lookup (my/products) comes after
    // the 401 and must not be sent again.
    const res = await stack.gql('{ me { products { page } subscriptions { items { lineItems { product { id } } } } } }', {}, { token: stack.tokenFor(2) });
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.errors?.every((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    const stats = await stack.stats();
    // Every /my/ route: products once (the 401), subscriptions once (already on its way), and
    // neither the lookup's second read of my/products nor its read of my/products/apps.
    expect(Object.fromEntries(Object.entries(stats).filter(([route]) => route.includes('/my/')))).toEqual({
      'GET /api/v2/my/products': 1,
      'GET /api/v2/my/subscriptions': 1,
    });
  });
});

describe('other Console failures', () => {
  it('should answer a wrong password with INVALID_CREDENTIALS and no HTML', async () => {
    const res = await stack.gql(LoginDocument, { username: 'demo', password: 'wrong' });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(res.body.errors?.[0]?.extensions?.upstream).toEqual({ route: 'POST /api/v2/auth/login', status: 403 });
    expect(res.text).not.toMatch(/<a |href|lost-password/);
    expect(res.text).not.toContain('wrong');
  });

  it.each([
    ['an empty username', { username: '', password: 'password' }, 'username'],
    ['a blank password', { username: 'demo', password: '   ' }, 'password'],
    ['a 300-character username', { username: 'u'.repeat(300), password: 'password' }, 'username'],
  ])('should refuse login with %s as BAD_USER_INPUT without calling the Console', async (_name, vars, argument) => {
    const res = await stack.gql(LoginDocument, vars);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(await stack.stats()).toEqual({});
  });

  it('should say UNAUTHENTICATED on every viewer field when the Console does not accept the token', async () => {
    const res = await stack.gql('{ me { featureFlags { isVendor } products { page } } }', {}, { token: 'not.a.token' });
    expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual([
      ['me.featureFlags', 'UNAUTHENTICATED'],
      ['me.products', 'UNAUTHENTICATED'],
    ]);
    expect(res.body.data).toEqual({ me: { featureFlags: null, products: null } });
  });
});

describe('an unreachable Console', () => {
  it('should answer UPSTREAM_UNAVAILABLE on every field, quickly', async () => {
    const closed = await startStack();
    const deadUrl = closed.sim.url;
    await closed.close();
    const dead = await startStack({ env: { CONSOLE_URL: deadUrl } });
    try {
      const started = Date.now();
      const res = await dead.gql('{ me { products { page } apps { page } subscriptions { total } } catalog { page } }', {}, { token: dead.tokenFor(1) });
      // A refused connection is known at once (one retry of a reset included); UPSTREAM_TIMEOUT_MS is 10 s.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(Object.fromEntries(res.body.errors!.map((e) => [e.path!.join('.'), e.extensions?.code]))).toEqual({
        'me.products': 'UPSTREAM_UNAVAILABLE',
        'me.apps': 'UPSTREAM_UNAVAILABLE',
        'me.subscriptions': 'UPSTREAM_UNAVAILABLE',
        catalog: 'UPSTREAM_UNAVAILABLE',
      });
    } finally {
      await dead.close();
    }
  });
});
