import type { IncomingMessage } from 'node:http';
import { refusal, type Refusal } from '../edge/refusal.js';
import { BodyTooLargeError, readBody } from './read-body.js';

/** A GraphQL-over-HTTP request as the later stages read it; trusted documents may rewrite `url` and `body`. */
export interface GraphQLHttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** The parsed JSON body of a POST (text when it is not JSON: Apollo answers that), undefined for a GET. */
  body: unknown;
  /** Only requests that carry an operation spend a client's budget (not the Sandbox page, not a preflight). */
  carriesOperation: boolean;
}

/** Transport: the method, the URL and a POST's body (within MAX_BODY_BYTES, JSON when it says so). */
export async function readGraphQLRequest(req: IncomingMessage, maxBodyBytes: number): Promise<GraphQLHttpRequest | Refusal> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return refusal(405, 'METHOD_NOT_ALLOWED', `${method.slice(0, 20)} is not supported; use GET or POST.`, { headers: { allow: 'GET, POST, OPTIONS' } });
  }
  if (method === 'GET') {
    const url = urlOf(req.url);
    return { method, url, body: undefined, carriesOperation: url.search !== '' };
  }
  let text: string;
  try {
    text = await readBody(req, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return refusal(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBodyBytes} bytes.`);
    throw error;
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  // Another content type: Apollo answers it itself (400, or its CSRF message for simple requests).
  if (!type.startsWith('application/json')) return new PostRequest(req.url, text === '' ? undefined : text);
  if (text.trim() === '') return new PostRequest(req.url, undefined);
  try {
    return new PostRequest(req.url, JSON.parse(text) as unknown);
  } catch {
    return refusal(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

function urlOf(raw: string | undefined): URL {
  return new URL(raw ?? '/', 'http://gateway.invalid');
}

/**
 * A POST: its URL is parsed only when a later stage reads it (Apollo's path; the plain path never
 * does). A class, not an object literal with a getter: V8 defines a literal's accessor at run time
 * for every object made, which cost as much as the parse it saves.
 */
class PostRequest implements GraphQLHttpRequest {
  readonly method = 'POST';
  readonly carriesOperation = true;
  #url: URL | undefined;

  constructor(
    private readonly rawUrl: string | undefined,
    public body: unknown,
  ) {}

  get url(): URL {
    return (this.#url ??= urlOf(this.rawUrl));
  }
}
