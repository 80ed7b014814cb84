import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString, Kind, type GraphQLField } from 'graphql';

/**
 * The cost directives of demand control, as Apollo Router and Hive Router read them (after the IBM
 * GraphQL cost specification): `@cost(weight:)` on each field that calls the Console, `@listSize` on
 * the lists whose items can hold such fields. The gateway's own limits read the same weights
 * (src/edge/upstream-cost.ts); a field that reaches the Console without one fails a test.
 */
export const costDirective = new GraphQLDirective({
  name: 'cost',
  description: 'Console calls this field can cause, at most, per occurrence in a document (demand control).',
  locations: [
    DirectiveLocation.ARGUMENT_DEFINITION,
    DirectiveLocation.ENUM,
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.INPUT_FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.SCALAR,
  ],
  args: { weight: { type: new GraphQLNonNull(GraphQLInt) } },
});

export const listSizeDirective = new GraphQLDirective({
  name: 'listSize',
  description: 'How many items this list holds at most (demand control multiplies its items’ costs by it).',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    assumedSize: { type: GraphQLInt },
    slicingArguments: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    sizedFields: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    requireOneSlicingArgument: { type: GraphQLBoolean, defaultValue: true },
  },
});

/** `@cost(weight: n)` as the decorators write it. */
export const cost = (weight: number) => `@cost(weight: ${weight})`;
/**
 * On fields that page with `first`/`after`: demand control reads the window's size from `first`.
 * The gateway's own limit adds the extra Console pages a window may read (WINDOW_MAX_PAGES - 1).
 */
export const WINDOW_LIST_SIZE = '@listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)';

/** `@listSize(assumedSize: n)` as the decorators write it. */
export const listSize = (assumedSize: number) => `@listSize(assumedSize: ${assumedSize})`;

/**
 * Items a Console list holds at most, as demand control should assume: WooCommerce, behind the
 * Console, pages at most 100 items (the gateway does not multiply by it: loaders batch a list's items).
 */
export const CONSOLE_PAGE_MAX = 100;

/**
 * Most Console calls one request's product search makes (LineItem.product and Query.product share
 * it): a cold search that needs more stops there and answers LOOKUP_INCOMPLETE. It is the weight
 * both fields declare.
 */
export const LOOKUP_MAX_CALLS = 30;

const declared = new WeakMap<GraphQLField<unknown, unknown>, number | null>();

/** The weight a field declares with `@cost`, or undefined when it declares none. */
export function declaredCost(field: GraphQLField<unknown, unknown>): number | undefined {
  let weight = declared.get(field);
  if (weight === undefined) {
    const argument = field.astNode?.directives?.find((d) => d.name.value === 'cost')?.arguments?.find((a) => a.name.value === 'weight')?.value;
    weight = argument?.kind === Kind.INT ? Number(argument.value) : null;
    declared.set(field, weight);
  }
  return weight ?? undefined;
}

/** True for a field whose `@listSize` names `first` as its slicing argument (a cursor window). */
export function slicesWindows(field: GraphQLField<unknown, unknown>): boolean {
  const listSizeNode = field.astNode?.directives?.find((d) => d.name.value === 'listSize');
  const slicing = listSizeNode?.arguments?.find((a) => a.name.value === 'slicingArguments')?.value;
  return slicing?.kind === Kind.LIST && slicing.values.some((v) => v.kind === Kind.STRING && v.value === 'first');
}
