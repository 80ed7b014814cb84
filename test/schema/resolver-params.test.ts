import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'type-graphql';
import { execute, isObjectType, parse } from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { DIRECT } from '../../src/schema/direct-resolvers.js';

/**
 * src/schema/resolver-params.ts: type-graphql's per-call sort of each resolver's parameters, done
 * once; src/schema/direct-resolvers.ts: methods that need nothing of type-graphql's handler are
 * called directly, and still get their root, arguments and context in the right places.
 */
describe("resolvers' parameter lists after the schema is built", () => {
  it('are in position order, and sorting them again does not call Array.prototype.sort', async () => {
    await buildGatewaySchema();
    const storage = getMetadataStorage();
    const lists = [...storage.queries, ...storage.mutations, ...storage.fieldResolvers].map((d) => d.params ?? []).filter((p) => p.length > 1);
    expect(lists.length).toBeGreaterThan(5);
    for (const params of lists) {
      const indexes = params.map((p) => p.index);
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      expect(params.sort).not.toBe(Array.prototype.sort);
      expect(params.sort((a, b) => b.index - a.index).map((p) => p.index)).toEqual(indexes);
    }
  });

  it('still hand each resolver its arguments in the right places (root, arguments, context)', async () => {
    const schema = await buildGatewaySchema();
    const context = {
      loaders: { productById: { load: (id: number) => Promise.resolve({ id, name: `product ${id}` }) } },
      console: { validate: () => Promise.reject(new Error('no Console call was expected')) },
    };
    // LineItem.product takes (@Root item, @Ctx ctx): swapped, it would read the loader from the line item.
    const lineItem = schema.getType('LineItem') as unknown as { getFields(): Record<string, { resolve?: (...args: unknown[]) => unknown }> };
    const resolve = lineItem.getFields().product.resolve!;
    await expect(resolve(Object.assign(Object.create(null) as object, { productId: 7 }), {}, context, {})).resolves.toEqual({ id: 7, name: 'product 7' });
    // Query.validateToken takes (@Arg token, @Ctx ctx): an empty token is refused before any call.
    const result = await execute({ schema, document: parse('{ validateToken(token: "") { isValid } }'), contextValue: context });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('call every resolver method directly except those whose arguments type-graphql makes into input instances', async () => {
    const schema = await buildGatewaySchema();
    const direct: string[] = [];
    const wrapped: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.resolve) (DIRECT in field.resolve ? direct : wrapped).push(`${type.name}.${field.name}`);
      }
    }
    expect(direct).toEqual(expect.arrayContaining(['LineItem.product', 'Query.me', 'Viewer.products', 'Store.catalog', 'Mutation.login', 'Query.nodes']));
    // reviewApp's input (ReviewInput) is an instance of its class in type-graphql: its handler stays.
    expect(wrapped).toEqual(['Mutation.reviewApp']);
  });
});
