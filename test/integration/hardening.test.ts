import { Writable } from 'node:stream';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { DashboardDocument } from '../generated/graphql.js';
import { loadGatewayConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { codesByPath, startStack, type Stack } from '../support/stack.js';

/**
 * Defects found by checks run from outside the project (round 2), each reproduced as it was
 * reported, and the cases found next to them.
 */
let stack: Stack;
let production: Stack;
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    done();
  },
});
const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  stack = await startStack({ env: { LOG_LEVEL: 'debug' }, gateway: { logger: createLogger('debug', capture) } });
  production = await startStack({ env: { NODE_ENV: 'production' } });
});
afterAll(async () => {
  await stack.close();
  await production.close();
});

async function post(target: Stack, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(target.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  };
}

/** nested fragments that each spread the previous one twice: tiny text, 2^n fields once inlined. */
const fragmentChain = (n: number) =>
  `{ catalog { items { ...X${n} } } } fragment X0 on Product { id store { id } } ${Array.from({ length: n }, (_, i) => `fragment X${i + 1} on Product { ...X${i} ...X${i} }`).join(' ')}`;

describe('1. compilation cannot be turned against the event loop', () => {
  it.each([24, 40])('should answer a %p-level fragment chain quickly every time while /healthz stays responsive', async (levels) => {
    const query = fragmentChain(levels);
    expect(Buffer.byteLength(query)).toBeLessThan(2200);
    let slowestHealth = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const started = performance.now();
        await fetch(stack.gateway.url.replace(/\/graphql$/, '/healthz'));
        slowestHealth = Math.max(slowestHealth, performance.now() - started);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      for (let i = 0; i < 3; i += 1) {
        const started = performance.now();
        const res = await post(stack, { query });
        expect(performance.now() - started).toBeLessThan(1500);
        expect(res.body.errors).toBeUndefined();
        expect((res.body.data as { catalog: { items: Array<{ id: number; store: { id: number } }> } }).catalog.items[0]).toEqual({
          id: expect.any(Number),
          store: { id: 1 },
        });
      }
    } finally {
      polling = false;
      await poll;
    }
    expect(slowestHealth).toBeLessThan(500);
  });
});

