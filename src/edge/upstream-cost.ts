import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Upstream calls a field can cause, at most, per occurrence in a document. Memoisation and the
 * loaders bound them: product searches share one batch per request (each occurrence can add ids,
 * not lists; the lists are bounded by LOOKUP_MAX_PAGES and LOOKUP_MAX_STORES, mostly served by the
 * public cache),
 * a store's catalogue one call per distinct store (a page lists at most ~10 of them).
 */
export const FIELD_COST: Readonly<Record<string, number>> = {
  'Query.catalog': 1,
  'Query.appCatalog': 1,
  'Query.validateToken': 1,
  'Mutation.login': 1,
  'Mutation.reviewApp': 1,
  'Query.app': 1,
  'Viewer.products': 1,
  'Viewer.apps': 1,
  'Viewer.subscriptions': 1,
  'Viewer.featureFlags': 1,
  'Query.product': 3,
  'LineItem.product': 3,
  'Store.catalog': 10,
};

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
  const walk = (set: SelectionSetNode, type: GraphQLObjectType, trail: ReadonlySet<string>): Measure => {
    let cost = 0;
    let fields = 0;
    let expanded = 0;
    let aliases = 0;
    const add = (inner: Measure, withFields: boolean) => {
      cost += inner.cost;
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
        cost += FIELD_COST[`${type.name}.${field.name}`] ?? 0;
        const child = getNamedType(field.type);
        if (selection.selectionSet && isObjectType(child)) add(walk(selection.selectionSet, child, trail), false);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (!isObjectType(condition)) continue;
        add(walk(selection.selectionSet, condition, trail), true);
        continue;
      }
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || trail.has(name)) continue; // validation already refuses unknown fragments and cycles
      const condition = schema.getType(fragment.typeCondition.name.value);
      if (!isObjectType(condition)) continue;
      const key = `${name} on ${condition.name}`;
      let inner = measured.get(key);
      if (!inner) {
        inner = walk(fragment.selectionSet, condition, new Set([...trail, name]));
        measured.set(key, inner);
      }
      add(inner, true);
    }
    return { cost, fields, expanded, aliases };
  };
  const shape = walk(operation.selectionSet, root, new Set());
  return { upstreamCost: shape.cost, rootFields: shape.fields, expandedFields: shape.expanded, aliases: shape.aliases };
}
