import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { OperationCache } from '../common/operation-cache.js';

type Compiled = CompiledQuery | 'seen once' | 'not compilable';

/**
 * Runs operations with graphql-jit behind Apollo Server's executor interface (the `gateway`
 * option: the one place Apollo lets execution be replaced). graphql-js 16 allocates two
 * dictionary-mode objects per executed field (argument maps, result maps): about a third of the
 * ~470 kB a dashboard operation allocated, and the GC work that came with it. An operation is
 * compiled the second time its parsed document comes by (Apollo's document store hands back the
 * same DocumentNode for a repeated query), so hot queries run compiled and one-off queries never
 * pay for compilation. Compiled code lives as long as its document (OperationCache). What
 * graphql-jit cannot compile runs on graphql-js.
 */
export function jitExecutorGateway(schema: GraphQLSchema): GatewayInterface {
  const compiled = new OperationCache<Compiled>();

  const run = async (document: DocumentNode, operationName: string | null, context: unknown, variables: Record<string, unknown>): Promise<ExecutionResult> => {
    let state = compiled.get(document, operationName);
    if (state === 'seen once') {
      const result = compileQuery(schema, document, operationName ?? undefined, { customJSONSerializer: false });
      state = isCompiledQuery(result) ? result : 'not compilable';
      compiled.set(document, operationName, state);
    }
    if (state === undefined || state === 'not compilable') {
      if (state === undefined) compiled.set(document, operationName, 'seen once');
      return execute({ schema, document, operationName, contextValue: context, variableValues: variables });
    }
    const result = await state.query(undefined, context, variables);
    // No data at all means the variables were refused before execution. graphql-js words those
    // errors the way Apollo recognises (BAD_USER_INPUT, HTTP 400); graphql-jit does not.
    if (result.data === undefined && result.errors?.length) {
      return execute({ schema, document, operationName, contextValue: context, variableValues: variables });
    }
    return result;
  };

  // The operation name the client asked for: Apollo's own is null when it found no such operation,
  // and execution must then fail (OPERATION_RESOLUTION_FAILURE), not run the only operation there.
  const executor: GatewayExecutor = async (requestContext) =>
    (await run(requestContext.document, requestContext.request.operationName ?? null, requestContext.context, requestContext.request.variables ?? {})) as ExecutionResult<
      Record<string, unknown>
    >;

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}
