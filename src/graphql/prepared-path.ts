import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError, OperationTypeNode, getVariableValues, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { JitExecutorGateway, PreparedOperation } from './jit-executor.js';
import type { CacheControlPolicy } from './cache-control.js';
import type { AnsweredOperation } from '../observability/operation-plugin.js';
import { answerIsPublic, answerKey, type PublicAnswers } from './public-answers.js';
import { getFields, persistedHash, postFields, type PlainRequest } from './prepared-request.js';
import { WHOLE_ANSWER, type CachedAnswer } from '../cache/answer-cache.js';
import type { GraphQLHttpRequest } from '../http/graphql-request.js';

/**
 * What the prepared path shares with Apollo's pipeline: the same plugin steps, the same error
 * formatting, so that an answer is the same byte for byte whichever path made it.
 */
export interface PreparedPathSteps {
  schema: GraphQLSchema;
  executor: JitExecutorGateway;
  /** The operation is known (names its span). */
  resolved(context: GatewayContext, prepared: PreparedOperation): void;
  /** Console capacity and the client's Console-call budget; throws a GraphQLError to refuse. */
  admit(context: GatewayContext, upstreamCost: number): Promise<void>;
  /** Log line, metric, span outcome. */
  answered(context: GatewayContext, answered: AnsweredOperation): void;
  cacheControl: CacheControlPolicy;
  /** Apollo's formatError option (ours, src/graphql/apollo.ts). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  includeStacktraceInErrorResponses: boolean;
  /** CSRF_PREVENTION=strict: Apollo's check applies to GETs, so they take Apollo's path. */
  strictCsrf: boolean;
  /** The store Apollo's automatic persisted queries live in (the same object Apollo was given). */
  persistedQueries: KeyValueCache<string>;
  /** Whole public answers (ANSWER_CACHE_MAX_BYTES); undefined: off. */
  answers?: PublicAnswers;
  /** An answer served whole from the answer cache, fresh or stale, or built (rebuilt) for it. */
  answerCacheEvent?(event: 'hit' | 'stale' | 'miss'): void;
}

/** Apollo Server's key prefix in the APQ store (APQ_CACHE_PREFIX in its request pipeline). */
const APQ_CACHE_PREFIX = 'apq:';

/** A request the prepared path will answer: call `run` with the request's context. */
export interface PreparedRun {
  prepared: PreparedOperation;
  /** Its answer may come whole from the answer cache, with no Console call and no admission charge. */
  answerable: boolean;
  run(context: GatewayContext): Promise<HTTPGraphQLResponse>;
}

/**
 * Accept headers the prepared path answers, with the content type Apollo's negotiation picks for
 * them (application/json first, then application/graphql-response+json). Any other Accept header
 * takes Apollo's path, which negotiates it in full (or answers 406).
 */
const CONTENT_TYPES = new Map<string, string>([
  ['', 'application/json; charset=utf-8'],
  ['*/*', 'application/json; charset=utf-8'],
  ['application/json', 'application/json; charset=utf-8'],
  ['application/json, */*', 'application/json; charset=utf-8'],
  ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json,application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
]);

/**
 * The prepared path: a document whose text already ran compiled in this process (a
 * trusted document sent by id, a hot query) runs straight from its compiled form: no request
 * parsing, no hash of the text, no document-store lookup, no plugin dispatch. Only the plain case
 * comes here: a POST of `query` / `operationName` / `variables` (or the same GET without a
 * content type, under CSRF_PREVENTION=bearer), an Accept header from the table above, variables
 * that coerce. Everything else, every refusal Apollo words itself included, takes Apollo's path,
 * which is why nothing here runs before it is sure to answer the request.
 */
