import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

const stacks: Stack[] = [];
async function stackWith(env: Record<string, string>): Promise<Stack> {
  const stack = await startStack({ env });
  stacks.push(stack);
  return stack;
}
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

const PRODUCTS = '{ me { products { page } } }';
const codeOf = (res: Awaited<ReturnType<Stack['gql']>>) => res.body.errors?.[0]?.extensions?.code;
/** Sends a query whose client gives up after `ms`; resolves with how it ended ('AbortError' when it did). */
function abandonedAfter(stack: Stack, token: string, query: string, ms: number): Promise<string> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  }).then(
    (res) => `answered ${res.status}`,
    (error: Error) => error.name,
  );
}
async function metric(stack: Stack, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(stack.gateway.metricsUrl)).text();
  const line = text.split('\n').find((l) => pattern.test(l));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('the circuit breaker', () => {
  it('should open after N consecutive failures, fail fast, let one probe through after the cool-down, and close on success', async () => {
    const stack = await stackWith({ CIRCUIT_FAILURE_THRESHOLD: '3', CIRCUIT_RESET_MS: '300' });
    const token = stack.tokenFor(1);
    await stack.fault('GET /api/v2/my/products', { status: 500 });
    for (let i = 0; i < 3; i += 1) expect(codeOf(await stack.gql(PRODUCTS, {}, { token }))).toBe('UPSTREAM_ERROR');
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(3);

    // Open: fails fast, no call reaches the Console, other routes unaffected.
    const fast = await stack.gql('{ me { products { page } apps { page } } }', {}, { token });
    expect(fast.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['me.products', 'UPSTREAM_UNAVAILABLE']]);
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(3);
    expect(await metric(stack, /^flecs_graph_upstream_circuit_state\{route="GET \/api\/v2\/my\/products"\}/)).toBe(2);

    // Half-open: one probe; it fails, so the circuit opens again at once.
    await new Promise((r) => setTimeout(r, 350));
    expect(codeOf(await stack.gql(PRODUCTS, {}, { token }))).toBe('UPSTREAM_ERROR');
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(4);
    expect(codeOf(await stack.gql(PRODUCTS, {}, { token }))).toBe('UPSTREAM_UNAVAILABLE');

    // The Console recovers: the next probe succeeds and the circuit closes.
    await stack.clearFaults();
    await new Promise((r) => setTimeout(r, 350));
    expect((await stack.gql(PRODUCTS, {}, { token })).body.errors).toBeUndefined();
    expect((await stack.gql(PRODUCTS, {}, { token })).body.errors).toBeUndefined();
    expect(await metric(stack, /^flecs_graph_upstream_circuit_state\{route="GET \/api\/v2\/my\/products"\}/)).toBe(0);
  });

  it('should not count a refused token (4xx) against the Console', async () => {
    const stack = await stackWith({ CIRCUIT_FAILURE_THRESHOLD: '2' });
    // A token the Console vouched for (its validate said valid), then refused on the route itself.
    const token = stack.tokenFor(1);
    await stack.fault('GET /api/v2/my/products', { status: 401 });
    for (let i = 0; i < 4; i += 1) expect(codeOf(await stack.gql(PRODUCTS, {}, { token }))).toBe('UNAUTHENTICATED');
    await stack.clearFaults();
    expect((await stack.gql(PRODUCTS, {}, { token })).body.errors).toBeUndefined();
    // Every one of the five reached the Console (an open circuit would have answered without a call).
    expect((await stack.stats())['GET /api/v2/my/products']).toBe(5);
    // Never opened: no state change was ever reported for the route.
    expect(await metric(stack, /^flecs_graph_upstream_circuit_state\{route="GET \/api\/v2\/my\/products"\}/)).toBeUndefined();
  });
});

