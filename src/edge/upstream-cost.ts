import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { declaredCost, slicesWindows } from '../schema/cost.js';
import { WINDOW_MAX_PAGES } from '../catalog/cursors.js';

/**
 * The batching rule the gateway adds to the weights its schema declares (`@cost`, src/schema/cost.ts):
 * a field's weight counts once per occurrence in the document, never multiplied by the lists around
 * it (loaders batch a list's items into one call per distinct key); and the fields that feed the
 * request's one product search share its bound, which counts once per operation however many of
 * them there are.
 */
const SHARED_SEARCH_FIELDS: ReadonlySet<string> = new Set(['Query.product', 'LineItem.product', 'Query.node', 'Query.nodes']);

export interface OperationShape {
  /** Upper bound of the upstream calls the operation could cause. */
  upstreamCost: number;
  /** Fields selected at the root, fragments expanded. */
  rootFields: number;
  /** Field selections at every level with every fragment use expanded: what a compiler inlines. */
  expandedFields: number;
  /** Aliases at every level with every fragment use expanded, `__typename` included. */
  aliases: number;
}

interface Measure {
  cost: number;
  /** The largest weight of a field that feeds the shared product search (counted once). */
  search: number;
  fields: number;
  expanded: number;
  aliases: number;
}

/**
 * Walks one operation, fragments expanded where they are used. A fragment's measure is computed
 * once per type and reused, so a "fragment bomb" (each fragment spreading the next twice) costs
 * linear time here while its exponential cost is still reported, and refused.
 */
export function measureOperation(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): OperationShape {
  const root = operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getQueryType();
  if (!root) return { upstreamCost: 0, rootFields: 0, expandedFields: 0, aliases: 0 };
  const measured = new Map<string, Measure>();
  // An interface (Node) is walked for its own fields; its fragments on each object type add theirs.
  const walk = (set: SelectionSetNode, type: GraphQLObjectType | GraphQLInterfaceType, trail: ReadonlySet<string>): Measure => {
    let cost = 0;
    let search = 0;
    let fields = 0;
    let expanded = 0;
    let aliases = 0;
    const add = (inner: Measure, withFields: boolean) => {
      cost += inner.cost;
      search = Math.max(search, inner.search);
      if (withFields) fields += inner.fields;
      expanded += inner.expanded;
      aliases += inner.aliases;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        expanded += 1;
        if (selection.alias) aliases += 1;
        const field = type.getFields()[selection.name.value];
        if (!field) continue; // __typename and introspection: no upstream cost
        const weight = declaredCost(field as GraphQLField<unknown, unknown>) ?? 0;
        // A window (`first`/`after`) may read more Console pages than the one a `page` reads.
        if (selection.arguments?.some((a) => a.name.value === 'first' || a.name.value === 'after') && slicesWindows(field as GraphQLField<unknown, unknown>))
          cost += WINDOW_MAX_PAGES - 1;
        if (SHARED_SEARCH_FIELDS.has(`${type.name}.${field.name}`)) search = Math.max(search, weight);
        else cost += weight;
        const child = getNamedType(field.type);
        if (selection.selectionSet && (isObjectType(child) || isInterfaceType(child))) add(walk(selection.selectionSet, child, trail), false);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (!isObjectType(condition) && !isInterfaceType(condition)) continue;
        add(walk(selection.selectionSet, condition, trail), true);
        continue;
      }
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || trail.has(name)) continue; // validation already refuses unknown fragments and cycles
      const condition = schema.getType(fragment.typeCondition.name.value);
      if (!isObjectType(condition) && !isInterfaceType(condition)) continue;
      const key = `${name} on ${condition.name}`;
      let inner = measured.get(key);
      if (!inner) {
        inner = walk(fragment.selectionSet, condition, new Set([...trail, name]));
        measured.set(key, inner);
      }
      add(inner, true);
    }
    return { cost, search, fields, expanded, aliases };
  };
  const shape = walk(operation.selectionSet, root, new Set());
  return { upstreamCost: shape.cost + shape.search, rootFields: shape.fields, expandedFields: shape.expanded, aliases: shape.aliases };
}
