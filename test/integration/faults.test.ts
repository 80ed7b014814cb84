import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { LoginDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

const TIMEOUT_MS = 400;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) } });
});
afterAll(async () => stack.close());
beforeEach(async () => {
  await stack.clearFaults();
  await stack.resetStats();
});

const VIEWER_QUERY = `{
  me { products { items { id } } apps { items { id } } subscriptions { total } }
  catalog { items { id } }
}`;

const FIELD_OF_ROUTE: Record<string, string> = {
  'GET /api/v2/my/products': 'products',
  'GET /api/v2/my/products/apps': 'apps',
  'GET /api/v2/my/subscriptions': 'subscriptions',
};

// fault → the code the failing field gets, and the upstream status reported (undefined: none).
const FAULTS: Array<[string, { status?: number; mode?: string; latencyMs?: number }, string, number | undefined]> = [
  ['500', { status: 500 }, 'UPSTREAM_ERROR', 500],
  ['503', { status: 503 }, 'UPSTREAM_ERROR', 503],
  ['502 with an HTML body', { mode: 'html' }, 'UPSTREAM_ERROR', 502],
  ['truncated JSON', { mode: 'truncated' }, 'UPSTREAM_ERROR', 200],
  ['an empty body', { mode: 'empty' }, 'UPSTREAM_ERROR', 200],
  ['a connection reset', { mode: 'reset' }, 'UPSTREAM_UNAVAILABLE', undefined],
  ['a hang', { mode: 'hang' }, 'UPSTREAM_TIMEOUT', undefined],
  ['401', { status: 401 }, 'UNAUTHENTICATED', 401],
  ['403', { status: 403 }, 'UNAUTHENTICATED', 403],
  ['404', { status: 404 }, 'UPSTREAM_ERROR', 404],
  ['429', { status: 429 }, 'UPSTREAM_ERROR', 429],
];

describe.each(Object.keys(FIELD_OF_ROUTE))('a fault on %s', (route) => {
  const field = FIELD_OF_ROUTE[route]!;

  it.each(FAULTS)('should turn %s into the right code on that field only', async (_name, fault, code, status) => {
    await stack.fault(route, fault);
    const token = stack.tokenFor(5);
    const started = performance.now();
    const res = await stack.gql(VIEWER_QUERY, {}, { token });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    expect(res.status).toBe(200);
    expect(res.body.errors).toHaveLength(1);
    const error = res.body.errors![0]!;
    expect(error.path).toEqual(['me', field]);
    expect(error.extensions?.code).toBe(code);
    expect(error.extensions?.upstream).toEqual({ route, ...(status === undefined ? {} : { status }) });
    expect(error.extensions?.stacktrace).toBeUndefined();
    const me = (res.body.data as { me: Record<string, unknown> }).me;
    expect(me[field]).toBeNull();
    for (const other of Object.values(FIELD_OF_ROUTE).filter((f) => f !== field)) expect(me[other]).not.toBeNull();
    expect((res.body.data as { catalog: unknown }).catalog).not.toBeNull();
    expect(res.text).not.toContain(token);
    expect(res.text).not.toMatch(/<html|<h1|Injected fault/i);
  });
});

describe('faults elsewhere', () => {
  it('should answer normally when the upstream is slow but inside the timeout', async () => {
    await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: TIMEOUT_MS / 4 });
    const res = await stack.gql(VIEWER_QUERY, {}, { token: stack.tokenFor(5) });
    expect(res.body.errors).toBeUndefined();
  });

  it('should null only the catalogue when the public catalogue fails', async () => {
    await stack.fault('GET /api/v2/products', { status: 500 });
    const res = await stack.gql(VIEWER_QUERY, {}, { token: stack.tokenFor(5) });
    expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['catalog', 'UPSTREAM_ERROR']]);
    expect((res.body.data as { me: { products: unknown } }).me.products).not.toBeNull();
  });

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

  it('should map a failing login Console to UPSTREAM_ERROR, not INVALID_CREDENTIALS', async () => {
    await stack.fault('POST /api/v2/auth/login', { mode: 'html' });
    const res = await stack.gql(LoginDocument, { username: 'demo', password: 'password' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  });

  it('should say UNAUTHENTICATED on featureFlags when the Console no longer accepts the token', async () => {
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
      const res = await dead.gql(VIEWER_QUERY, {}, { token: dead.tokenFor(1) });
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
