import { Kind, OperationTypeNode, type FragmentDefinitionNode } from 'graphql';
import type { AnswerCache } from '../cache/answer-cache.js';
import type { PreparedOperation } from './jit-executor.js';
import { PUBLIC_ROOT_FIELDS, rootFields } from './cache-control.js';

/**
 * Root fields whose answer is the same with or without a token: with one, `product` also searches
 * the caller's own products and apps, so it is public only without.
 */
const TOKEN_INDEPENDENT_ROOT_FIELDS: ReadonlySet<string> = new Set([...PUBLIC_ROOT_FIELDS].filter((f) => f !== 'product'));

/** Per prepared operation (they live as long as their compiled form): may its answer be kept whole, without and with a token. */
const verdicts = new WeakMap<PreparedOperation, { anonymous: boolean; withToken: boolean }>();

/**
 * Whether a prepared operation's answer may be served whole from the answer cache: a query whose
 * root fields all read public data only (for a caller with a token, data the token changes
 * nothing in). Everything under those roots is public: the schema has no private field below them.
 */
export function answerIsPublic(prepared: PreparedOperation, authorized: boolean): boolean {
  let verdict = verdicts.get(prepared);
  if (verdict === undefined) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of prepared.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const roots = [...rootFields(prepared.operation.selectionSet, fragments, new Set())];
    const query = prepared.operation.operation === OperationTypeNode.QUERY;
    verdict = {
      anonymous: query && roots.every((name) => PUBLIC_ROOT_FIELDS.has(name)),
      withToken: query && roots.every((name) => TOKEN_INDEPENDENT_ROOT_FIELDS.has(name)),
    };
    verdicts.set(prepared, verdict);
  }
  return authorized ? verdict.withToken : verdict.anonymous;
}

/** The answer's key: the document's hash, the operation's name and the variables as sent (JSON). */
export function answerKey(prepared: PreparedOperation, variables: Record<string, unknown>): string {
  return `${prepared.queryHash}\n${prepared.operationName ?? ''}\n${JSON.stringify(variables)}`;
}

/** The answer cache and the content type its bodies are sent with, as the prepared path uses them. */
export interface PublicAnswers {
  cache: AnswerCache;
  /** How long a public Console answer stays fresh (PUBLIC_CACHE_TTL_MS): an answer that read none lives this long. */
  ttlMs: number;
}
