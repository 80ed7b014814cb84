import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver.js';
import { CatalogResolver } from '../catalog/catalog.resolver.js';
import { StoreResolver } from '../catalog/store.resolver.js';
import { LineItemResolver } from '../subscriptions/line-item.resolver.js';
import { ViewerResolver } from '../viewer/viewer.resolver.js';

export const resolvers = [AuthResolver, CatalogResolver, StoreResolver, LineItemResolver, ViewerResolver] as const;

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  // No class-validator: arguments are checked explicitly before any upstream call (common/args.ts).
  return buildSchema({ resolvers: [...resolvers], validate: false });
}

/** The SDL checked in as schema/schema.graphql: sorted, so that it only changes when the schema does. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
