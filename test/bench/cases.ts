import { LOOPBACK_GATEWAY_ENV } from '../support/processes.js';

/** The Console routes the benchmark cases call: the ones a Console latency setting slows down. */
export const CONSOLE_ROUTES = [
  'POST /api/v2/auth/login',
  'POST /api/v2/auth/validate',
  'GET /api/v2/my/products',
  'GET /api/v2/my/products/apps',
  'GET /api/v2/my/subscriptions',
  'GET /api/v2/products',
  'GET /api/v2/products/apps',
];

/** The benchmark cases: one GraphQL operation for the gateway and the matching path of the floor. */
export interface BenchCase {
  name: string;
  /** GraphQL document sent to the gateway. */
  query: string;
  variables?: Record<string, unknown>;
  /** Path of the floor server that makes the same Console calls. */
  floorPath: string;
  /** Sends a bearer token: of `user` (default `demo`). */
  auth: boolean;
  user?: string;
  /**
   * Many users instead of one: each connection its own `compactN` user ('per-connection'), or
   * `user1` … `userN` in turn, one per request ({ roundRobin: N }). What a mobile fleet costs: a
   * bucket, a hash and a memo per user, nothing shared between connections.
   */
  users?: 'per-connection' | { roundRobin: number };
  /** Extra request headers (both targets). */
  headers?: Record<string, string>;
  /** Sent to the gateway as a trusted document's `documentId` instead of its text (TRUSTED_DOCUMENTS_FILE). */
  byDocumentId?: boolean;
  /** Set over BENCH_GATEWAY_ENV for this case; the bench runs the case on a gateway of its own. */
  gatewayEnv?: Record<string, string>;
  /** Each user behind an address of its own, sent as X-Forwarded-For (for a gateway trusting one hop). */
  addressPerUser?: boolean;
}

/**
 * The edge as production runs it: per-caller budgets and login limits at their defaults (an empty
 * value is the default), and one proxy hop trusted, as behind the Ingress.
 */
const PRODUCTION_EDGE_ENV = {
  CLIENT_OPERATIONS_PER_SECOND: '',
  CLIENT_CONSOLE_CALLS_PER_SECOND: '',
  LOGIN_MAX_FAILURES_PER_USER_ADDRESS: '',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '',
  TRUST_PROXY_HOPS: '1',
};

const CATALOG_QUERY = 'query Catalog { catalog(storeId: 2, page: 1) { page totalPages items { id name price averageRating store { id name } } } }';

export const CASES: readonly BenchCase[] = [
  {
    name: 'dashboard',
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
  },
  {
    name: 'dashboard-onepage',
    // The dashboard of an account whose lists each fit on one page (the simulator's compactN users):
    // three small Console answers, so the gateway's own machinery dominates, not JSON parsing (issue 18).
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
    user: 'compact1',
  },
  {
    name: 'dashboard-users',
    // The one-page dashboard with every connection logged in as a different compactN user.
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
    users: 'per-connection',
  },
  {
    name: 'dashboard-500-users',
    // The same operation for user1 … user500 in turn (their first pages; their lists span more).
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
    users: { roundRobin: 500 },
  },
  {
    name: 'dashboard-production',
    // dashboard-500-users as production runs it (PRODUCTION_EDGE_ENV): what the edge's budgets,
    // token verification and caller identity cost when every user is behind an address of its own.
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
    users: { roundRobin: 500 },
    gatewayEnv: PRODUCTION_EDGE_ENV,
    addressPerUser: true,
  },
  {
    name: 'dashboard-gzip',
    // The dashboard for a client that accepts gzip: the CPU that compression costs (the floor gzips too).
    query:
      'query Dashboard { me { products { items { id name price store { id name } } } apps { items { id name } } subscriptions { items { id status lineItems { productId quantity product { id name } } } } } }',
    floorPath: '/dashboard',
    auth: true,
    headers: { 'accept-encoding': 'gzip' },
  },
  {
    name: 'lineitems',
    // Line items only: the search reads the caller's later pages and other stores' catalogues itself.
    query: 'query LineItems { me { subscriptions { items { id lineItems { productId product { id name price store { id } } } } } } }',
    floorPath: '/lineitems',
    auth: true,
  },
  {
    name: 'catalog',
    query: CATALOG_QUERY,
    floorPath: '/catalog',
    auth: false,
  },
  {
    name: 'catalog-trusted',
    // The same document by its trusted id: Apollo finds it parsed and validated (issue 15).
    query: CATALOG_QUERY,
    floorPath: '/catalog',
    auth: false,
    byDocumentId: true,
  },
  {
    name: 'login',
    query: 'mutation Login { login(username: "demo", password: "password") { token expiresAt user { id login displayName } featureFlags { isVendor } } }',
    floorPath: '/login',
    auth: false,
  },
  {
    name: 'nested',
    query: 'query Nested { me { subscriptions { items { lineItems { product { id name store { id name catalog { items { id name } } } } } } } } }',
    floorPath: '/nested',
    auth: true,
  },
];

/**
 * The gateway's environment in every bench: LOOPBACK_GATEWAY_ENV (no per-client budgets: all load
 * comes from one address), and no login limits: the `login` case logs one user in from one address,
 * 50 at a time, and an attempt counts against the brute-force limit (10 per user and address) until
 * the Console has answered it, so the limit refuses most of them, as it should refuse a guesser's.
 */
export const BENCH_GATEWAY_ENV = {
  ...LOOPBACK_GATEWAY_ENV,
  LOGIN_MAX_FAILURES_PER_USER_ADDRESS: '0',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '0',
} as const;

/** The environment of a case's gateway: BENCH_GATEWAY_ENV with the case's own settings over it. */
export function gatewayEnvOf(c: BenchCase): Record<string, string> {
  return { ...BENCH_GATEWAY_ENV, ...c.gatewayEnv };
}
