import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { GraphQLClient, ClientError } from 'graphql-request';
import { parse, print, type DocumentNode } from 'graphql';
import { DashboardDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 24: the GraphQL clients frontend teams use, with their default settings, against a real
 * gateway (production mode). Each gets the dashboard with a token, the public catalogue without
 * one, and the documented code for a refused token. Every request they send is recorded, so the
 * tests can say which went as GET.
 */
const CATALOG = 'query PublicCatalog { catalog(storeId: 2) { page totalPages items { id name } } }';
type Dashboard = { me: { products: { items: unknown[] }; subscriptions: { items: unknown[] } } };
type Catalog = { catalog: { page: number; items: unknown[] } };

let stack: Stack;
const sent: Array<{ method: string; url: string }> = [];
/** The global fetch, recording what each client sends. */
const recordingFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  sent.push({ method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(), url });
  return fetch(input, init);
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => (stack = await startStack({ env: { NODE_ENV: 'production' } })));
afterAll(async () => stack.close());

function checkDashboard(data: Dashboard | undefined | null) {
  expect(data?.me.products.items.length).toBeGreaterThan(0);
  expect(data?.me.subscriptions.items.length).toBeGreaterThan(0);
}

function checkCatalog(data: Catalog | undefined | null) {
  expect(data?.catalog.page).toBe(1);
  expect(data?.catalog.items.length).toBeGreaterThan(0);
}

const gql = (text: string): DocumentNode => parse(text);

