import { beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { parse, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { jitExecutorGateway } from '../../src/graphql/jit-executor.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

async function executorOf(gateway: ReturnType<typeof jitExecutorGateway>): Promise<GatewayExecutor> {
  const { executor } = await gateway.load({ apollo: {} });
  return executor!;
}

// The executor reads only these fields of Apollo's request context.
const requestFor = (document: ReturnType<typeof parse>) =>
  ({ document, request: { variables: {} }, context: {}, operationName: null }) as unknown as Parameters<GatewayExecutor>[0];

describe('the graphql-jit executor', () => {
  it('should compile a document on its second sighting, not its first', async () => {
    const gateway = jitExecutorGateway(schema);
    const execute = await executorOf(gateway);
    const document = parse('{ __typename }');
    expect(await execute(requestFor(document))).toEqual({ data: { __typename: 'Query' } });
    expect(gateway.compiledCount()).toBe(0);
    expect(await execute(requestFor(document))).toEqual({ data: { __typename: 'Query' } });
    expect(gateway.compiledCount()).toBe(1);
  });

  it('should keep at most its limit of compiled operations, dropping the least recently used', async () => {
    const gateway = jitExecutorGateway(schema, { maxCompiled: 2 });
    const execute = await executorOf(gateway);
    const documents = ['{ a: __typename }', '{ b: __typename }', '{ c: __typename }'].map((source) => parse(source));
    for (const document of documents) {
      await execute(requestFor(document));
      const result = await execute(requestFor(document));
      expect(Object.values(result.data ?? {})).toEqual(['Query']);
    }
    expect(gateway.compiledCount()).toBe(2);
  });

  it('should hand the prepared path one object per compiled operation, not a new one per request', async () => {
    // What is worked out per prepared operation (whether its answer is public) is kept by its
    // object: a new object per request worked it out again, and kept it, on every request.
    const gateway = jitExecutorGateway(schema);
    const execute = await executorOf(gateway);
    const source = 'query Kind { __typename }';
    const document = parse(source);
    const request = {
      document,
      source,
      queryHash: 'a'.repeat(64),
      operation: document.definitions[0],
      request: { variables: {} },
      context: {},
    } as unknown as Parameters<GatewayExecutor>[0];
    await execute(request);
    expect(gateway.prepared(source, undefined)).toBeUndefined();
    await execute(request);
    const prepared = gateway.prepared(source, undefined);
    expect(prepared?.operationName).toBe('Kind');
    expect(gateway.prepared(source, undefined)).toBe(prepared);
  });
});
