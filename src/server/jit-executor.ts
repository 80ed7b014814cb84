import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { Kind, execute, getOperationAST, printSchema, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { ByteLru } from '../cache/byte-lru.js';
import { OperationCache } from '../common/operation-cache.js';
import { measureOperation } from '../limits/upstream-cost.js';

/** Compiled operations kept at once. Compiled code is not small (tens of kB), and hostile
 * clients can send many distinct documents: past this, the least recently used is dropped. */
export const MAX_COMPILED_OPERATIONS = 200;

/**
 * Measured here (`node --expose-gc`, 300 distinct operations each): a compiled operation holds
 * ~2.1–2.6 kB per field it selects (fragments expanded) plus a few kB: the README's dashboard
 * (26 fields) 67 kB, eight aliased catalogue pages (136 fields) 288 kB.
 */
const COMPILED_BYTES_PER_FIELD = 2560;
const COMPILED_BASE_BYTES = 8192;

export type JitExecutorGateway = GatewayInterface & { compiledCount(): number; compiledStats(): { entries: number; bytes: number } };

/**
 * graphql-jit inlines every fragment spread where it is used, so compiled code grows with the
 * document's fields counted with every fragment use expanded: nested fragments that each spread
 * the previous one twice double it per level, and compiling blocked the event loop for seconds
 * (graphql-js collects a fragment once per selection set, so it runs such documents in linear
 * time). Past this many expanded fields an operation is never compiled. The README's dashboard
 * has about 40.
 */
export const MAX_COMPILED_FIELDS = 2000;

/**
 * Runs operations with graphql-jit behind Apollo Server's executor interface (the `gateway`
 * option: the one place Apollo lets execution be replaced). graphql-js 16 allocates two
 * dictionary-mode objects per executed field (argument maps, result maps): about a third of the
 * ~470 kB a dashboard operation allocated, and the GC work that came with it. An operation is
 * compiled the second time its parsed document comes by (Apollo's document store hands back the
 * same DocumentNode for a repeated query), so hot queries run compiled and one-off queries never
 * pay for compilation. At most `maxCompiled` compiled operations are kept (least recently used
 * dropped first). What graphql-jit cannot compile runs on graphql-js.
 */
export function jitExecutorGateway(schema: GraphQLSchema, bounds: { maxCompiled?: number; maxBytes?: number } = {}): JitExecutorGateway {
  const marks = new OperationCache<'seen once' | 'not compilable'>();
  const documentIds = new WeakMap<DocumentNode, number>();
  const compiled = new ByteLru<string, CompiledQuery>(bounds.maxBytes ?? 8 * 1_048_576, bounds.maxCompiled ?? MAX_COMPILED_OPERATIONS);
  let nextDocumentId = 0;

  const keyOf = (document: DocumentNode, operationName: string | null) => {
    let id = documentIds.get(document);
    if (id === undefined) {
      id = nextDocumentId++;
      documentIds.set(document, id);
    }
    return `${id}:${operationName ?? ''}`;
  };

  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | undefined => {
    const key = keyOf(document, operationName);
    const hit = compiled.get(key);
    if (hit) return hit;
    const mark = marks.get(document, operationName);
    if (mark === undefined) marks.set(document, operationName, 'seen once');
    if (mark !== 'seen once') return undefined;
    const fields = expandedFieldsOf(schema, document, operationName);
    if (fields === undefined || fields > MAX_COMPILED_FIELDS) {
      marks.set(document, operationName, 'not compilable');
      return undefined;
    }
    const result = compileQuery(schema, document, operationName ?? undefined, { customJSONSerializer: false });
    if (!isCompiledQuery(result)) {
      marks.set(document, operationName, 'not compilable');
      return undefined;
    }
    compiled.set(key, result, COMPILED_BASE_BYTES + fields * COMPILED_BYTES_PER_FIELD);
    return result;
  };

  const run = async (document: DocumentNode, operationName: string | null, context: unknown, variables: Record<string, unknown>): Promise<ExecutionResult> => {
    const interpreted = () => execute({ schema, document, operationName, contextValue: context, variableValues: variables });
    const query = compiledFor(document, operationName);
    if (!query) return interpreted();
    const result = await query.query(undefined, context, variables);
    // No data at all means the variables were refused before execution. graphql-js words those
    // errors the way Apollo recognises (BAD_USER_INPUT, HTTP 400); graphql-jit does not.
    return result.data === undefined && result.errors?.length ? interpreted() : result;
  };

  // The operation name the client asked for: Apollo's own is null when it found no such operation,
  // and execution must then fail (OPERATION_RESOLUTION_FAILURE), not run the only operation there.
  const executor: GatewayExecutor = async (requestContext) =>
    (await run(
      requestContext.document,
      requestContext.request.operationName ?? null,
      requestContext.context,
      requestContext.request.variables ?? {},
    )) as ExecutionResult<Record<string, unknown>>;

  return {
    compiledCount: () => compiled.stats().entries,
    compiledStats: () => compiled.stats(),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/** Fields the operation selects with every fragment use expanded; undefined when there is no such operation. */
function expandedFieldsOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): number | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return measureOperation(schema, operation, fragments).expandedFields;
}