describe('3. secrets are never echoed back', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjQyLCJzZWNyZXQiOiJ5ZXMifQ.c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ';
  it.each([
    [
      'a token as a list to a String! variable',
      { query: 'query Q($t: String!) { validateToken(token: $t) { isValid } }', variables: { t: [jwt] } },
      'BAD_USER_INPUT',
    ],
    ['a token to an Int variable', { query: 'query Q($p: Int) { catalog(page: $p) { page } }', variables: { p: jwt } }, 'BAD_USER_INPUT'],
    [
      'a password as an object to login',
      { query: 'mutation M($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'demo', p: { secret: jwt } } },
      'BAD_USER_INPUT',
    ],
    ['a token as a list literal', { query: `{ validateToken(token: ["${jwt}"]) { isValid } }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a token literal to an Int argument', { query: `{ catalog(page: "${jwt}") { page } }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a password as a number literal', { query: 'mutation { login(username: "demo", password: 12345678901) { token } }' }, 'GRAPHQL_VALIDATION_FAILED'],
  ])('should refuse %s with a message that says what was wrong, not what was sent', async (_name, body, code) => {
    for (const target of [stack, production]) {
      const res = await post(target, body);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
      expect(res.text).not.toContain(jwt.slice(0, 20));
      expect(res.text).not.toContain('12345678901');
      expect(res.body.errors?.[0]?.message).toMatch(/expected|cannot represent|another type|type/i);
    }
  });
});

describe('4. a small document cannot produce a huge answer through __typename', () => {
  it('should refuse 1,500 aliased __typename under nested lists with TOO_MANY_ALIASES, before any Console call', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => `a${i}: __typename`).join(' ');
    await production.resetStats();
    const res = await post(production, { query: `{ catalog { items { store { catalog { items { ${many} } } } } } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
    expect(res.text.length).toBeLessThan(2000);
    expect(await production.stats()).toEqual({});
  });

  it('should count aliases inside a fragment each time it is spread', async () => {
    const fragment = `fragment T on Product { ${Array.from({ length: 10 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const res = await post(production, { query: `{ catalog { items { ...T ...T ... on Product { ...T ...T } } } } ${fragment}` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', found: 40, limit: 30 });
  });
});

describe('5. persisted-query errors', () => {
  it('should answer a hash that does not match its query with PERSISTED_QUERY_HASH_MISMATCH and no error-level log', async () => {
    const before = records().length;
    for (const target of [stack, production]) {
      const res = await post(target, { query: '{ catalog { page } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
      expect(res.body.errors?.[0]?.message).toMatch(/sha256Hash does not match/);
    }
    expect(
      records()
        .slice(before)
        .filter((r) => r.level === 'error'),
    ).toEqual([]);
  });

  it('should answer an unknown version with its own code, and a known hash sent alone with the stored query', async () => {
    const wrongVersion = await post(production, { query: '{ catalog { page } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } });
    expect(wrongVersion.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_VERSION_UNSUPPORTED');
    const query = '{ catalog { totalPages } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    expect((await post(production, { extensions })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(production, { query, extensions })).body.errors).toBeUndefined();
    expect((await post(production, { extensions })).body.data).toEqual({ catalog: { totalPages: 4 } });
  });
});

describe("6. the caller's input is the caller's error", () => {
  it.each([
    ['{ catalog(page: 2147483647) { page } }', 'catalog'],
    ['{ catalog(page: 10001) { page } }', 'catalog'],
    ['{ catalog { items { store { catalog(page: 99999) { page } } } } }', 'catalog.items.0.store.catalog'],
  ])('should refuse %s with BAD_USER_INPUT before any Console call', async (query, path) => {
    await stack.resetStats();
    const res = await post(stack, { query });
    expect(codesByPath(res.body as never)[path]).toBe('BAD_USER_INPUT');
    // The nested case reads the (cached) default catalogue, never the refused page.
    const stats = await stack.stats();
    if (!query.includes('items')) expect(stats).toEqual({});
    else expect(stats['GET /api/v2/products'] ?? 0).toBeLessThanOrEqual(1);
  });

  it("should report a 400 from the Console for the caller's storeId as BAD_USER_INPUT, not UPSTREAM_ERROR", async () => {
    const res = await post(stack, { query: '{ catalog(storeId: 2000000000) { page } }' });
    expect(codesByPath(res.body as never)).toEqual({ catalog: 'BAD_USER_INPUT' });
  });
});

describe('7. stack traces only when asked for', () => {
  it('should not enable them when NODE_ENV is unset, only when it is development', () => {
    expect(loadGatewayConfig({}).stackTraces).toBe(false);
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).stackTraces).toBe(false);
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).stackTraces).toBe(true);
  });

  it('should answer errors without stack traces or file paths when NODE_ENV is not development', async () => {
    const res = await post(stack, { query: '{ catalog(page: 0) { page } }' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.text).not.toMatch(/stacktrace|\/src\/|node_modules/);
  });
});

interface RawAttempt {
  method?: string;
  path?: string;
  search?: string;
  body?: string;
  headers: Record<string, string>;
}

describe('9. operators see every request', () => {
  it.each([
    ['malformed JSON', { body: '{"query": ', headers: { 'content-type': 'application/json' } }, 400, 'BAD_REQUEST'],
    ['an unknown path', { path: '/nope', body: '{}', headers: { 'content-type': 'application/json' } }, 404, 'NOT_FOUND'],
    [
      'a batched body',
      { body: '[{"query":"{ __typename }"},{"query":"{ __typename }"}]', headers: { 'content-type': 'application/json' } },
      400,
      'BAD_REQUEST',
    ],
    ['an unsupported method', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } }, 405, 'METHOD_NOT_ALLOWED'],
    [
      'a body over MAX_BODY_BYTES',
      { body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_100_000)}` }), headers: { 'content-type': 'application/json' } },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ] as Array<[string, RawAttempt, number, string]>)('should log %s once, with request id, status and code', async (_name, request, status, code) => {
    const requestId = `refused-${Math.random().toString(36).slice(2)}`;
    const method = request.method ?? 'POST';
    const url = `${stack.gateway.url.replace(/\/graphql$/, request.path ?? '/graphql')}${request.search ?? ''}`;
    const res = await fetch(url, {
      method,
      headers: { ...request.headers, 'x-request-id': requestId },
      ...(method === 'GET' ? {} : { body: request.body ?? '' }),
    });
    expect(res.status).toBe(status);
    await new Promise((r) => setTimeout(r, 20));
    const logged = records().filter((r) => r.requestId === requestId);
    expect(logged).toEqual([expect.objectContaining({ msg: 'request refused', status, code })]);
  });

  it('should log an operation that validation refused once, as its operation line (not also as a refused request)', async () => {
    const requestId = `invalid-${Math.random().toString(36).slice(2)}`;
    const res = await post(stack, { query: '{ catalo { page } }' }, { 'x-request-id': requestId });
    expect(res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 20));
    const logged = records().filter((r) => r.requestId === requestId);
    expect(logged).toEqual([expect.objectContaining({ msg: 'graphql operation', outcome: 'rejected', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] })]);
  });

  it('should log one line per Console call at debug, and a short document hash for anonymous operations', async () => {
    await post(stack, { query: '{ catalog(storeId: 3, page: 2) { page } }' }, { 'x-request-id': 'debug-calls-1' });
    const mine = records().filter((r) => r.requestId === 'debug-calls-1');
    expect(mine.filter((r) => r.msg === 'upstream call')).toEqual([expect.objectContaining({ route: 'GET /api/v2/products', status: 200, level: 'debug' })]);
    expect(mine.find((r) => r.msg === 'graphql operation')).toMatchObject({ operation: null, documentHash: expect.stringMatching(/^[0-9a-f]{12}$/) });
  });
});

describe('10. with the Sandbox off', () => {
  it('should name GRAPHQL_SANDBOX when refusing introspection, and suggest no field names', async () => {
    const introspection = await post(production, { query: '{ __schema { types { name } } }' });
    expect(introspection.body.errors?.[0]?.message).toMatch(/GRAPHQL_SANDBOX=true/);
    expect(introspection.text).not.toMatch(/pass introspection/);
    const typo = await post(production, { query: '{ catalo { page } me { prodcts { page } } }' });
    expect(typo.status).toBe(400);
    expect(typo.text).not.toMatch(/Did you mean/);
    const sandboxOn = await post(stack, { query: '{ catalo { page } }' });
    expect(sandboxOn.body.errors?.[0]?.message).toMatch(/Did you mean "catalog"\?/);
  });
});

describe('11. compression', () => {
  it.each([
    ['br', 'br', (b: Buffer) => brotliDecompressSync(b)],
    ['gzip', 'gzip', (b: Buffer) => gunzipSync(b)],
    ['gzip;q=1, br;q=0', 'gzip', (b: Buffer) => gunzipSync(b)],
  ])('should compress a dashboard for Accept-Encoding %s', async (accept, encoding, decode) => {
    const { print } = await import('graphql');
    const { request } = await import('node:http');
    const body = JSON.stringify({ query: print(DashboardDocument) });
    const answer = await new Promise<{ headers: Record<string, unknown>; raw: Buffer }>((resolve, reject) => {
      const req = request(
        stack.gateway.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': accept, authorization: `Bearer ${stack.tokenFor(0)}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.headers['content-encoding']).toBe(encoding);
    expect(String(answer.headers.vary)).toMatch(/Accept-Encoding/);
    const text = decode(answer.raw).toString();
    expect((JSON.parse(text) as { data: { me: { products: { items: unknown[] } } } }).data.me.products.items.length).toBe(10);
    expect(answer.raw.length).toBeLessThan(text.length / 3);
  });

  it('should not compress small answers, nor for clients that do not ask', async () => {
    const small = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(small.headers.get('content-encoding')).toBeNull();
    const { request } = await import('node:http');
    const encoding = await new Promise<unknown>((resolve, reject) => {
      const req = request(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.headers['content-encoding']);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ catalog { items { id name description } } }' }));
    });
    expect(encoding).toBeUndefined();
  });
});

describe("13. the simulator's admin interface", () => {
  it('should refuse a fault on a route that does not exist, listing the known ones', async () => {
    const res = await fetch(`${stack.sim.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /api/v2/my/subscription', status: 500 }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; knownRoutes: string[] };
    expect(body.error).toMatch(/no Console route/);
    expect(body.knownRoutes).toContain('GET /api/v2/my/subscriptions');
    expect((await (await fetch(`${stack.sim.url}/__admin/faults`)).json()) as unknown).toEqual({ faults: {} });
  });
});
