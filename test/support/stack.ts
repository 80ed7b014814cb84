import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { createLogger } from '../../src/observability/logger.js';
import { loadGatewayConfig } from '../../src/config.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/server.js';

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

export interface Stack {
  sim: RunningSimulator;
  gateway: RunningGateway;
  /** Sends an operation over real HTTP; `token` becomes an Authorization: Bearer header. */
  gql<T, V extends Record<string, unknown>>(
    doc: TypedDocumentNode<T, V> | DocumentNode | string,
    variables?: V,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** The simulator's per-route request counters, read over its admin interface. */
  stats(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
  fault(route: string, fault: { latencyMs?: number; status?: number; mode?: string }): Promise<void>;
  clearFaults(): Promise<void>;
  /** A fresh token for `demo` (index 0) or `userN` (index N), issued by the simulator itself. */
  tokenFor(index: number): string;
  /**
   * A returning user's token: issued by the simulator and already shown to the gateway once (its
   * one verification), so that a test counting Console calls afterwards sees only its own.
   */
  returningUser(index: number): Promise<string>;
  close(): Promise<void>;
}

/** The simulator (admin on) and the gateway, each a real server on an ephemeral loopback port. */
export async function startStack(
  options: {
    simulator?: SimulatorOptions;
    env?: Record<string, string>;
    gateway?: GatewayOptions;
    /** `default`: the budgets as users run them (CLIENT_OPERATIONS_PER_SECOND and CLIENT_CONSOLE_CALLS_PER_SECOND unset). */
    budgets?: 'off' | 'default';
  } = {},
): Promise<Stack> {
  const sim = await startSimulator({ admin: true, ...options.simulator });
  const config = loadGatewayConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    // Every request of these tests comes from 127.0.0.1, most without a token: one client to the
    // per-client budgets. Tests of the budgets (edge.test.ts) set them.
    ...(options.budgets === 'default' ? {} : { CLIENT_OPERATIONS_PER_SECOND: '0', CLIENT_CONSOLE_CALLS_PER_SECOND: '0' }),
    CONSOLE_URL: sim.url,
    ...options.env,
  });
  const gateway = await startGateway(config, { logger: createLogger('silent'), ...options.gateway });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}/__admin/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  return {
    sim,
    gateway,
    async gql(doc, variables, opts = {}) {
      const query = typeof doc === 'string' ? doc : print(doc);
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as GraphQLResponse<never>['body'] };
    },
    stats: async () => (await admin('GET', 'stats')).requests as Record<string, number>,
    resetStats: async () => void (await admin('POST', 'reset')),
    fault: async (route, fault) => void (await admin('POST', 'faults', { route, ...fault })),
    clearFaults: async () => void (await admin('DELETE', 'faults')),
    tokenFor: (index) => sim.console.issueToken(index).token,
    async returningUser(index) {
      const token = sim.console.issueToken(index).token;
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (res.status !== 200) throw new Error(`returning user ${index}: ${res.status} ${await res.text()}`);
      return token;
    },
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}

/** The error codes of a response, by dotted path ("me.subscriptions" → "UPSTREAM_ERROR"). */
export function codesByPath(body: GraphQLResponse<unknown>['body']): Record<string, unknown> {
  return Object.fromEntries((body.errors ?? []).map((e) => [(e.path ?? []).join('.'), e.extensions?.code]));
}