export function preparedPath(steps: PreparedPathSteps) {
  const matchPlain = (method: string, request: PlainRequest, headers: IncomingHttpHeaders, contentType: string): PreparedRun | undefined => {
    const prepared = steps.executor.prepared(request.source, request.operationName);
    if (prepared === undefined) return undefined;
    // Mutations never run over GET (Apollo says so).
    if (method === 'GET' && prepared.operation.operation !== OperationTypeNode.QUERY) return undefined;
    const variables = request.variables ?? {};
    // Variables that do not coerce get Apollo's 400 BAD_USER_INPUT, worded by graphql-js.
    if (prepared.operation.variableDefinitions?.length && 'errors' in getVariableValues(steps.schema, prepared.operation.variableDefinitions, variables))
      return undefined;
    const authorized = Boolean(headers.authorization);
    const answerable = steps.answers !== undefined && answerIsPublic(prepared, authorized);
    return { prepared, answerable, run: (context) => runPrepared(steps, prepared, variables, contentType, authorized, answerable, context) };
  };
  // A GET with a content type is Apollo's to refuse (415), and under CSRF_PREVENTION=strict its to check.
  const getAllowed = (headers: IncomingHttpHeaders) => !steps.strictCsrf && headers['content-type'] === undefined;

  return {
    /** A request with a document's text that already ran compiled; undefined: Apollo's path. */
    match(request: GraphQLHttpRequest, headers: IncomingHttpHeaders): PreparedRun | undefined {
      const contentType = CONTENT_TYPES.get(headers.accept ?? '');
      if (contentType === undefined) return undefined;
      const { method } = request;
      const fields = method === 'POST' ? postFields(request.body, 'query') : getAllowed(headers) ? getFields(request.url, 'query') : undefined;
      if (fields === undefined || typeof fields.main !== 'string') return undefined;
      return matchPlain(method, { source: fields.main, operationName: fields.operationName, variables: fields.variables }, headers, contentType);
    },

    /**
     * An automatic persisted query sent by its hash alone, whose text already ran compiled here:
     * looked up in the APQ store exactly as Apollo would (so its TTL and its presence in Redis
     * decide, as before), then run as that text. Undefined: Apollo's path (which answers a miss
     * with PERSISTED_QUERY_NOT_FOUND).
     */
    async matchPersisted(request: GraphQLHttpRequest, headers: IncomingHttpHeaders): Promise<PreparedRun | undefined> {
      const contentType = CONTENT_TYPES.get(headers.accept ?? '');
      if (contentType === undefined) return undefined;
      const { method } = request;
      const fields = method === 'POST' ? postFields(request.body, 'extensions') : getAllowed(headers) ? getFields(request.url, 'extensions') : undefined;
      const hash = fields === undefined ? undefined : persistedHash(fields.main);
      if (fields === undefined || hash === undefined || !steps.executor.knowsHash(hash)) return undefined;
      const source = await steps.persistedQueries.get(`${APQ_CACHE_PREFIX}${hash}`);
      if (source === undefined) return undefined;
      return matchPlain(method, { source, operationName: fields.operationName, variables: fields.variables }, headers, contentType);
    },
  };
}

export type PreparedPath = ReturnType<typeof preparedPath>;

/** Apollo's pipeline from "operation resolved" to "response serialized", for a prepared operation. */
async function runPrepared(
  steps: PreparedPathSteps,
  prepared: PreparedOperation,
  variables: Record<string, unknown>,
  contentType: string,
  authorized: boolean,
  answerable: boolean,
  context: GatewayContext,
): Promise<HTTPGraphQLResponse> {
  const started = performance.now();
  steps.resolved(context, prepared);
  const head: { status: number | undefined; headers: HeaderMap } = { status: undefined, headers: new HeaderMap([['content-type', contentType]]) };
  // A public operation answered before: its bytes, with no admission charge and no execution (it
  // makes no Console call). The edge's checks (trusted documents, budgets, limits) ran before this.
  const answers = answerable ? steps.answers : undefined;
  const key = answers ? answerKey(prepared, variables) : undefined;
  if (answers && key !== undefined) {
    const found = answers.cache.lookup(key);
    if (found !== undefined) {
      steps.answerCacheEvent?.(found.fresh ? 'hit' : 'stale');
      steps.answered(context, { started, operationName: prepared.operationName, queryHash: prepared.queryHash, errors: undefined, data: true });
      steps.cacheControl(head.headers, {
        authorized,
        document: prepared.document,
        operation: prepared.operation,
        operationName: prepared.operationName,
        errors: undefined,
      });
      const response: HTTPGraphQLResponse & { [WHOLE_ANSWER]: CachedAnswer } = {
        ...head,
        body: { kind: 'complete', string: found.answer.body },
        [WHOLE_ANSWER]: found.answer,
      };
      return response;
    }
    steps.answerCacheEvent?.('miss');
  }
  try {
    return await executePrepared(steps, prepared, variables, authorized, context, started, head, answers, key);
  } finally {
    // Kept by executePrepared when the answer was whole; otherwise the next request rebuilds it.
    if (answers && key !== undefined) answers.cache.abandon(key);
  }
}

