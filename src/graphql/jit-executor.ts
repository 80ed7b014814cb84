import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  Kind,
  execute,
  getOperationAST,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createRequire } from 'node:module';
import type { CompiledQuery } from 'graphql-jit';
import { ByteLru } from '../cache/byte-lru.js';
import { OperationCache } from '../common/operation-cache.js';
import { measureOperation } from '../edge/upstream-cost.js';
import { PreparedSources } from './prepared-sources.js';

/** Compiled operations kept at once. Compiled code is not small (tens of kB), and hostile
 * clients can send many distinct documents: past this, the least recently used is dropped. */
export const MAX_COMPILED_OPERATIONS = 200;

/**
 * Measured here (`node --expose-gc`, 300 distinct operations each): a compiled operation holds
 * ~2.1–2.6 kB per field it selects (fragments expanded) plus a few kB: the dashboard of docs/queries.md
 * (26 fields) 67 kB, eight aliased catalogue pages (136 fields) 288 kB.
 */
const COMPILED_BYTES_PER_FIELD = 2560;
const COMPILED_BASE_BYTES = 8192;

/**
 * graphql-jit, loaded when the first operation is compiled: it brings ajv and fast-json-stringify
 * along (~3 MB of a replica's idle memory), and an idle replica has compiled nothing.
 */
let jit: typeof import('graphql-jit') | undefined;
function loadJit(): typeof import('graphql-jit') {
  jit ??= createRequire(import.meta.url)('graphql-jit') as typeof import('graphql-jit');
  return jit;
}

/** Texts of prepared documents kept (their parsed documents are held weakly, src/graphql/prepared-sources.ts). */
const PREPARED_SOURCES_MAX_BYTES = 2 * 1_048_576;

/** An operation that already ran compiled: what the prepared path needs to run it again without Apollo's pipeline. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation's own name (what Apollo calls the resolved operationName), null when anonymous. */
  operationName: string | null;
  /** SHA-256 of the document's text, hex (Apollo's queryHash). */
  queryHash: string;
  /** Console calls the operation may cause (the cost limit's measure), charged before it runs. */
  upstreamCost: number;
  query: CompiledQuery;
}

interface CompiledOperation {
  query: CompiledQuery;
  upstreamCost: number;
  /**
   * Its prepared form, made once the first time the prepared path asks for it: one object for as
   * long as the compiled operation lives, so that what is worked out per prepared operation
   * (whether its answer is public, src/graphql/public-answers.ts) is worked out once, not per request.
   */
  prepared?: PreparedOperation;
}

export type JitExecutorGateway = GatewayInterface & {
  compiledCount(): number;
  compiledStats(): { entries: number; bytes: number };
  /** Texts remembered for the prepared path. */
  preparedStats(): { entries: number; bytes: number };
  /** The prepared operation for this text and requested operation name, if it already ran compiled. */
  prepared(source: string, operationName: string | undefined): PreparedOperation | undefined;
  /** True when a text with this SHA-256 hash (hex) ran compiled here lately: an APQ request for it may take the prepared path. */
  knowsHash(queryHash: string): boolean;
  /** Runs a prepared operation (graphql-js when graphql-jit refuses the variables). */
  runPrepared(prepared: PreparedOperation, context: unknown, variables: Record<string, unknown>): Promise<ExecutionResult>;
};

