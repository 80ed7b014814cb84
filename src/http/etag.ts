import { hash } from 'node:crypto';

/**
 * A weak validator for a public answer: the same body gives the same tag whatever its encoding
 * (gzip, br or none), which is what weak tags are for (RFC 9110 §8.8.1).
 */
export function weakEtag(body: string): string {
  return `W/"${hash('sha1', body, 'base64url')}"`;
}

/** True when an If-None-Match header names this tag (weak comparison, RFC 9110 §13.1.2) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  const opaque = etag.slice(2); // without "W/"
  for (const candidate of header.split(',')) {
    const tag = candidate.trim();
    if (tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}
