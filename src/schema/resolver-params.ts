import { getMetadataStorage } from 'type-graphql';

type ParamLists = Array<{ params?: Array<{ index: number }> }>;

/**
 * type-graphql sorts a resolver's parameter list by position on every call of the resolver
 * (getParams in its resolvers/helpers.js), in place, and V8's sort allocates a work array each
 * time, even for a list already in order: ~15 kB per dashboard, one sort per line item's product.
 * After the schema is built, each list is sorted here once and given a `sort` of its own that
 * leaves it as it is, which is the order type-graphql's sort would give. A later build makes new
 * lists, so this runs after every build (buildGatewaySchema).
 */
export function sortResolverParamsOnce(): void {
  const storage = getMetadataStorage();
  const lists: ParamLists[] = [storage.queries, storage.mutations, storage.subscriptions, storage.fieldResolvers];
  for (const definitions of lists) {
    for (const { params } of definitions) {
      if (!params || params.length < 2 || Object.hasOwn(params, 'sort')) continue;
      params.sort((a, b) => a.index - b.index);
      Object.defineProperty(params, 'sort', { value: keepOrder });
    }
  }
}

function keepOrder<T>(this: T[]): T[] {
  return this;
}