async function executePrepared(
  steps: PreparedPathSteps,
  prepared: PreparedOperation,
  variables: Record<string, unknown>,
  authorized: boolean,
  context: GatewayContext,
  started: number,
  head: { status: number | undefined; headers: HeaderMap },
  answers: PublicAnswers | undefined,
  key: string | undefined,
): Promise<HTTPGraphQLResponse> {
  let result: ExecutionResult;
  try {
    await steps.admit(context, prepared.upstreamCost);
  } catch (refusal) {
    result = { errors: [asGraphQLError(refusal)] };
  }
  result ??= await steps.executor.runPrepared(prepared, context, variables);
  const errors = result.errors;
  const formatted = errors?.map((error) => formatOne(steps, error, head));
  // A refusal before execution without its own status is a 500, as in Apollo's sendErrorResponse.
  if (!('data' in result) && head.status === undefined) head.status = 500;
  steps.answered(context, { started, operationName: prepared.operationName, queryHash: prepared.queryHash, errors, data: result.data });
  steps.cacheControl(head.headers, { authorized, document: prepared.document, operation: prepared.operation, operationName: prepared.operationName, errors });
  const ordered = { errors: formatted, data: result.data, extensions: result.extensions };
  const body = JSON.stringify(ordered) + '\n';
  // Kept whole only when nothing failed and nothing in it belongs to this request (extensions).
  if (answers && key !== undefined && !errors?.length && result.extensions === undefined && head.status === undefined)
    answers.cache.store(key, body, Math.min(context.console.publicFreshUntil, Date.now() + answers.ttlMs));
  return { ...head, body: { kind: 'complete', string: body } };
}

/** Apollo's normalizeAndFormatErrors for one error: a default code, `http` lifted onto the response, then formatError. */
function formatOne(steps: PreparedPathSteps, error: GraphQLError, head: { status: number | undefined; headers: HeaderMap }): GraphQLFormattedError {
  try {
    // graphql-jit's own errors (a resolveType failure, say) may carry no extensions at all.
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
    const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
    if (
      http &&
      typeof http === 'object' &&
      (http.status === undefined || typeof http.status === 'number') &&
      (http.headers === undefined || http.headers instanceof Map)
    ) {
      if (typeof http.status === 'number') head.status = http.status;
      if (http.headers instanceof Map) for (const [name, value] of http.headers as Map<string, string>) head.headers.set(name, value);
      delete extensions.http;
    }
    if (steps.includeStacktraceInErrorResponses) extensions.stacktrace = error.stack?.split('\n');
    return steps.formatError({ ...error.toJSON(), extensions }, error);
  } catch (formattingError) {
    if (steps.includeStacktraceInErrorResponses) return { message: String(formattingError) };
    return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  return new GraphQLError(`Unexpected error value: ${String(error)}`);
}

/** Why the prepared path must stay off although PREPARED_OPERATIONS is on: plugins it cannot serve. */
export function preparedPathBlocker(config: { apolloUsageReporting: boolean }, plugins: readonly unknown[] = []): string | undefined {
  if (config.apolloUsageReporting) return "Apollo's usage reporting (APOLLO_KEY and APOLLO_GRAPH_REF) must see every operation";
  if (plugins.length > 0) return `the ${plugins.length} configured Apollo plugin(s) must see every operation`;
  return undefined;
}
