import { ErrorCode } from '../common/errors.js';
import type { GraphQLHttpRequest } from '../http/graphql-request.js';
import { refusal, type Refusal } from './refusal.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { resolveTrustedDocument } from './trusted-request.js';

export interface DocumentLimits {
  /** TRUSTED_DOCUMENTS_FILE's manifest; undefined without one. */
  trusted: TrustedDocuments | undefined;
  /** MAX_VARIABLES_BYTES, as JSON. */
  maxVariablesBytes: number;
  /** MAX_DOCUMENT_BYTES. */
  maxDocumentBytes: number;
}

/**
 * The document: a trusted id or an APQ hash from the manifest becomes its text (in `request`),
 * `TRUSTED_DOCUMENTS=only` refuses anything else, and the variables and the text must fit their
 * limits. Undefined: the request goes on.
 */
export function checkDocument(request: GraphQLHttpRequest, limits: DocumentLimits): Refusal | undefined {
  // A POST's URL is not read (parsing it is left to whoever needs it).
  const params = request.method === 'GET' ? request.url.searchParams : undefined;
  const resolved = resolveTrustedDocument(params, request.body, limits.trusted);
  if (!resolved.ok) return refusal(resolved.status, resolved.code, resolved.message);
  request.body = resolved.body;
  const fields = request.body as { query?: unknown; variables?: unknown } | undefined;
  const query = params ? params.get('query') : fields?.query;
  const variablesBytes = variablesSize(params ? params.get('variables') : fields?.variables);
  if (variablesBytes > limits.maxVariablesBytes) {
    return refusal(400, ErrorCode.VariablesTooLarge, `The variables are ${variablesBytes} bytes as JSON; the limit is ${limits.maxVariablesBytes}.`, {
      extensions: { limit: limits.maxVariablesBytes, found: variablesBytes },
    });
  }
  if (typeof query === 'string' && Buffer.byteLength(query) > limits.maxDocumentBytes) {
    const size = Buffer.byteLength(query);
    return refusal(400, ErrorCode.DocumentTooLarge, `The GraphQL document is ${size} bytes; the limit is ${limits.maxDocumentBytes}.`, {
      extensions: { limit: limits.maxDocumentBytes, found: size },
    });
  }
  return undefined;
}

/** Size of the variables as JSON (a GET carries them as JSON text already). */
function variablesSize(variables: unknown): number {
  if (variables === undefined || variables === null) return 0;
  if (typeof variables === 'string') return Buffer.byteLength(variables);
  try {
    return Buffer.byteLength(JSON.stringify(variables));
  } catch {
    return 0;
  }
}
