import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's `Node`: an object a client can refetch by its global id (`Query.node`, `Query.nodes`).
 * Its field is `nodeId`, not `id`: the released types already have an integer `id` (the Console's
 * own), which stays. Relay reads it with `nodeInterfaceIdField: "nodeId"` (docs/clients.md).
 * The concrete type is named by the object itself (`__typename`, set by its mapper): see
 * `resolveNodeType`.
 */
@InterfaceType({
  description: 'An object that can be refetched by its global id with `node(id:)` or `nodes(ids:)` (Relay Global Object Identification).',
})
export abstract class Node {
  @Field(() => ID, { description: 'Global id: opaque, stable across replicas and releases, distinct across types. Pass it to `node(id:)`.' })
  nodeId!: string;
}

/**
 * The concrete type of a Node: its `__typename`. Set on the built schema (build-schema.ts), not
 * through `@InterfaceType({ resolveType })`: type-graphql wraps that in an async function, and
 * graphql-jit (the compiled path) takes a type name, not a promise of one.
 */
export function resolveNodeType(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? (value as { __typename?: string }).__typename : undefined;
}
