import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApolloServer } from '@apollo/server';
import { createLogger } from '../../src/observability/logger.js';
import { loadGatewayConfig } from '../../src/config.js';
import { ConsoleTransport } from '../../src/console/http-transport.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { createContext, type GatewayContext } from '../../src/context.js';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { createApolloServer } from '../../src/graphql/apollo.js';
import { createSharedServices, type RunningServices } from '../../src/services.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';

/** Operations through Apollo and the real per-request context, without the HTTP layer. */
let sim: RunningSimulator;
let transport: ConsoleTransport;
let services: RunningServices;
let apollo: ApolloServer<GatewayContext>;
beforeAll(async () => {
  sim = await startSimulator();
  const logger = createLogger('silent');
  const metrics = new GatewayMetrics();
  transport = new ConsoleTransport({ consoleUrl: new URL(sim.url), timeoutMs: 2000, logger, metrics });
  const { limits, publicCache, lookup, memory, persistedQueryTtlSeconds, edge, limitMaxKeys } = loadGatewayConfig({});
  services = createSharedServices({ transport, publicCache, lookup, memory, persistedQueryTtlSeconds, edge, limitMaxKeys, logger, metrics });
  apollo = createApolloServer({
    schema: await buildGatewaySchema(),
    sandbox: false,
    development: false,
    logger,
    metrics,
    limits,
    apqCache: services.apqCache,
    persistedQueryTtlSeconds,
    documentStore: null,
    compiledCacheMaxBytes: memory.compiledCacheMaxBytes,
    csrfPrevention: 'bearer',
  });
  await apollo.start();
});
afterAll(async () => {
  await apollo.stop();
  transport.close();
  await services.close();
  await sim.close();
});

async function run(query: string, authorization?: string) {
  const context = createContext(services, authorization, { requestId: 'test', operationTimeoutMs: 5000 });
  const response = await apollo.executeOperation({ query }, { contextValue: context });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return { result: response.body.singleResult, upstreamCalls: context.console.upstreamCalls };
}

describe('operations through the real context', () => {
  it('should count one upstream call for a field read three times under aliases', async () => {
    const token = sim.console.issueToken(2).token;
    const { result, upstreamCalls } = await run('{ me { a: products { page } b: products { page } c: products { totalPages } } }', `Bearer ${token}`);
    expect(result.errors).toBeUndefined();
    expect(upstreamCalls).toBe(1);
  });

  it('should give each request its own memo: a second request with the same token makes its own call', async () => {
    const token = sim.console.issueToken(4).token;
    const first = await run('{ me { products { page } } }', `Bearer ${token}`);
    const second = await run('{ me { products { page } } }', `Bearer ${token}`);
    expect(first.result.errors).toBeUndefined();
    expect(second.result.errors).toBeUndefined();
    // A memo or loader shared across requests would have answered the second without a call.
    expect([first.upstreamCalls, second.upstreamCalls]).toEqual([1, 1]);
  });

  it('should refuse page 0 with BAD_USER_INPUT and no stack trace outside development', async () => {
    const { result } = await run('{ me { products(page: 0) { page } } }', 'Bearer x');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });
});
