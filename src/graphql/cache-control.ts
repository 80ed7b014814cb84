import type { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { Kind, OperationTypeNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { OperationCache } from '../common/operation-cache.js';

/** Root fields that read public data only (without a token, `product` searches only the public catalogues). */
export const PUBLIC_ROOT_FIELDS: ReadonlySet<string> = new Set(['catalog', 'appCatalog', 'app', 'product', '__typename']);

/**
 * Cache-Control for browsers and CDNs: an answer is `public, max-age=<public cache TTL>` only when
 * the request carried no Authorization header, the operation is a query whose root fields all read
 * public data, and nothing failed; everything else is `private, no-store`. So a persisted query
 * sent as GET can be cached by a CDN, and nothing sent with a token ever is.
 */
export function cacheControlPlugin(policy: CacheControlPolicy): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, document, operation, operationName, errors }) {
          policy(response.http.headers, { authorized: Boolean(request.http?.headers.get('authorization')), document, operation, operationName, errors });
        },
      };
    },
  };
}

export interface AnswerFacts {
  /** The request carried an Authorization header (any value). */
  authorized: boolean;
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  operationName: string | null | undefined;
  errors: readonly unknown[] | undefined;
}

/** Sets Cache-Control (and Vary: Authorization on public answers) on an answer's headers. */
export type CacheControlPolicy = (headers: HeaderMap, facts: AnswerFacts) => void;

export function cacheControlPolicy(publicMaxAgeSeconds: number): CacheControlPolicy {
  const verdicts = new OperationCache<boolean>();
  return (headers, { authorized, document, operation, operationName, errors }) => {
    let isPublic = false;
    if (!authorized && operation?.operation === OperationTypeNode.QUERY && document && !errors?.length && publicMaxAgeSeconds > 0) {
      let verdict = verdicts.get(document, operationName);
      if (verdict === undefined) {
        const fragments = new Map<string, FragmentDefinitionNode>();
        for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
        verdict = [...rootFields(operation.selectionSet, fragments, new Set())].every((name) => PUBLIC_ROOT_FIELDS.has(name));
        verdicts.set(document, operationName, verdict);
      }
      isPublic = verdict;
    }
    if (isPublic) {
      headers.set('cache-control', `public, max-age=${publicMaxAgeSeconds}`);
      // The same URL sent with a token must not be answered from a shared cache.
      headers.set('vary', headers.get('vary') ? `${headers.get('vary')}, Authorization` : 'Authorization');
    } else {
      headers.set('cache-control', 'private, no-store');
    }
  };
}

/** The root fields an operation selects, through its fragments. */
export function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) for (const n of rootFields(selection.selectionSet, fragments, seen)) names.add(n);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) for (const n of rootFields(fragment.selectionSet, fragments, seen)) names.add(n);
    }
  }
  return names;
}
