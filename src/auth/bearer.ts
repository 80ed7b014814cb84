/** What the caller's `Authorization` header gives: a usable bearer token, or why not. */
export type BearerResult = { kind: 'token'; token: string } | { kind: 'missing' } | { kind: 'malformed' };

// RFC 6750 b64token; bounded so that a huge header is refused here, not forwarded upstream.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,8192}=*) *$/i;

export function parseBearer(header: string | undefined): BearerResult {
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const match = BEARER.exec(header);
  return match?.[1] ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}
