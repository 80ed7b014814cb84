import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type Storage = ReturnType<typeof getMetadataStorage>;
type ResolverMethod = Storage['queries'][number] | Storage['fieldResolvers'][number];
type Param = NonNullable<ResolverMethod['params']>[number];
/** Reads one parameter of a resolver method from graphql-js's four resolver arguments. */
type ParamGetter = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

/** Marks a field resolver this module put in place of type-graphql's (the schema test counts them). */
export const DIRECT = Symbol('direct resolver');

/**
 * type-graphql wraps every resolver method in a handler that, on each call, builds a resolver-data
 * object, asks its container for the resolver class's instance, runs the (here empty) middleware
 * chain, sorts and maps the parameter list, copies the root into a new instance of its object type
 * and passes each argument through an async validation step, so that a resolver with arguments
 * answers through extra promises: on a dashboard, ~10 kB and a few microseconds per line item's
 * product. For a method that needs none of that (no middleware, no authorization, parameters that
 * are the root, the context, the info or scalar arguments), the field calls the method directly.
 * Anything else keeps type-graphql's handler. Run once after the schema is built.
 */
export function useDirectResolvers(schema: GraphQLSchema): number {
  const storage = getMetadataStorage();
  const typeName = new Map(storage.objectTypes.map((o) => [o.target, o.name]));
  const inputClasses = new Set<unknown>([...storage.inputTypes, ...storage.argumentTypes].map((c) => c.target));
  let replaced = 0;
  const place = (parentName: string | undefined, method: ResolverMethod) => {
    const parent = parentName === undefined ? undefined : schema.getType(parentName);
    const field = parent && isObjectType(parent) ? parent.getFields()[method.schemaName] : undefined;
    const resolve = field && directResolver(method, inputClasses);
    if (!field || !resolve) return;
    field.resolve = resolve;
    replaced += 1;
  };
  for (const query of storage.queries) place(schema.getQueryType()?.name, query);
  for (const mutation of storage.mutations) place(schema.getMutationType()?.name, mutation);
  for (const fieldResolver of storage.fieldResolvers) {
    // 'internal': a method of the object type itself, which needs the root made into its instance.
    if (fieldResolver.kind !== 'external') continue;
    const objectType = fieldResolver.getObjectType?.();
    place(objectType === undefined ? undefined : typeName.get(objectType), fieldResolver);
  }
  return replaced;
}

function directResolver(method: ResolverMethod, inputClasses: Set<unknown>): GraphQLFieldResolver<unknown, unknown> | undefined {
  if ((method.middlewares?.length ?? 0) > 0 || method.roles !== undefined) return undefined;
  const getters: ParamGetter[] = [];
  for (const param of [...(method.params ?? [])].sort((a, b) => a.index - b.index)) {
    const getter = getterOf(param, inputClasses);
    if (!getter) return undefined;
    getters[param.index] = getter;
  }
  if (getters.some((g) => g === undefined) || getters.length !== (method.params?.length ?? 0)) return undefined;
  const Target = method.target as new () => Record<string, (...params: unknown[]) => unknown>;
  // type-graphql's own container makes one instance per resolver class; ours hold no state.
  const instance = new Target();
  const call = instance[method.methodName];
  if (typeof call !== 'function') return undefined;
  const [a, b, c, d] = getters;
  // One closure per arity: no parameter array on the way in.
  const resolve: GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> = getters.length === 0
    ? () => call.call(instance)
    : getters.length === 1
      ? (root, args, context, info) => call.call(instance, a(root, args, context, info))
      : getters.length === 2
        ? (root, args, context, info) => call.call(instance, a(root, args, context, info), b(root, args, context, info))
        : getters.length === 3
          ? (root, args, context, info) => call.call(instance, a(root, args, context, info), b(root, args, context, info), c(root, args, context, info))
          : getters.length === 4
            ? (root, args, context, info) =>
                call.call(instance, a(root, args, context, info), b(root, args, context, info), c(root, args, context, info), d(root, args, context, info))
            : (root, args, context, info) =>
                call.apply(
                  instance,
                  getters.map((g) => g(root, args, context, info)),
                );
  Object.defineProperty(resolve, DIRECT, { value: true });
  return resolve as GraphQLFieldResolver<unknown, unknown>;
}

function getterOf(param: Param, inputClasses: Set<unknown>): ParamGetter | undefined {
  switch (param.kind) {
    case 'root': {
      const property = param.propertyName;
      return property === undefined ? (root) => root : (root) => (root as Record<string, unknown>)[property];
    }
    case 'context': {
      const property = param.propertyName;
      return property === undefined ? (_root, _args, context) => context : (_root, _args, context) => (context as Record<string, unknown>)[property];
    }
    case 'info':
      return (_root, _args, _context, info) => info;
    case 'arg': {
      // An input type's value becomes an instance of its class in type-graphql: that stays its job.
      if (inputClasses.has(param.getType())) return undefined;
      const name = param.name;
      return (_root, args) => args[name];
    }
    default:
      return undefined;
  }
}
