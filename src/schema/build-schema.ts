import 'reflect-metadata';
import { isInterfaceType, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AppResolver } from '../apps/app.resolver.js';
import { AuthResolver } from '../auth/auth.resolver.js';
import { CatalogResolver } from '../catalog/catalog.resolver.js';
import { NodeResolver } from '../node/node.resolver.js';
import { resolveNodeType } from '../node/node.type.js';
import { StoreResolver } from '../catalog/store.resolver.js';
import { ProductPageResolver } from '../catalog/product-page.resolver.js';
import { LineItemResolver } from '../subscriptions/line-item.resolver.js';
import { ViewerResolver } from '../viewer/viewer.resolver.js';
import { costDirective, listSizeDirective } from './cost.js';
import { sortResolverParamsOnce } from './resolver-params.js';
import { useDirectResolvers } from './direct-resolvers.js';

export const resolvers = [
  AppResolver,
  AuthResolver,
  CatalogResolver,
  NodeResolver,
  ProductPageResolver,
  StoreResolver,
  LineItemResolver,
  ViewerResolver,
] as const;

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  // No class-validator: arguments are checked explicitly before any upstream call (common/args.ts).
  const schema = await buildSchema({ resolvers: [...resolvers], validate: false, directives: [...specifiedDirectives, costDirective, listSizeDirective] });
  sortResolverParamsOnce();
  useDirectResolvers(schema);
  // type-graphql offers no option for the root types' descriptions; they are what the Sandbox shows first.
  const query = schema.getQueryType();
  if (query) query.description = "Read the FLECS Console: the public store catalogue, token checks, and `me`, the caller's own data.";
  const mutation = schema.getMutationType();
  if (mutation) mutation.description = 'Change state in the FLECS Console: log in, review an app.';
  const node = schema.getType('Node');
  if (isInterfaceType(node)) node.resolveType = resolveNodeType;
  return schema;
}
