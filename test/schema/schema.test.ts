import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { isObjectType, isInterfaceType, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { printGatewaySchema } from '../../src/schema/print-schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

describe('the schema', () => {
  it('should match the checked-in schema/schema.graphql (run `npm run schema` after changing it)', async () => {
    const checkedIn = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(printGatewaySchema(schema)).toBe(checkedIn);
  });

  it('should describe every type, field and argument', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([
    ['Query', ['app', 'appCatalog', 'catalog', 'me', 'node', 'nodes', 'product', 'validateToken']],
    ['Mutation', ['login', 'reviewApp']],
    ['Viewer', ['apps', 'featureFlags', 'products', 'subscriptions']],
    ['LoginPayload', ['expiresAt', 'featureFlags', 'token', 'user']],
    ['ConsoleUser', ['displayName', 'email', 'id', 'login']],
    ['FeatureFlags', ['isVendor', 'isWhitelabeled']],
    ['TokenStatus', ['featureFlags', 'isValid']],
    ['ProductPage', ['edges', 'items', 'page', 'pageInfo', 'totalCount', 'totalPages']],
    ['ProductEdge', ['cursor', 'node']],
    ['PageInfo', ['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor']],
    ['AppCatalog', ['items', 'total']],
    [
      'Product',
      [
        'attributes',
        'averageRating',
        'categories',
        'description',
        'id',
        'metaData',
        'name',
        'nodeId',
        'permalink',
        'price',
        'purchasable',
        'ratingCount',
        'shortDescription',
        'status',
        'stockStatus',
        'store',
        'app',
      ].sort(),
    ],
    [
      'AppDetails',
      ['architectures', 'author', 'blacklist', 'customLinks', 'documentationUrl', 'iconUrl', 'latestVersion', 'portVersion', 'reverseDomainName', 'versions'],
    ],
    // The contract's id, productId and createdAt, plus what the Console records with a review.
    ['AppReview', ['createdAt', 'id', 'productId', 'productName', 'rating', 'review', 'reviewer', 'status', 'verified']],
    ['Category', ['id', 'name', 'slug']],
    ['ProductAttribute', ['id', 'name', 'options']],
    ['MetaEntry', ['id', 'key', 'value']],
    ['Store', ['address', 'catalog', 'id', 'name', 'shopName', 'url']],
    ['Address', ['city', 'country', 'state', 'street1', 'street2', 'zip']],
    ['SubscriptionList', ['items', 'total']],
    ['ProductSubscription', ['billing', 'customerId', 'id', 'lineItems', 'nodeId', 'status']],
    ['LineItem', ['id', 'image', 'product', 'productId', 'quantity', 'status', 'variationId']],
    ['Billing', ['company', 'email', 'firstName', 'lastName']],
  ])("should give %s exactly the contract's fields", (typeName, fields) => {
    const type = schema.getType(typeName);
    expect(isObjectType(type)).toBe(true);
    if (isObjectType(type)) expect(Object.keys(type.getFields()).sort()).toEqual(fields);
  });

  it("should offer Relay's Node interface, with nodeId, implemented by Product and ProductSubscription", () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node)).toBe(true);
    if (!isInterfaceType(node)) return;
    expect(Object.keys(node.getFields())).toEqual(['nodeId']);
    expect(
      schema
        .getPossibleTypes(node)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['Product', 'ProductSubscription']);
  });

  it('should have no root type named Subscription', () => {
    expect(schema.getSubscriptionType()).toBeUndefined();
    expect(schema.getType('Subscription')).toBeUndefined();
  });
});
