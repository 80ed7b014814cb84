import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadGatewayConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';

/**
 * The prepared path (PREPARED_OPERATIONS, src/graphql/prepared-path.ts) answers a document that
 * already ran compiled without Apollo's pipeline. It must change nothing a client can see: two
 * gateways on one simulator, one with the path off (every request through Apollo: the reference),
 * get the same requests, each several times so that the later ones take the prepared path, and
 * every answer must be the same, byte for byte, status and headers included. The counter
 * flecs_graph_prepared_operations_total proves the path was really taken.
 */
let sim: RunningSimulator;
let reference: RunningGateway;
let prepared: RunningGateway;
const USER_COUNT = 1000; // compactN is user index USER_COUNT + N (src/simulator/users.ts)

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const config = loadGatewayConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    CONSOLE_URL: sim.url,
    CIRCUIT_FAILURE_THRESHOLD: '1000',
    // Every request here comes from 127.0.0.1, most without a token: one client. The budget test sets its own.
    CLIENT_OPERATIONS_PER_SECOND: '0',
    CLIENT_CONSOLE_CALLS_PER_SECOND: '0',
    ...env,
  });
  return startGateway(config, { logger: createLogger('silent') });
}

beforeAll(async () => {
  sim = await startSimulator({ admin: true });
  reference = await gatewayWith({ PREPARED_OPERATIONS: 'false' });
  prepared = await gatewayWith({});
});
afterAll(async () => {
  await reference.close();
  await prepared.close();
  await sim.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const VARYING_HEADERS = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

async function send(gateway: RunningGateway, request: { method?: string; search?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer> {
  const res = await fetch(gateway.url + (request.search ?? ''), {
    method: request.method ?? 'POST',
    headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!VARYING_HEADERS.has(name)) headers[name] = value;
  });
  return { status: res.status, headers, text: await res.text() };
}

async function preparedCount(): Promise<number> {
  const text = await (await fetch(prepared.metricsUrl)).text();
  return Number(/^flecs_graph_prepared_operations_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** Sends the request `times` times to each gateway in turn; returns both sequences of answers. */
async function both(request: Parameters<typeof send>[1], times = 6): Promise<{ reference: Answer[]; prepared: Answer[]; preparedRuns: number }> {
  const before = await preparedCount();
  const answers = { reference: [] as Answer[], prepared: [] as Answer[] };
  for (let i = 0; i < times; i++) {
    answers.reference.push(await send(reference, request));
    answers.prepared.push(await send(prepared, request));
  }
  return { ...answers, preparedRuns: (await preparedCount()) - before };
}

const DASHBOARD =
  'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }';

describe('the prepared path', () => {
  it('should answer a dashboard exactly as Apollo does, and take over from the fourth request', async () => {
    const headers = { authorization: `Bearer ${sim.console.issueToken(USER_COUNT + 3).token}` };
    const answers = await both({ body: { query: DASHBOARD }, headers });
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(JSON.parse(answers.reference[0].text)).not.toHaveProperty('errors');
    // Requests 1–3 ran through Apollo (parsed, stored, compiled); 4–6 took the prepared path.
    expect(answers.preparedRuns).toBe(3);
  });

  // The same document every time: prepared by the first row; from then on each Accept header of
  // the path's table takes it on all six requests, any other goes through Apollo.
  it.each([
    ['no Accept header', undefined, 3],
    ['*/*', '*/*', 6],
    ['application/json', 'application/json', 6],
    ['application/graphql-response+json', 'application/graphql-response+json', 6],
    ['Apollo Client 4', 'application/graphql-response+json,application/json;q=0.9', 6],
    ['both, equal weight', 'application/graphql-response+json, application/json', 6],
    ['application/json, */*', 'application/json, */*', 6],
    ['something else (Apollo negotiates it)', 'application/json;q=0.5, application/graphql-response+json;q=0.8', 0],
    ['nothing acceptable (406 from Apollo)', 'text/plain', 0],
  ])('should negotiate the content type as Apollo does: %s', async (_name, accept, preparedRuns) => {
    const request = {
      body: { query: 'query Page($page: Int) { catalog(page: $page) { page items { id name } } }', variables: { page: 2 } },
      headers: accept ? { accept } : ({} as Record<string, string>),
    };
    const answers = await both(request);
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference[0].status).toBe(accept === 'text/plain' ? 406 : 200);
    expect(answers.preparedRuns).toBe(preparedRuns);
  });

  it('should answer a public GET with the same Cache-Control, Vary and ETag, and 304 for If-None-Match', async () => {
    const search = `?query=${encodeURIComponent('query Store($id: Int!) { catalog(storeId: $id) { page items { id name } } }')}&variables=${encodeURIComponent('{"id":2}')}`;
    const answers = await both({ method: 'GET', search });
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference[0].headers['cache-control']).toMatch(/^public, max-age=/);
    expect(answers.preparedRuns).toBeGreaterThanOrEqual(2);
    const etag = answers.reference[0].headers.etag;
    expect(etag).toMatch(/^W\//);
    const notModified = await both({ method: 'GET', search, headers: { 'if-none-match': etag } }, 2);
    expect(notModified.prepared).toEqual(notModified.reference);
    expect(notModified.prepared.map((a) => a.status)).toEqual([304, 304]);
    expect(notModified.preparedRuns).toBe(2);
  });

  it('should give the same partial answers, error paths and codes when a Console route fails', async () => {
    // Prepared first without the fault, then the same document with it (private routes: never cached).
    const query = '{ me { products { page } subscriptions { total } } }';
    const request = { body: { query }, headers: { authorization: `Bearer ${sim.console.issueToken(USER_COUNT + 4).token}` } };
    await both(request, 4);
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'GET /api/v2/my/subscriptions', status: 500 }),
    });
    try {
      const answers = await both(request, 3);
      expect(answers.prepared).toEqual(answers.reference);
      expect(answers.preparedRuns).toBe(3);
      const body = JSON.parse(answers.prepared[2].text) as { errors: Array<{ path: string[]; extensions: { code: string } }>; data: { me: unknown } };
      expect(body.errors.map((e) => [e.path.join('.'), e.extensions.code])).toEqual([['me.subscriptions', 'UPSTREAM_ERROR']]);
      expect(body.data.me).toHaveProperty('products.page', 1);
    } finally {
      await fetch(`${sim.url}/__admin/faults`, { method: 'DELETE' });
    }
  });

  it.each([
    ['the named operation of several', { query: 'query A { catalog { page } } query B { catalog(page: 2) { page } }', operationName: 'B' }, 200],
    ['an anonymous operation with operationName null', { query: '{ catalog(page: 3) { page } }', operationName: null }, 200],
    ['variables null', { query: 'query($p: Int) { catalog(page: $p) { page } }', variables: null }, 200],
    ['variables that do not coerce (Apollo answers)', { query: 'query($p: Int) { catalog(page: $p) { page } }', variables: { p: 'two' } }, 400],
    ['an operationName that is not there (Apollo answers)', { query: 'query A { catalog { page } }', operationName: 'B' }, 400],
    ['an unauthenticated me', { query: '{ me { products { page } } }' }, 200],
    ['a wrong password (a mutation over POST)', { query: 'mutation { login(username: "user7", password: "nope") { token } }' }, 200],
    ['a cursor window', { query: '{ catalog(storeId: 3, first: 4) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }' }, 200],
    ['a cursor that is not one', { query: '{ catalog(first: 4, after: "nope") { edges { cursor } } }' }, 200],
  ])('should answer %s exactly as Apollo does', async (_name, body, status) => {
    const answers = await both({ body });
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference.map((a) => a.status)).toEqual(Array(6).fill(status));
  });

  // Each document first runs plainly (so that it is compiled and prepared), then as the variant:
  // every variant must get the answer Apollo gives it, whichever path would otherwise take it.
  const ANONYMOUS = '{ catalog(page: 5) { page } }';
  const NAMED = 'query Only { catalog(page: 6) { page } }';
  const TWO = 'query First { catalog(page: 7) { page } } query Second { appCatalog { total } }';
  const INT = 'query Paged($p: Int) { catalog(page: $p) { page } }';
  const REQUIRED = 'query Required($id: Int!) { product(id: $id) { id } }';
  const SKIPPED = 'query Skipped($full: Boolean!) { catalog(page: 8) { page items @include(if: $full) { id } totalPages @skip(if: $full) } }';
  it.each([
    ['operationName "" on an anonymous operation', { query: ANONYMOUS }, { query: ANONYMOUS, operationName: '' }, 400],
    ['operationName "" on a named operation', { query: NAMED }, { query: NAMED, operationName: '' }, 400],
    ['operationName null on a named operation', { query: NAMED }, { query: NAMED, operationName: null }, 200],
    ['operationName of another case', { query: NAMED }, { query: NAMED, operationName: 'only' }, 400],
    ['operationName that is not a string', { query: NAMED }, { query: NAMED, operationName: 7 }, 400],
    ['several operations and no operationName', { query: TWO, operationName: 'First' }, { query: TWO }, 400],
    ['the other of several operations', { query: TWO, operationName: 'First' }, { query: TWO, operationName: 'Second' }, 200],
    ['an Int that overflows', { query: INT, variables: { p: 2 } }, { query: INT, variables: { p: 2 ** 31 } }, 400],
    ['a Float for an Int', { query: INT, variables: { p: 2 } }, { query: INT, variables: { p: 2.5 } }, 400],
    ['a whole Float for an Int', { query: INT, variables: { p: 2 } }, { query: INT, variables: { p: 3.0 } }, 200],
    ['a string for an Int', { query: INT, variables: { p: 2 } }, { query: INT, variables: { p: '2' } }, 400],
    ['null for a non-null variable', { query: REQUIRED, variables: { id: 1 } }, { query: REQUIRED, variables: { id: null } }, 400],
    ['a missing non-null variable', { query: REQUIRED, variables: { id: 1 } }, { query: REQUIRED }, 400],
    ['variables that are not an object', { query: INT, variables: { p: 2 } }, { query: INT, variables: [2] }, 400],
    ['@include and @skip true', { query: SKIPPED, variables: { full: false } }, { query: SKIPPED, variables: { full: true } }, 200],
    ['@include and @skip false', { query: SKIPPED, variables: { full: true } }, { query: SKIPPED, variables: { full: false } }, 200],
  ])('should answer %s exactly as Apollo does', async (_name, plain, variant, status) => {
    await both({ body: plain }, 4);
    const answers = await both({ body: variant }, 4);
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference.map((a) => a.status)).toEqual(Array(4).fill(status));
  });

  it.each([
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/json', 'application/json'],
    ['*/*', '*/*'],
  ])('should answer errors exactly as Apollo does with Accept: %s', async (_name, accept) => {
    const query = 'query Failing($id: Int!) { product(id: $id) { id } catalog(page: 0) { page } }';
    await both({ body: { query, variables: { id: 1 } }, headers: { accept } }, 4);
    for (const variables of [{ id: 1 }, { id: 'x' }, {}]) {
      const answers = await both({ body: { query, variables }, headers: { accept } }, 3);
      expect(answers.prepared).toEqual(answers.reference);
      expect(answers.reference[0].text).toContain('"errors"');
    }
  });

  it('should answer an automatic persisted query sent by its hash alone, by POST and by GET, exactly as Apollo does', async () => {
    const query = 'query Persisted { catalog(storeId: 4) { page items { id } } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const registered = await both({ body: { query, extensions } }, 1);
    expect(registered.prepared).toEqual(registered.reference);
    const byPost = await both({ body: { extensions } });
    expect(byPost.prepared).toEqual(byPost.reference);
    expect(byPost.reference[0].status).toBe(200);
    expect(byPost.preparedRuns).toBeGreaterThanOrEqual(2);
    const byGet = await both({ method: 'GET', search: `?extensions=${encodeURIComponent(JSON.stringify(extensions))}` });
    expect(byGet.prepared).toEqual(byGet.reference);
    expect(byGet.reference[0].headers['cache-control']).toMatch(/^public/);
    expect(byGet.preparedRuns).toBe(6);
    // A hash nobody registered: Apollo's PERSISTED_QUERY_NOT_FOUND from both.
    const unknown = { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } };
    const missing = await both({ body: { extensions: unknown } }, 2);
    expect(missing.prepared).toEqual(missing.reference);
    expect(missing.reference[0].text).toContain('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should stop answering a persisted query by its hash once PERSISTED_QUERY_TTL_SECONDS has passed, as Apollo does', async () => {
    const pair = {
      reference: await gatewayWith({ PERSISTED_QUERY_TTL_SECONDS: '1', PREPARED_OPERATIONS: 'false' }),
      prepared: await gatewayWith({ PERSISTED_QUERY_TTL_SECONDS: '1' }),
    };
    try {
      const query = '{ catalog(storeId: 4, page: 2) { page } }';
      const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
      for (const gateway of [pair.reference, pair.prepared]) expect((await send(gateway, { body: { query, extensions } })).status).toBe(200);
      const statuses = async (gateway: RunningGateway) => {
        const answers = [];
        for (let i = 0; i < 5; i++) answers.push(await send(gateway, { body: { extensions } }));
        return answers.map((a) => a.status);
      };
      expect(await statuses(pair.prepared)).toEqual([200, 200, 200, 200, 200]);
      const text = await (await fetch(pair.prepared.metricsUrl)).text();
      expect(Number(/^flecs_graph_prepared_operations_total (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const expired = [await send(pair.reference, { body: { extensions } }), await send(pair.prepared, { body: { extensions } })];
      expect(expired[1]).toEqual(expired[0]);
      expect(expired[0].text).toContain('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await pair.reference.close();
      await pair.prepared.close();
    }
  });

  it('should leave a GET of a mutation to Apollo, which refuses it the same way', async () => {
    // Prepared by POST first, then sent by GET.
    const query = 'mutation { login(username: "user8", password: "nope") { token } }';
    await both({ body: { query } }, 4);
    const answers = await both({ method: 'GET', search: `?query=${encodeURIComponent(query)}` }, 3);
    expect(answers.prepared).toEqual(answers.reference);
    expect(answers.reference[0].status).toBe(405);
    expect(answers.preparedRuns).toBe(0);
  });

  it("should refuse an operation over the client's Console-call budget as Apollo does", async () => {
    // One Console call a second per client (burst 2): three runs through Apollo, a second apart,
    // prepare the document, each on the user's own bucket (a token is verified before its first
    // operation). Once the bucket is full again the client sends it three times at once: the third
    // finds the budget spent.
    const budget = { CLIENT_CONSOLE_CALLS_PER_SECOND: '1' };
    const pair = { reference: await gatewayWith({ ...budget, PREPARED_OPERATIONS: 'false' }), prepared: await gatewayWith(budget) };
    try {
      const query = '{ me { products { page } } }';
      const request = { body: { query }, headers: { authorization: `Bearer ${sim.console.issueToken(USER_COUNT + 40).token}` } };
      for (let i = 0; i < 3; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
        expect((await send(pair.reference, request)).status).toBe(200);
        expect((await send(pair.prepared, request)).status).toBe(200);
      }
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const [a, b] = await Promise.all([
        Promise.all([1, 2, 3].map(() => send(pair.reference, request))),
        Promise.all([1, 2, 3].map(() => send(pair.prepared, request))),
      ]);
      const text = await (await fetch(pair.prepared.metricsUrl)).text();
      expect(Number(/^flecs_graph_prepared_operations_total (\d+)/m.exec(text)?.[1])).toBe(3);
      // The seconds to wait depend on when each gateway was asked; everything else must be the same.
      const shape = (answers: Answer[]) =>
        answers
          .map((x) => ({
            ...x,
            headers: { ...x.headers, ...(x.headers['retry-after'] ? { 'retry-after': 'n' } : {}) },
            text: x.text.replace(/\d+ s\./g, 'n s.').replace(/"retryAfter":\d+/g, '"retryAfter":n'),
          }))
          .sort((x, y) => x.status - y.status);
      expect(shape(b)).toEqual(shape(a));
      // It may cost one Console call: a burst of two runs, the third is refused.
      expect(shape(a).map((x) => x.status)).toEqual([200, 200, 429]);
    } finally {
      await pair.reference.close();
      await pair.prepared.close();
    }
  });
});