describe('the operation deadline', () => {
  it('should abandon pending calls at OPERATION_TIMEOUT_MS and return what it has', async () => {
    const stack = await stackWith({ OPERATION_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '5000' });
    await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: 2000 });
    const started = performance.now();
    const res = await stack.gql('{ me { products { page } subscriptions { total } } }', {}, { token: stack.tokenFor(1) });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(280);
    // Well before the Console's 2 s answer; wide enough for a busy machine.
    expect(elapsed).toBeLessThan(1800);
    expect(res.body.data).toEqual({ me: { products: { page: 1 }, subscriptions: null } });
    expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['me.subscriptions', 'UPSTREAM_TIMEOUT']]);
  });

  it('should not start a call after the deadline (line items after slow subscriptions)', async () => {
    const stack = await stackWith({ OPERATION_TIMEOUT_MS: '250' });
    await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: 240 });
    await stack.fault('GET /api/v2/my/products', { latencyMs: 200 });
    const res = await stack.gql('{ me { subscriptions { items { lineItems { product { id } } } } } }', {}, { token: stack.tokenFor(1) });
    const codes = new Set(res.body.errors?.map((e) => e.extensions?.code));
    expect(codes).toEqual(new Set(['UPSTREAM_TIMEOUT']));
  });
});

describe('the admission gate (OPERATION_CONCURRENCY)', () => {
  it('should run waiting operations in arrival order, and not run one whose client left while it waited', async () => {
    const stack = await stackWith({ OPERATION_CONCURRENCY: '1' });
    const token = stack.tokenFor(1);
    const before = await stack.stats();
    await stack.fault('GET /api/v2/my/products', { latencyMs: 700 });
    const first = stack.gql('{ me { products { page } } }', {}, { token }); // holds the only slot ~0.7 s
    await new Promise((r) => setTimeout(r, 150));

    // The second waits for the slot; its client gives up.
    expect(await abandonedAfter(stack, token, '{ me { subscriptions { total } } }', 150)).toBe('AbortError');
    // The third waits behind it, and its client stays.
    const third = stack.gql('{ me { apps { page } } }', {}, { token });

    expect((await first).body).toEqual({ data: { me: { products: { page: 1 } } } });
    expect((await third).body).toEqual({ data: { me: { apps: { page: 1 } } } });
    const after = await stack.stats();
    const calls = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    expect([calls('GET /api/v2/my/products'), calls('GET /api/v2/my/subscriptions'), calls('GET /api/v2/my/products/apps')]).toEqual([1, 0, 1]);
    expect(await metric(stack, /^flecs_graph_operations_not_run_total\{reason="client_left"\}/)).toBe(1);
    expect(await metric(stack, /^flecs_graph_http_request_duration_seconds_count\{method="POST",path="\/graphql",status="499"\}/)).toBe(1);
  });

  it('should answer 503 OVERLOADED with Retry-After to an operation that waited OPERATION_QUEUE_TIMEOUT_MS, without calling the Console for it', async () => {
    const stack = await stackWith({ OPERATION_CONCURRENCY: '1', OPERATION_QUEUE_TIMEOUT_MS: '200' });
    const token = stack.tokenFor(1);
    const before = await stack.stats();
    await stack.fault('GET /api/v2/my/products', { latencyMs: 600 });
    const first = stack.gql('{ me { products { page } } }', {}, { token });
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { subscriptions { total } } }' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['OVERLOADED']);
    expect(body.errors[0].message).toContain('200 ms');
    expect((await first).body).toEqual({ data: { me: { products: { page: 1 } } } });
    // The refused operation never reached the Console; the next one runs normally.
    expect((await stack.gql('{ me { subscriptions { total } } }', {}, { token })).body.errors).toBeUndefined();
    const after = await stack.stats();
    expect((after['GET /api/v2/my/subscriptions'] ?? 0) - (before['GET /api/v2/my/subscriptions'] ?? 0)).toBe(1);
    expect(await metric(stack, /^flecs_graph_operations_not_run_total\{reason="waited_too_long"\}/)).toBe(1);
  });

  it('should answer a GET that waited too long the same way: 503 OVERLOADED with Retry-After', async () => {
    const stack = await stackWith({ OPERATION_CONCURRENCY: '1', OPERATION_QUEUE_TIMEOUT_MS: '200' });
    await stack.fault('GET /api/v2/products', { latencyMs: 600 });
    const first = stack.gql('{ catalog(storeId: 3) { page } }');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ appCatalog { total } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('OVERLOADED');
    expect((await first).body.errors).toBeUndefined();
  });
});