describe('Apollo Client 4 (HttpLink, defaults)', () => {
  const client = (token?: string) =>
    new ApolloClient({
      link: new HttpLink({ uri: stack.gateway.url, fetch: recordingFetch, headers: token ? { authorization: `Bearer ${token}` } : {} }),
      cache: new InMemoryCache(),
    });

  it('should get the dashboard with a token and the catalogue without one', async () => {
    checkDashboard((await client(stack.tokenFor(21)).query<Dashboard>({ query: DashboardDocument })).data);
    checkCatalog((await client().query<Catalog>({ query: gql(CATALOG) })).data);
  });

  it('should see UNAUTHENTICATED for a refused token', async () => {
    const result = await client('not.a.token')
      .query({ query: gql('{ me { products { page } } }'), errorPolicy: 'all' })
      .catch((error: unknown) => ({ error }));
    const error = (result as { error?: { errors?: Array<{ extensions?: { code?: string } }> } }).error;
    expect(error?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('Apollo Client 4 with the persisted-queries link (GET for hashed queries)', () => {
  it('should register the catalogue once, then fetch it by hash as a GET', async () => {
    const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: stack.gateway.url, fetch: recordingFetch }));
    const query = gql(`${CATALOG} `);
    sent.length = 0;
    checkCatalog((await new ApolloClient({ link, cache: new InMemoryCache() }).query<Catalog>({ query })).data);
    checkCatalog((await new ApolloClient({ link, cache: new InMemoryCache() }).query<Catalog>({ query })).data);
    // Hash alone by GET (unknown), the text once, then the hash alone by GET again (known).
    expect(sent.map((s) => s.method)).toEqual(['GET', 'POST', 'GET']);
  });
});

describe('urql 6 (@urql/core, defaults: short queries as GET)', () => {
  const client = (token?: string) =>
    new Client({
      url: stack.gateway.url,
      exchanges: [fetchExchange],
      fetch: recordingFetch,
      fetchOptions: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    });

  it('should get the dashboard with a token and the catalogue without one, by GET with no extra header', async () => {
    sent.length = 0;
    const dashboard = await client(stack.tokenFor(22)).query<Dashboard>(DashboardDocument, {}).toPromise();
    expect(dashboard.error).toBeUndefined();
    checkDashboard(dashboard.data);
    const catalog = await client().query<Catalog>(gql(CATALOG), {}).toPromise();
    expect(catalog.error).toBeUndefined();
    checkCatalog(catalog.data);
    expect(sent.map((s) => s.method)).toEqual(['GET', 'GET']);
  });

  it('should see UNAUTHENTICATED for a refused token', async () => {
    const result = await client('not.a.token').query(gql('{ me { products { page } } }'), {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('should work with its persisted exchange: the hash by GET, the text once', async () => {
    const persisted = new Client({
      url: stack.gateway.url,
      fetch: recordingFetch,
      exchanges: [persistedExchange({ preferGetForPersistedQueries: true, generateHash: async (query) => sha256(query) }), fetchExchange],
    });
    sent.length = 0;
    const query = gql(`${CATALOG}  `);
    const first = await persisted.query<Catalog>(query, {}).toPromise();
    expect(first.error).toBeUndefined();
    checkCatalog(first.data);
    const second = await persisted.query<Catalog>(query, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(second.error).toBeUndefined();
    checkCatalog(second.data);
    expect(sent[0]?.method).toBe('GET');
    expect(sent.at(-1)?.method).toBe('GET');
    expect(sent.at(-1)?.url).toContain('sha256Hash');
  });
});

describe('graphql-request 7', () => {
  it('should get the dashboard with a token and the catalogue without one, and see UNAUTHENTICATED for a refused token', async () => {
    checkDashboard(
      await new GraphQLClient(stack.gateway.url, { headers: { authorization: `Bearer ${stack.tokenFor(23)}` } }).request<Dashboard>(print(DashboardDocument)),
    );
    checkCatalog(await new GraphQLClient(stack.gateway.url).request<Catalog>(CATALOG));
    const refused = await new GraphQLClient(stack.gateway.url, { headers: { authorization: 'Bearer not.a.token' } })
      .request<unknown>('{ me { products { page } } }')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('a Relay-style fetch (application/graphql-response+json)', () => {
  const relay = async (query: string, token?: string) => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { res, body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
  };

  it('should answer in the GraphQL-over-HTTP media type, the dashboard, the catalogue and a refused token', async () => {
    const dashboard = await relay(print(DashboardDocument), stack.tokenFor(24));
    expect(dashboard.res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    checkDashboard(dashboard.body.data as Dashboard);
    checkCatalog((await relay(CATALOG)).body.data as Catalog);
    const refused = await relay('{ me { products { page } } }', 'not.a.token');
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('the GraphQL over HTTP audits (graphql-http serverAudits)', () => {
  // The audits query __type, so they run where introspection is on (outside production).
  let open: Stack;
  beforeAll(async () => (open = await startStack()));
  afterAll(async () => open.close());

  it('should pass every MUST, and every GET-related item', async () => {
    const { serverAudits } = await import('graphql-http');
    const results = await Promise.all(
      serverAudits({ url: open.gateway.url, fetchFn: fetch }).map(async (audit) => ({ ...(await audit.fn()), name: audit.name })),
    );
    const failed = results.filter((r) => r.status !== 'ok');
    process.stderr.write(
      `graphql-http audits: ${results.length - failed.length}/${results.length} ok; not ok:\n${failed.map((f) => `  ${f.name}`).join('\n')}\n`,
    );
    expect(failed.filter((f) => f.name.startsWith('MUST'))).toEqual([]);
    expect(failed.filter((f) => /\bGET\b/.test(f.name)).map((f) => f.name)).toEqual([]);
  });
});

describe("CSRF_PREVENTION=strict (Apollo's rule, for cookie or HTTP auth in front)", () => {
  let strict: Stack;
  beforeAll(async () => (strict = await startStack({ env: { NODE_ENV: 'production', CSRF_PREVENTION: 'strict' } })));
  afterAll(async () => strict.close());

  it('should refuse a GET without a preflight header, and run it with one', async () => {
    const url = `${strict.gateway.url}?query=${encodeURIComponent(CATALOG)}`;
    const bare = await fetch(url);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/CSRF/);
    expect((await fetch(url, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
  });
});
