import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** One error of a GraphQL answer, as the gateway sends it (README, "Errors"). */
export interface GatewayError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; retryAfter?: number };
}

/** An answer that arrived: data (perhaps partial) and the errors that came with it. */
export interface Answer<T> {
  data: T | null;
  errors: GatewayError[];
}

/** No answer to show: the network, or a refusal of the whole request (429, 503, 400 …). */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** What graphql-codegen's client preset leaves of a document in `replaceDocumentWithHash` mode. */
interface PersistedDocument {
  __meta__?: { hash?: string };
}

export interface SendOptions {
  token?: string;
  /** GET for public queries: the answer carries Cache-Control and an ETag a browser or CDN can use. */
  method?: 'GET' | 'POST';
  signal?: AbortSignal;
}

/**
 * Sends a document by its hash (GraphQL over HTTP's persisted documents: `documentId`): the page
 * never holds a document's text, and the gateway runs only what its manifest knows.
 */
export async function send<TData, TVariables extends Record<string, unknown>>(
  endpoint: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: SendOptions = {},
): Promise<Answer<TData>> {
  const hash = (document as PersistedDocument).__meta__?.hash;
  if (!hash) throw new Error('The document has no persisted hash: run npm run example:build.');
  const documentId = hash.startsWith('sha256:') ? hash : `sha256:${hash}`;
  const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let url = endpoint;
  let init: RequestInit = { headers, ...(options.signal ? { signal: options.signal } : {}) };
  if (options.method === 'GET') {
    const query = new URLSearchParams({ documentId });
    if (Object.keys(variables).length > 0) query.set('variables', JSON.stringify(variables));
    url = `${endpoint}?${query.toString()}`;
  } else {
    headers['content-type'] = 'application/json';
    init = { ...init, method: 'POST', body: JSON.stringify({ documentId, variables }) };
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new RequestFailed('The gateway cannot be reached. Check your connection and retry.', 'NETWORK_ERROR', 0);
  }
  let body: { data?: TData | null; errors?: GatewayError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new RequestFailed(`The gateway answered ${response.status} without a GraphQL answer.`, 'BAD_RESPONSE', response.status);
  }
  const errors = body.errors ?? [];
  // No data at all: the request itself was refused (rate limited, overloaded, unknown document …).
  if (body.data === undefined) {
    const first = errors[0];
    const retryAfter = first?.extensions?.retryAfter ?? (Number(response.headers.get('retry-after')) || undefined);
    throw new RequestFailed(
      first?.message ?? `The gateway answered ${response.status}.`,
      first?.extensions?.code ?? 'BAD_RESPONSE',
      response.status,
      retryAfter,
    );
  }
  return { data: body.data, errors };
}

/** Codes worth a retry button: the Console or the gateway was slow, away or busy, not the request. */
export function isTransient(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('UPSTREAM_') || code === 'OVERLOADED' || code === 'NETWORK_ERROR' || code === 'RATE_LIMITED');
}

/** Errors of one field (by the first steps of their path), for showing them where the data would be. */
export function errorsUnder(errors: readonly GatewayError[], ...path: string[]): GatewayError[] {
  return errors.filter((e) => path.every((step, i) => e.path?.[i] === step));
}
