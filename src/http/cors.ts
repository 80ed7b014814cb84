import type { IncomingMessage, ServerResponse } from 'node:http';
import { addVary } from './vary.js';

const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => entry === '*' || entry === origin || (entry === 'localhost' && LOCALHOST.test(origin)));
}

/**
 * CORS by allow-list (CORS_ORIGINS). Returns true when the request was a preflight and has been
 * answered. CORS only decides who may read answers; CSRF_PREVENTION decides which requests run.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  const ok = origin !== undefined && isAllowedOrigin(origin, allowed);
  // "*" is sent as "*": the same header for every origin, so an answer a CDN keeps (Cache-Control:
  // public) never carries one origin's name to another. No credentials ride on CORS here (the
  // token is a header the client sets), so "*" is enough for every browser.
  const anyOrigin = allowed.includes('*');
  // Otherwise the answer depends on Origin whenever some origin may read it, also for a request
  // without one: a cache must not hand the answer without CORS headers to a browser that needs them.
  if (allowed.length > 0 && !anyOrigin) addVary(res, 'Origin');
  if (ok) {
    res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
    res.setHeader('access-control-expose-headers', 'x-request-id');
  }
  if (req.method !== 'OPTIONS') return false;
  if (ok) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      req.headers['access-control-request-headers'] ?? 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id',
    );
    res.setHeader('access-control-max-age', '600');
  }
  res.statusCode = 204;
  res.end();
  return true;
}