describe('a Console too busy for an operation', () => {
  it('should refuse a hot operation before anything is made for it (503 OVERLOADED, Retry-After), and still serve a public answer kept whole', async () => {
    // One connection to a Console that takes 1.5 s a call: while one call holds it, the next
    // operation's calls would wait ~1.5 s, far over CONSOLE_QUEUE_TIMEOUT_MS.
    const stack = await stackWith({ NODE_ENV: 'production', CONSOLE_MAX_CONNECTIONS: '1', CONSOLE_QUEUE_TIMEOUT_MS: '50' });
    const token = await stack.returningUser(1);
    const catalog = '{ catalog(storeId: 2) { page } }';
    const wholeAnswers = () => metric(stack, /^flecs_graph_answer_cache_events_total\{event="hit"\}/);
    // Sent until it is answered whole from the answer cache (a document takes the prepared path after its first runs).
    for (let i = 0; i < 8 && !(await wholeAnswers()); i += 1) expect((await stack.gql(catalog)).body.errors).toBeUndefined();
    expect(await wholeAnswers()).toBeGreaterThan(0);
    const prepared = async () => (await metric(stack, /^flecs_graph_prepared_operations_total /)) ?? 0;
    // Sent until it takes the prepared path, then once more at the Console's slow pace (measured).
    for (let i = 0, from = await prepared(); i < 8 && (await prepared()) === from; i += 1)
      expect((await stack.gql(PRODUCTS, {}, { token })).body.errors).toBeUndefined();
    await stack.fault('GET /api/v2/my/products', { latencyMs: 1500 });
    expect((await stack.gql(PRODUCTS, {}, { token })).body.errors).toBeUndefined();
    const preparedBefore = await prepared();
    const holding = stack.gql(PRODUCTS, {}, { token }); // on the prepared path, holding the one connection
    await new Promise((r) => setTimeout(r, 200));
    const before = await stack.stats();
    const refused = await stack.gql(PRODUCTS, {}, { token });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^The gateway is overloaded: the Console is answering slowly and its calls would wait about \d+ ms/),
          extensions: { code: 'OVERLOADED', retryAfter: expect.any(Number) },
        },
      ],
    });
    // A public answer kept whole needs no Console call: served while the Console is busy.
    const whole = await stack.gql(catalog);
    expect(whole.status).toBe(200);
    expect(whole.body).toEqual({ data: { catalog: { page: 1 } } });
    expect((await holding).body.errors).toBeUndefined();
    expect((await stack.stats())['GET /api/v2/my/products'] ?? 0).toBe(before['GET /api/v2/my/products'] ?? 0);
    expect(await metric(stack, /^flecs_graph_operations_not_run_total\{reason="console_busy"\}/)).toBe(1);
    // Refused before its run began: the prepared path answered only the operation that held the connection and the cached catalogue.
    expect((await prepared()) - preparedBefore).toBe(2);
  });
});

describe('a client that leaves mid-operation', () => {
  it('should make the operation start no further Console call, public or private', async () => {
    const stack = await stackWith({});
    const token = stack.tokenFor(1);
    await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: 500 });
    const before = await stack.stats();
    // Line items' products are looked up only once the (slow) subscriptions have answered.
    expect(await abandonedAfter(stack, token, '{ me { subscriptions { items { lineItems { product { id } } } } } }', 200)).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 700)); // the subscriptions answered 300 ms ago

    const after = await stack.stats();
    const calls = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    expect(calls('GET /api/v2/my/subscriptions')).toBe(1); // already on its way: it finished
    expect([calls('GET /api/v2/my/products'), calls('GET /api/v2/my/products/apps'), calls('GET /api/v2/products')]).toEqual([0, 0, 0]);
    // The same operation with its client still there makes those calls.
    await stack.clearFaults();
    await stack.gql('{ me { subscriptions { items { lineItems { product { id } } } } } }', {}, { token });
    const control = await stack.stats();
    expect((control['GET /api/v2/my/products'] ?? 0) - (after['GET /api/v2/my/products'] ?? 0)).toBeGreaterThan(0);
  });
});

