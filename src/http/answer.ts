import type { IncomingMessage, ServerResponse } from 'node:http';
import { WHOLE_ANSWER, type CachedAnswer } from '../cache/answer-cache.js';
import type { HTTPGraphQLResponse } from '@apollo/server';
import { releaseContext, type GatewayContext } from '../context.js';
import { chooseEncoding, compress } from './compression.js';
import { matchesIfNoneMatch, weakEtag } from './etag.js';
import { logRefusal, type RefusalScope } from './refusal.js';
import { addVary } from './vary.js';

export interface AnswerOptions {
  compression: { enabled: boolean; minBytes: number };
}

/**
 * The answer: Apollo's headers (Vary merged, not replaced), `Vary: Accept`, an ETag and 304 for a
 * public GET the client already holds, compression when it pays. A request Apollo refused before
 * any field ran (CSRF, a batched body, no query, a persisted-query miss…) gets its log line here.
 */
export async function sendAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  response: HTTPGraphQLResponse,
  context: GatewayContext | undefined,
  scope: RefusalScope,
  options: AnswerOptions,
): Promise<void> {
  if (context) releaseContext(context);
  let apolloVary: string | undefined;
  for (const [key, value] of response.headers) {
    if (key === 'vary') apolloVary = value;
    else res.setHeader(key, value);
  }
  // Apollo picks application/graphql-response+json or application/json from Accept; with
  // compression on, a whole answer's bytes depend on Accept-Encoding (also on a 304). One merge
  // for all three: Vary is set on every answer.
  const ours = response.body.kind === 'complete' && options.compression.enabled ? 'Accept, Accept-Encoding' : 'Accept';
  addVary(res, apolloVary === undefined ? ours : `${apolloVary}, ${ours}`);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    const text = response.body.string;
    // Served whole from the answer cache: its ETag and compressed bytes are made once, then reused.
    const whole = (response as HTTPGraphQLResponse & { [WHOLE_ANSWER]?: CachedAnswer })[WHOLE_ANSWER];
    if (!context?.log.operationLogged && res.statusCode >= 400) logRefusal(scope, res.statusCode, firstCode(text));
    if (scope.method === 'GET' && answeredNotModified(req, res, text, whole)) return;
    sendBody(req, res, text, options.compression, whole);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * A public answer (one a browser, a phone's HTTP cache or a CDN may keep) gets an ETag; when the
 * client already holds it, a 304 without a body is sent instead and this returns true.
 */
function answeredNotModified(req: IncomingMessage, res: ServerResponse, text: string, whole: CachedAnswer | undefined): boolean {
  if (res.statusCode !== 200 || !String(res.getHeader('cache-control') ?? '').startsWith('public')) return false;
  const etag = whole ? (whole.etag ??= weakEtag(text)) : weakEtag(text);
  res.setHeader('etag', etag);
  if (!matchesIfNoneMatch(req.headers['if-none-match'], etag)) return false;
  res.removeHeader('content-type');
  res.removeHeader('content-length');
  res.statusCode = 304;
  res.end();
  return true;
}

/** The answer, compressed when it is large enough and the client accepts br or gzip. */
function sendBody(req: IncomingMessage, res: ServerResponse, text: string, compression: AnswerOptions['compression'], whole?: CachedAnswer): void {
  const encoding = compression.enabled && text.length >= compression.minBytes ? chooseEncoding(req.headers['accept-encoding']) : undefined;
  if (encoding === undefined) {
    res.end(text);
    return;
  }
  let compressed = whole?.encoded?.get(encoding);
  if (compressed === undefined) {
    compressed = compress(text, encoding);
    if (whole) (whole.encoded ??= new Map()).set(encoding, compressed);
  }
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', compressed.length);
  res.end(compressed);
}

function firstCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
