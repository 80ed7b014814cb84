import type { ServerResponse } from 'node:http';
import type { Refusal } from '../edge/refusal.js';
import type { Logger } from '../observability/logger.js';

/** Who is answered, for the log line: the request's id, method and path. */
export interface RefusalScope {
  logger: Logger;
  requestId: string;
  method: string;
  path: string;
}

/** Sends the refusal as a GraphQL error body (never the caller's input, never a stack) and logs it once. */
export function refuse(res: ServerResponse, scope: RefusalScope, refused: Refusal): void {
  if (!refused.logged) logRefusal(scope, refused.status, refused.code, refused.level);
  for (const [name, value] of Object.entries(refused.headers ?? {})) res.setHeader(name, value);
  sendJson(res, refused.status, { errors: [{ message: refused.message, extensions: { code: refused.code, ...refused.extensions } }] });
}

/** One log line for a request refused before GraphQL ran (or by Apollo before any field ran): operators see every 4xx. */
export function logRefusal(scope: RefusalScope, status: number, code: string | undefined, level: 'info' | 'warn' = 'info'): void {
  scope.logger[level]({ requestId: scope.requestId, status, code, method: scope.method, path: scope.path.slice(0, 200) }, 'request refused');
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}
