import { createHash } from 'node:crypto';
import { ErrorCode } from '../common/errors.js';
import { hashOfDocumentId, type TrustedDocuments } from './trusted-documents.js';

export type TrustedResolution = { ok: true; body: unknown } | { ok: false; status: number; code: string; message: string };

/**
 * Turns a request that names a trusted document (`documentId: "sha256:<hex>"`, in a POST body or as
 * a GET parameter, or an APQ hash sent alone) into the same request with the document's text, which
 * Apollo then finds parsed and validated in its document store. With TRUSTED_DOCUMENTS=only, any
 * other document (ad hoc, or an APQ registration) is refused here, before it is parsed. GET
 * parameters are rewritten in place: `params` is a GET's (its URL's searchParams), undefined for a POST.
 */
export function resolveTrustedDocument(params: URLSearchParams | undefined, body: unknown, trusted: TrustedDocuments | undefined): TrustedResolution {
  const fields = params ? undefined : body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const documentId = params ? params.get('documentId') : fields?.documentId;
  const query = params ? params.get('query') : fields?.query;

  if (documentId !== undefined && documentId !== null) {
    const hash = typeof documentId === 'string' ? hashOfDocumentId(documentId) : undefined;
    const text = hash === undefined ? undefined : trusted?.texts.get(hash);
    if (text === undefined) {
      return {
        ok: false,
        status: 400,
        code: ErrorCode.PersistedQueryNotFound,
        message: 'No trusted document has this documentId: send one from the deployed manifest.',
      };
    }
    if (params) {
      params.delete('documentId');
      params.set('query', text);
      return { ok: true, body };
    }
    const { documentId: _named, ...rest } = fields!;
    return { ok: true, body: { ...rest, query: text } };
  }

  if (trusted === undefined) return { ok: true, body };
  const extensions = params ? params.get('extensions') : fields?.extensions;
  const apqHash = persistedQueryHash(extensions);
  if ((query === undefined || query === null) && apqHash === undefined && trusted.mode === 'only' && mentionsPersistedQuery(extensions)) {
    // A persisted query this code cannot read (a hash that is no string, extensions that are no JSON):
    // Apollo or the APQ store must never be asked to make sense of it.
    return { ok: false, status: 400, code: ErrorCode.PersistedQueryNotFound, message: 'The persisted query names no sha256Hash of the trusted manifest.' };
  }
  if ((query === undefined || query === null) && apqHash !== undefined) {
    const text = trusted.texts.get(apqHash.toLowerCase());
    if (text === undefined) {
      // With `only`, a hash outside the manifest is refused here, whatever a shared APQ store holds
      // (an `allow` replica on the same Redis registers ad-hoc documents there). Otherwise Apollo
      // looks it up among the registered ones.
      if (trusted.mode !== 'only') return { ok: true, body };
      return {
        ok: false,
        status: 400,
        code: ErrorCode.PersistedQueryNotFound,
        message: 'This gateway runs only the documents of its trusted manifest (TRUSTED_DOCUMENTS=only); this hash is not one of them.',
      };
    }
    if (params) {
      params.set('query', text);
      return { ok: true, body };
    }
    return { ok: true, body: { ...fields, query: text } };
  }
  if (trusted.mode === 'only' && typeof query === 'string' && !trusted.texts.has(createHash('sha256').update(query).digest('hex'))) {
    return {
      ok: false,
      status: 400,
      code: ErrorCode.DocumentNotTrusted,
      message: 'This gateway runs only the documents of its trusted manifest (TRUSTED_DOCUMENTS=only); send a documentId.',
    };
  }
  return { ok: true, body };
}

function persistedQueryHash(extensions: unknown): string | undefined {
  let parsed = extensions;
  if (typeof extensions === 'string') {
    try {
      parsed = JSON.parse(extensions);
    } catch {
      return undefined;
    }
  }
  const hash = (parsed as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

function mentionsPersistedQuery(extensions: unknown): boolean {
  if (extensions === undefined || extensions === null) return false;
  return typeof extensions === 'string' ? extensions.includes('persistedQuery') : typeof extensions === 'object' && 'persistedQuery' in extensions;
}