/**
 * graphql-jit inlines every fragment spread where it is used, so compiled code grows with the
 * document's fields counted with every fragment use expanded: nested fragments that each spread
 * the previous one twice double it per level, and compiling blocked the event loop for seconds
 * (graphql-js collects a fragment once per selection set, so it runs such documents in linear
 * time). Past this many expanded fields an operation is never compiled. The dashboard of docs/queries.md
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
  const compiled = new ByteLru<string, CompiledOperation>(bounds.maxBytes ?? 8 * 1_048_576, bounds.maxCompiled ?? MAX_COMPILED_OPERATIONS);
  const sources = new PreparedSources(PREPARED_SOURCES_MAX_BYTES, bounds.maxCompiled ?? MAX_COMPILED_OPERATIONS);
  // What Apollo resolved for a (document, requested name) that ran compiled; follows the document's life.
  const resolved = new OperationCache<{ operation: OperationDefinitionNode; operationName: string | null; queryHash: string }>();
  let nextDocumentId = 0;

  const keyOf = (document: DocumentNode, operationName: string | null) => {
    let id = documentIds.get(document);
    if (id === undefined) {
      id = nextDocumentId++;
      documentIds.set(document, id);
    }
    // No name and the name "" are different requests (the second names no operation at all).
    return operationName === null ? `${id}` : `${id}:${operationName}`;
  };

  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledOperation | undefined => {
    const key = keyOf(document, operationName);
    const hit = compiled.get(key);
    if (hit) return hit;
    const mark = marks.get(document, operationName);
    if (mark === undefined) marks.set(document, operationName, 'seen once');
    if (mark !== 'seen once') return undefined;
    const shape = shapeOf(schema, document, operationName);
    const fields = shape?.expandedFields;
    if (shape === undefined || fields === undefined || fields > MAX_COMPILED_FIELDS) {
      marks.set(document, operationName, 'not compilable');
      return undefined;
    }
    const { compileQuery, isCompiledQuery } = loadJit();
    const result = compileQuery(schema, document, operationName ?? undefined, { customJSONSerializer: false });
    if (!isCompiledQuery(result)) {
      marks.set(document, operationName, 'not compilable');
      return undefined;
    }
    const entry = { query: result, upstreamCost: shape.upstreamCost };
    compiled.set(key, entry, COMPILED_BASE_BYTES + fields * COMPILED_BYTES_PER_FIELD);
    return entry;
  };

  const runCompiled = async (
    query: CompiledQuery,
    document: DocumentNode,
    operationName: string | null,
    context: unknown,
    variables: Record<string, unknown>,
  ): Promise<ExecutionResult> => {
    const result = await query.query(undefined, context, variables);
    // No data at all means the variables were refused before execution. graphql-js words those
    // errors the way Apollo recognises (BAD_USER_INPUT, HTTP 400); graphql-jit does not.
    return result.data === undefined && result.errors?.length
      ? execute({ schema, document, operationName, contextValue: context, variableValues: variables })
      : result;
  };

  // The operation name the client asked for: Apollo's own is null when it found no such operation,
  // and execution must then fail (OPERATION_RESOLUTION_FAILURE), not run the only operation there.
  const executor: GatewayExecutor = async (requestContext) => {
    const { document, source, queryHash, operation } = requestContext;
    const operationName = requestContext.request.operationName ?? null;
    const context = requestContext.context;
    const variables = requestContext.request.variables ?? {};
    const entry = compiledFor(document, operationName);
    if (!entry)
      return execute({ schema, document, operationName, contextValue: context, variableValues: variables }) as Promise<
        ExecutionResult<Record<string, unknown>>
      >;
    // Apollo parsed, validated and admitted this text: the next request with it may skip all that.
    if (operation && source !== undefined && queryHash !== undefined) {
      sources.remember(source, document, queryHash);
      if (resolved.get(document, operationName) === undefined)
        resolved.set(document, operationName, { operation, operationName: operation.name?.value ?? null, queryHash });
    }
    return (await runCompiled(entry.query, document, operationName, context, variables)) as ExecutionResult<Record<string, unknown>>;
  };

  const prepared = (source: string, operationName: string | undefined): PreparedOperation | undefined => {
    const document = sources.documentOf(source);
    if (document === undefined) return undefined;
    const facts = resolved.get(document, operationName ?? null);
    if (facts === undefined) return undefined;
    const entry = compiled.get(keyOf(document, operationName ?? null));
    if (entry === undefined) return undefined;
    entry.prepared ??= { document, ...facts, upstreamCost: entry.upstreamCost, query: entry.query };
    return entry.prepared;
  };

  return {
    compiledCount: () => compiled.stats().entries,
    compiledStats: () => compiled.stats(),
    preparedStats: () => sources.stats(),
    knowsHash: (queryHash) => sources.knowsHash(queryHash),
    prepared,
    runPrepared: (p, context, variables) => runCompiled(p.query, p.document, p.operationName, context, variables),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/** The operation's shape (fields with every fragment use expanded, upstream cost); undefined when there is no such operation. */
function shapeOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): ReturnType<typeof measureOperation> | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return measureOperation(schema, operation, fragments);
}
