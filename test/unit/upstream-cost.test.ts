import { beforeAll, describe, expect, it } from '@jest/globals';
import { Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { measureOperation } from '../../src/edge/upstream-cost.js';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

function measure(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return measureOperation(schema, operation, fragments);
}

describe('measureOperation', () => {
  it.each([
    ['{ __typename }', 0, 1, 1, 0],
    ['{ catalog { page } }', 1, 1, 2, 0],
    ['{ me { products { page } apps { page } subscriptions { total } featureFlags { isVendor } } }', 4, 1, 9, 0],
    // The product search's bound (LOOKUP_MAX_CALLS, 30) counts once, however many fields feed it.
    ['{ me { subscriptions { items { lineItems { product { id } } } } } }', 31, 1, 6, 0],
    ['{ product(id: 1) { id } p: product(id: 2) { id } me { subscriptions { items { lineItems { product { id } } } } } }', 31, 3, 10, 1],
    ['{ catalog { items { store { catalog { page } } } } }', 11, 1, 5, 0],
    ['{ a: catalog { page } b: catalog { page } appCatalog { total } }', 3, 3, 6, 2],
    ['mutation { login(username: "a", password: "b") { token } }', 1, 1, 2, 0],
    ['{ ...F } fragment F on Query { catalog { page } me { apps { page } } }', 2, 2, 5, 0],
    ['{ ... on Query { catalog { page } } }', 1, 1, 2, 0],
    ['{ catalog { items { ...A ...A } } } fragment A on Product { a: __typename b: __typename }', 1, 1, 6, 4],
  ])('should estimate %s at %p upstream calls, %p root fields, %p expanded fields and %p aliases', (source, cost, rootFields, expandedFields, aliases) => {
    expect(measure(source)).toEqual({ upstreamCost: cost, rootFields, expandedFields, aliases });
  });

  it('should measure a fragment bomb in linear time and report its exponential cost', () => {
    const levels = 40;
    const source = `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { catalog { page } }`;
    const started = performance.now();
    const shape = measure(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(shape.upstreamCost).toBe(2 ** levels);
  });
});