describe('a public call shared between requests', () => {
  it('should get its own time: a request that joins it is not failed by the deadline of the request that started it', async () => {
    const stack = await stackWith({ OPERATION_TIMEOUT_MS: '2000', UPSTREAM_TIMEOUT_MS: '5000' });
    const token = stack.tokenFor(1);
    const owned = await stack.gql<{ me: { products: { items: Array<{ store: { id: number } }> } } }, Record<string, never>>(
      '{ me { products { items { store { id } } } } }',
      {},
      { token },
    );
    const stores = new Set(owned.body.data!.me.products.items.map((p) => p.store.id));
    const storeId = [...stores][0];
    const callsBefore = (await stack.stats())['GET /api/v2/products'] ?? 0;
    await stack.fault('GET /api/v2/my/products', { latencyMs: 1000 });
    await stack.fault('GET /api/v2/products', { latencyMs: 1400 });

    // A asks for its stores' catalogues ~1 s into its 2 s: the calls it starts outlive it.
    const first = stack.gql('{ me { products { items { store { catalog { page } } } } } }', {}, { token });
    await new Promise((r) => setTimeout(r, 1200));
    // B joins one of those calls with ~2 s of its own left; the Console answers ~0.4 s after A's deadline.
    const joined = await stack.gql<{ catalog: { page: number; items: Array<{ id: number }> } }, Record<string, never>>(
      `{ catalog(storeId: ${storeId}) { page items { id } } }`,
    );
    const started = await first;

    expect(joined.body.errors).toBeUndefined();
    expect(joined.body.data?.catalog.page).toBe(1);
    expect(joined.body.data?.catalog.items.length).toBeGreaterThan(0);
    // A ran out of time waiting (its catalogues were still on their way), and B made no call of its own.
    expect(new Set(started.body.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['UPSTREAM_TIMEOUT']));
    expect((await stack.stats())['GET /api/v2/products']).toBe(callsBefore + stores.size);
  });
});

describe('the response size cap', () => {
  it('should refuse a Console answer over UPSTREAM_MAX_BYTES as UPSTREAM_ERROR and keep small ones', async () => {
    const stack = await stackWith({ UPSTREAM_MAX_BYTES: '2048' });
    const res = await stack.gql(`{ catalog { page } validateToken(token: "${stack.tokenFor(1)}") { isValid } }`);
    expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['catalog', 'UPSTREAM_ERROR']]);
    expect(res.body.data).toEqual({ catalog: null, validateToken: { isValid: true } });
  });
});

describe('what the gateway sends upstream', () => {
  it('should forward x-request-id, send the token only on /my/ routes, and never follow a redirect', async () => {
    const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
    const fake = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url?.startsWith('/api/v2/products/apps')) {
        // To this very server, which records every request: a followed redirect would show up in `seen`.
        res.writeHead(302, { location: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/steal` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 200, data: { page: 1, totalPages: 1, products: [] } }));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const stack = await stackWith({ CONSOLE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
      const res = await stack.gql(
        '{ me { products { page } } catalog { page } appCatalog { total } }',
        {},
        { token: 'tok123', headers: { 'x-request-id': 'req-42' } },
      );
      expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['appCatalog', 'UPSTREAM_ERROR']]);
      const byPath = Object.fromEntries(seen.map((s) => [s.url.split('?')[0], s.headers]));
      expect(byPath['/api/v2/my/products']?.authorization).toBe('Bearer tok123');
      expect(byPath['/api/v2/products']?.authorization).toBeUndefined();
      for (const s of seen) expect(s.headers['x-request-id']).toBe('req-42');
      expect(seen.some((s) => s.url.includes('steal'))).toBe(false);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
