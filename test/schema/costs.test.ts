import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { declaredCost } from '../../src/schema/cost.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Every field whose resolver is ours (a query, a mutation, a field resolver: the only code that
 * reaches the Console) declares its cost with `@cost`, so that demand control and the gateway's
 * own limits see it. A field that makes no Console call is listed here, with why, and shown to make none.
 */
const FREE: Record<string, string> = {
  'Query.me': 'the caller, from the Authorization header; its fields make the calls',
  'ProductPage.edges': 'the items already read, with their cursors',
  'ProductPage.pageInfo': 'where the window already read stands',
  'ProductPage.totalCount': 'counted from what was read',
};

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

function resolverFields(): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) if (field.resolve) out.push(`${type.name}.${field.name}`);
  }
  return out.sort();
}

const fieldAt = (coordinate: string) => {
  const [type, field] = coordinate.split('.');
  return (schema.getType(type) as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[field];
};

describe('declared costs', () => {
  it('should have a @cost on every field with a resolver, except the ones listed as free', () => {
    const fields = resolverFields();
    expect(fields.length).toBeGreaterThan(10);
    const missing = fields.filter((coordinate) => !(coordinate in FREE) && declaredCost(fieldAt(coordinate)) === undefined);
    expect(missing).toEqual([]);
    for (const coordinate of fields) if (!(coordinate in FREE)) expect(declaredCost(fieldAt(coordinate))).toBeGreaterThanOrEqual(1);
  });

  it('should list as free only fields that exist and declare no cost', () => {
    for (const coordinate of Object.keys(FREE)) {
      expect(fieldAt(coordinate)).toBeDefined();
      expect(declaredCost(fieldAt(coordinate))).toBeUndefined();
    }
  });

  describe('the free fields', () => {
    let stack: Stack;
    beforeAll(async () => (stack = await startStack()));
    afterAll(async () => stack.close());

    it('should make no Console call', async () => {
      // A returning user's token: a token the gateway has not seen costs its one verification first.
      const token = await stack.returningUser(2);
      await stack.resetStats();
      const res = await stack.gql('{ me { __typename } }', {}, { token });
      expect(res.body).toEqual({ data: { me: { __typename: 'Viewer' } } });
      expect(await stack.stats()).toEqual({});
    });
  });
});
