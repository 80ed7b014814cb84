import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawRequest } from '../support/raw-http.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Hostile and broken input: each case says what is sent and what comes back (HTTP status and
 * error code). Adding a case is one line. After the corpus the gateway must still answer normally,
 * within bounded memory, and the Console must not have been called for any refused operation.
 */
let stack: Stack;
let production: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  production = await startStack({ env: { NODE_ENV: 'production' } });
  token = stack.tokenFor(3);
  // A returning user: the gateway has verified the token before (its one validate call), so the
  // cases below can say that a refused request makes no Console call at all. The production
  // gateway's simulator signs with another secret: there the token is verified once as invalid,
  // and taken at that word afterwards.
  expect((await stack.gql('{ me { subscriptions { total } } }', {}, { token })).body.errors).toBeUndefined();
  expect((await production.gql('{ me { subscriptions { total } } }', {}, { token })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
afterAll(async () => {
  await stack.close();
  await production.close();
});

interface Attempt {
  method?: string;
  /** Query string for GET, body for the rest (an object is JSON-encoded). */
  body?: unknown;
  search?: string;
  headers?: Record<string, string>;
  /** Send to the production gateway (NODE_ENV=production) instead. */
  production?: boolean;
  /** Send a valid bearer token of user3 with it: the answer must never repeat it. */
  withToken?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const q = (query: string, variables?: unknown) => ({ query, variables });
const deep = (levels: number) => `{ catalog { items { ${'store { catalog { items { '.repeat(levels)}id${' } } }'.repeat(levels)} } } }`;
const aliases = (n: number, field = 'catalog { page }') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const fragmentBomb = (levels: number) =>
  `query { ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { catalog { page } }`;

// [name, attempt, expected HTTP status, expected code (first error) or null for a success].
// Every refused case must leave the Console untouched, except those whose verdict is the Console's.
const CONSOLE_DECIDES = new Set(['a forged bearer token']);
const CORPUS: Array<[string, Attempt, number, string | null]> = [
  ['malformed JSON', { body: '{"query": ' }, 400, 'BAD_REQUEST'],
  ['JSON with a trailing comma', { body: '{"query": "{ catalog { page } }",}' }, 400, 'BAD_REQUEST'],
  ['JSON null', { body: 'null' }, 400, 'BAD_REQUEST'],
  ['a JSON number', { body: '42' }, 400, 'BAD_REQUEST'],
  ['a JSON string', { body: '"{ catalog { page } }"' }, 400, 'BAD_REQUEST'],
  ['an empty JSON body', { body: '' }, 400, 'BAD_REQUEST'],
  ['an empty object', { body: {} }, 400, 'BAD_REQUEST'],
  ['query that is not a string', { body: { query: 42 } }, 400, 'BAD_REQUEST'],
  ['an empty query', { body: q('') }, 400, 'BAD_REQUEST'],
  ['variables that are a string', { body: { query: '{ catalog { page } }', variables: '{}' } }, 400, 'BAD_REQUEST'],
  [
    'text/plain (CSRF-style simple request)',
    { body: JSON.stringify(q('{ catalog { page } }')), headers: { 'content-type': 'text/plain' } },
    400,
    'BAD_REQUEST',
  ],
  [
    'form-urlencoded',
    { body: 'query=%7B%20catalog%20%7B%20page%20%7D%20%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    400,
    'BAD_REQUEST',
  ],
  ['multipart form', { body: '--x\r\n\r\n{}\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } }, 400, 'BAD_REQUEST'],
  ['no content type', { body: JSON.stringify(q('{ catalog { page } }')), headers: {} }, 400, 'BAD_REQUEST'],
  [
    'GET mutation',
    {
      method: 'GET',
      search: `query=${encodeURIComponent('mutation { login(username: "demo", password: "password") { token } }')}`,
      headers: { 'apollo-require-preflight': '1' },
    },
    405,
    'BAD_REQUEST',
  ],
  // CSRF_PREVENTION=bearer: a GET query needs no preflight header (docs/security.md).
  ['GET without the CSRF preflight header', { method: 'GET', search: `query=${encodeURIComponent('{ catalog { page } }')}`, headers: {} }, 200, null],
  ['GET without a query', { method: 'GET', search: '', headers: { accept: 'application/json', 'apollo-require-preflight': '1' } }, 400, 'BAD_REQUEST'],
  ['PUT', { method: 'PUT', body: q('{ catalog { page } }') }, 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE', { method: 'DELETE' }, 405, 'METHOD_NOT_ALLOWED'],
  ['PATCH', { method: 'PATCH', body: q('{ catalog { page } }') }, 405, 'METHOD_NOT_ALLOWED'],
  ['a batch array', { body: [q('{ catalog { page } }'), q('{ catalog { page } }')] }, 400, 'BAD_REQUEST'],
  ['an empty batch array', { body: [] }, 400, 'BAD_REQUEST'],
  ['a 1000-element batch array', { body: Array.from({ length: 1000 }, () => q('{ catalog { page } }')) }, 400, 'BAD_REQUEST'],
  ['depth 50', { body: q(deep(16)) }, 400, 'QUERY_TOO_DEEP'],
  ['1,000 aliases', { body: q(`{ catalog { items { ${Array.from({ length: 1000 }, (_, i) => `a${i}: id`).join(' ')} } } }`) }, 400, 'TOO_MANY_ALIASES'],
  ['1,000 aliased root __typename fields', { body: q(aliases(1000, '__typename')) }, 400, 'TOO_MANY_ALIASES'],
  ['1,000 aliased catalogue fields (over the token limit first)', { body: q(aliases(1000)) }, 400, 'GRAPHQL_PARSE_FAILED'],
  ['31 aliases', { body: q(`{ catalog { ${Array.from({ length: 31 }, (_, i) => `p${i}: page`).join(' ')} } }`) }, 400, 'TOO_MANY_ALIASES'],
  ['11 root fields', { body: q(aliases(11)) }, 400, 'TOO_MANY_ROOT_FIELDS'],
  ['a fragment bomb (2^25 catalogue fields)', { body: q(fragmentBomb(25)) }, 400, 'QUERY_TOO_COMPLEX'],
  [
    'ten nested store catalogues (upstream cost 110)',
    { body: q(`{ me { ${Array.from({ length: 10 }, (_, i) => `p${i}: products(page: ${i + 1}) { items { store { catalog { page } } } }`).join(' ')} } }`) },
    400,
    'QUERY_TOO_COMPLEX',
  ],
  ['a 100 kB document', { body: q(`{ catalog { page } } #${'x'.repeat(100_000)}`) }, 400, 'DOCUMENT_TOO_LARGE'],
  ['a 1 MB document', { body: q(`{ catalog { page } } #${'x'.repeat(1_048_576)}`) }, 413, 'PAYLOAD_TOO_LARGE'],
  ['100 kB of variables', { body: q('query($t: String!) { validateToken(token: $t) { isValid } }', { t: 'x'.repeat(100_000) }) }, 400, 'VARIABLES_TOO_LARGE'],
  ['6,000 tokens', { body: q(`{ catalog { ${'page '.repeat(6000)}} }`) }, 400, 'GRAPHQL_PARSE_FAILED'],
  ['a syntax error', { body: q('{ catalog { page }') }, 400, 'GRAPHQL_PARSE_FAILED'],
  ['a NUL byte in the document', { body: q('{ catalog { page } }\u0000') }, 400, 'GRAPHQL_PARSE_FAILED'],
  ['an unknown field', { body: q('{ catalog { nope } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['an unknown argument', { body: q('{ catalog(color: 1) { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a missing selection', { body: q('{ me }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a fragment cycle', { body: q('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a subscription operation', { body: q('subscription { catalog { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a repeated directive', { body: q('{ catalog @include(if: true) @include(if: true) { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['two operations without operationName', { body: q('query A { catalog { page } } query B { catalog { page } }') }, 400, 'OPERATION_RESOLUTION_FAILURE'],
  ['an operationName that is not there', { body: { query: 'query A { catalog { page } }', operationName: 'B' } }, 400, 'OPERATION_RESOLUTION_FAILURE'],
  ['page: 2147483648 as a literal', { body: q('{ catalog(page: 2147483648) { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['page: 2147483648 as a variable', { body: q('query($p: Int) { catalog(page: $p) { page } }', { p: 2147483648 }) }, 400, 'BAD_USER_INPUT'],
  ['page: 1.5', { body: q('{ catalog(page: 1.5) { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['page: "1"', { body: q('{ catalog(page: "1") { page } }') }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a variable of the wrong type', { body: q('query($p: Int) { catalog(page: $p) { page } }', { p: 'two' }) }, 400, 'BAD_USER_INPUT'],
  ['a missing required variable', { body: q('query($t: String!) { validateToken(token: $t) { isValid } }', {}) }, 400, 'BAD_USER_INPUT'],
  ['page: -1', { body: q('{ catalog(page: -1) { page } }') }, 200, 'BAD_USER_INPUT'],
  ['page: 0', { body: q('{ catalog(page: 0) { page } }') }, 200, 'BAD_USER_INPUT'],
  ['storeId: -5', { body: q('{ appCatalog(storeId: -5) { total } }') }, 200, 'BAD_USER_INPUT'],
  [
    'control characters in a username',
    { body: q('mutation($u: String!) { login(username: $u, password: "password") { token } }', { u: 'demo\u0000\u001b[31m' }) },
    200,
    'BAD_USER_INPUT',
  ],
  // Under MAX_VARIABLES_BYTES (64 KiB), over each argument's own bound.
  [
    'a 60 kB username',
    { body: q('mutation($u: String!) { login(username: $u, password: "password") { token } }', { u: 'u'.repeat(60_000) }) },
    200,
    'BAD_USER_INPUT',
  ],
  ['a 60 kB token to validate', { body: q('query($t: String!) { validateToken(token: $t) { isValid } }', { t: 't'.repeat(60_000) }) }, 200, 'BAD_USER_INPUT'],
  ['an empty token to validate', { body: q('{ validateToken(token: "") { isValid } }') }, 200, 'BAD_USER_INPUT'],
  [
    'a Basic Authorization header',
    { body: q('{ me { products { page } } }'), headers: { ...JSON_TYPE, authorization: 'Basic ZGVtbzpwYXNzd29yZA==' } },
    200,
    'UNAUTHENTICATED',
  ],
  ['a bearer token with a tab', { body: q('{ me { products { page } } }'), headers: { ...JSON_TYPE, authorization: 'Bearer\tabc' } }, 200, 'UNAUTHENTICATED'],
  [
    'a 9 kB bearer token',
    { body: q('{ me { products { page } } }'), headers: { ...JSON_TYPE, authorization: `Bearer ${'a'.repeat(9000)}` } },
    200,
    'UNAUTHENTICATED',
  ],
  [
    'a forged bearer token',
    { body: q('{ me { products { page } } }'), headers: { ...JSON_TYPE, authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOjQyfQ.' } },
    200,
    'UNAUTHENTICATED',
  ],
  ['introspection in production', { body: q('{ __schema { types { name } } }'), production: true }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a type probe in production', { body: q('{ __type(name: "Viewer") { name } }'), production: true }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['a field suggestion probe in production', { body: q('{ catalo { page } }'), production: true }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  // Round 2: next to what the outside checks found.
  [
    'a 30-level fragment chain on products (compiled would be 2^30 fields)',
    {
      body: q(
        `{ catalog { items { ...X30 } } } fragment X0 on Product { id } ${Array.from({ length: 30 }, (_, i) => `fragment X${i + 1} on Product { ...X${i} ...X${i} }`).join(' ')}`,
      ),
    },
    200,
    null,
  ],
  [
    '31 aliased __typename spread from a fragment',
    { body: q(`{ catalog { items { ...T } } } fragment T on Product { ${Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')} }`) },
    400,
    'TOO_MANY_ALIASES',
  ],
  ['page: 10001', { body: q('{ catalog(page: 10001) { page } }') }, 200, 'BAD_USER_INPUT'],
  ['Store.catalog page: 2147483647', { body: q('{ catalog { items { store { catalog(page: 2147483647) { page } } } } }') }, 200, 'BAD_USER_INPUT'],
  ['product(id: 0)', { body: q('{ product(id: 0) { id } }') }, 200, 'BAD_USER_INPUT'],
  ['an app name with spaces', { body: q('{ app(reverseDomainName: "tech flecs") { id } }') }, 200, 'BAD_USER_INPUT'],
  ['a 10 kB app name', { body: q('query($n: String!) { app(reverseDomainName: $n) { id } }', { n: `a.${'b'.repeat(10_000)}` }) }, 200, 'BAD_USER_INPUT'],
  [
    'a review without a token',
    { body: q('mutation { reviewApp(input: { productId: 1201, rating: 5, review: "x", reviewer: "y", reviewerEmail: "a@b.example" }) { id } }') },
    200,
    'UNAUTHENTICATED',
  ],
  [
    'a review rating of 99',
    {
      body: q('mutation { reviewApp(input: { productId: 1201, rating: 99, review: "x", reviewer: "y", reviewerEmail: "a@b.example" }) { id } }'),
      withToken: true,
    },
    200,
    'BAD_USER_INPUT',
  ],
  [
    'a review input missing a field',
    { body: q('mutation { reviewApp(input: { productId: 1201, rating: 5, review: "x" }) { id } }') },
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a persisted-query hash that is not a string',
    { body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } } },
    400,
    'PERSISTED_QUERY_HASH_MISMATCH',
  ],
  [
    'a persisted-query hash that does not match',
    { body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } } },
    400,
    'PERSISTED_QUERY_HASH_MISMATCH',
  ],
  [
    'a persisted-query version 2',
    { body: { query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: '0'.repeat(64) } } } },
    400,
    'PERSISTED_QUERY_VERSION_UNSUPPORTED',
  ],
  [
    'a token as a list variable',
    { body: q('query($t: String!) { validateToken(token: $t) { isValid } }', { t: ['eyJhbGciOiJIUzI1NiJ9.x.y'] }) },
    400,
    'BAD_USER_INPUT',
  ],
  ['only __typename', { body: q('{ __typename }') }, 200, null],
  ['an unsafe x-request-id', { body: q('{ __typename }'), headers: { ...JSON_TYPE, 'x-request-id': `<script>${'x'.repeat(5000)}` } }, 200, null],
  // With a real token: whatever goes wrong, the answer never repeats it.
  ['a syntax error, with a token', { body: q('{ me { products { page }'), withToken: true }, 400, 'GRAPHQL_PARSE_FAILED'],
  ['an unknown field, with a token', { body: q('{ me { nope } }'), withToken: true }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['page: 0 on my products, with a token', { body: q('{ me { products(page: 0) { page } } }'), withToken: true }, 200, 'BAD_USER_INPUT'],
  [
    'introspection in production, with a token',
    { body: q('{ __schema { types { name } } }'), production: true, withToken: true },
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['11 root fields, with a token', { body: q(aliases(11)), withToken: true }, 400, 'TOO_MANY_ROOT_FIELDS'],
];

async function send(attempt: Attempt) {
  const target = attempt.production ? production : stack;
  const method = attempt.method ?? 'POST';
  const url = `${target.gateway.url}${attempt.search !== undefined ? `?${attempt.search}` : ''}`;
  const body = attempt.body === undefined || method === 'GET' ? undefined : typeof attempt.body === 'string' ? attempt.body : JSON.stringify(attempt.body);
  const headers = { ...(attempt.headers ?? JSON_TYPE), ...(attempt.withToken ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: { errors?: Array<{ message: string; extensions?: { code?: string; stacktrace?: unknown } }> } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    /* the assertions below say what was expected */
  }
  return { status: res.status, text, parsed };
}

describe('hostile input', () => {
  it('should hold at least 50 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
  });

  it('should send a real token with some cases, so that "never repeats the token" is checked', () => {
    expect(CORPUS.filter(([, attempt]) => attempt.withToken).length).toBeGreaterThanOrEqual(5);
    expect(token.length).toBeGreaterThan(20);
  });

  it.each(CORPUS)('should answer %s with its status and code, and no stack trace or token', async (name, attempt, status, code) => {
    // The simulator behind the gateway the case goes to: its counters say whether the Console was called.
    const target = attempt.production ? production : stack;
    await target.resetStats();
    const res = await send(attempt);
    expect({ status: res.status, code: res.parsed.errors?.[0]?.extensions?.code ?? null }).toEqual({ status, code });
    expect(res.text).not.toMatch(/stacktrace|at .*\.ts:\d+|node_modules/);
    expect(res.text).not.toContain(token);
    if ((status !== 200 || code !== null) && !CONSOLE_DECIDES.has(name)) expect(await target.stats()).toEqual({});
  });

  it.each([
    [
      'a bare CR inside the Authorization header',
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer abc\rdef\r\nContent-Length: 2\r\n\r\n{}`,
      400,
    ],
    ['a 64 kB Authorization header', `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(65_536)}\r\nContent-Length: 2\r\n\r\n{}`, 431],
    ['a 20 kB GET query string', `GET /graphql?query=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a negative Content-Length', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`, 400],
    [
      'a body shorter than its Content-Length, then silence',
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{}`,
      null,
    ],
    ['not HTTP at all', `\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003`, 400],
  ])('should answer %s at the HTTP layer without crashing', async (_name, request, status) => {
    if (status === null) {
      // Nothing more comes; the server keeps the socket until its request timeout. Bound the wait.
      await expect(rawRequest(stack.gateway.port, request, 300)).rejects.toThrow(/no answer/);
    } else {
      expect(await rawRequest(stack.gateway.port, request)).toBe(status);
    }
  });

  it('should still answer a normal query after the corpus, with memory bounded', async () => {
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 3; round += 1) for (const [, attempt] of CORPUS) await send(attempt);
    const res = await stack.gql('{ me { products { items { id } } } }', {}, { token });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toBeTruthy();
    const growthMb = (process.memoryUsage().rss - before) / 1_048_576;
    expect(growthMb).toBeLessThan(150);
  });
});
