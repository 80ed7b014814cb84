import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApolloServerPlugin } from '@apollo/server';
import { loadGatewayConfig } from '../../src/config.js';
import type { GatewayContext } from '../../src/context.js';
import { preparedPathBlocker } from '../../src/graphql/prepared-path.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The prepared path skips Apollo's plugin hooks, so it stays off whenever a plugin must see every
 * operation: an embedding's own plugins, or Apollo's usage reporting (APOLLO_KEY + APOLLO_GRAPH_REF).
 */
async function preparedRuns(stack: Stack): Promise<number> {
  const text = await (await fetch(stack.gateway.metricsUrl)).text();
  return Number(/^flecs_graph_prepared_operations_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('a usage-style plugin', () => {
  let stack: Stack;
  const seen: string[] = [];
  const usage: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, response }) {
          seen.push(`${operationName ?? 'anonymous'}:${response.body.kind}`);
        },
      };
    },
  };
  beforeAll(async () => (stack = await startStack({ gateway: { plugins: [usage] } })));
  afterAll(async () => stack.close());

  it('should see every operation: with a plugin configured, none takes the prepared path', async () => {
    for (let i = 0; i < 6; i += 1) expect((await stack.gql('query Hot { catalog { page } }')).body.errors).toBeUndefined();
    expect(seen).toEqual(Array(6).fill('Hot:single'));
    expect(await preparedRuns(stack)).toBe(0);
  });
});

describe('without plugins', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack()));
  afterAll(async () => stack.close());

  it('should prepare a hot operation (the control: the same six requests)', async () => {
    for (let i = 0; i < 6; i += 1) await stack.gql('query Hot { catalog { page } }');
    expect(await preparedRuns(stack)).toBeGreaterThanOrEqual(2);
  });
});

describe("Apollo's usage reporting", () => {
  it('should keep the prepared path off when APOLLO_KEY and APOLLO_GRAPH_REF are set, and say why', () => {
    const reporting = loadGatewayConfig({ APOLLO_KEY: 'service:example:key', APOLLO_GRAPH_REF: 'example@current' });
    expect(preparedPathBlocker(reporting)).toMatch(/usage reporting/);
    expect(preparedPathBlocker(loadGatewayConfig({ APOLLO_KEY: 'service:example:key' }))).toBeUndefined();
    expect(preparedPathBlocker(loadGatewayConfig({}))).toBeUndefined();
    expect(preparedPathBlocker(loadGatewayConfig({}), [{}])).toMatch(/1 configured Apollo plugin/);
  });
});
