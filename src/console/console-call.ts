import { RequestError, TimeoutError } from 'got';
import { ErrorCode, UnauthenticatedError, UpstreamError, type UpstreamInfo } from '../common/errors.js';
import type { ConsoleTransport } from './http-transport.js';
import { routeName, type ConsoleRouteSpec } from './routes.js';

export interface ConsoleCall {
  route: ConsoleRouteSpec;
  query?: Record<string, number | undefined>;
  /** Sent as `Authorization: Bearer …`, only to CONSOLE_URL's origin (the transport's prefix). */
  token?: string;
  body?: unknown;
}

/** What a non-2xx status means for this call; the default is an upstream error. */
export type StatusMapper = (status: number, upstream: UpstreamInfo) => Error | undefined;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

export function searchParamsOf(query: ConsoleCall['query']): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

/**
 * Makes one Console call and returns the envelope's `data`. Every failure becomes a GraphQLError
 * with a code from DESIGN.md and `extensions.upstream` = { route, status }: never the body (it may
 * hold HTML or personal data), never the token.
 */
export async function callConsole<T>(transport: ConsoleTransport, call: ConsoleCall, mapStatus?: StatusMapper): Promise<T> {
  const route = routeName(call.route);
  let response;
  try {
    response = await transport.got(call.route.path, {
      method: call.route.method,
      searchParams: searchParamsOf(call.query),
      headers: call.token === undefined ? {} : { authorization: `Bearer ${call.token}` },
      ...(call.body === undefined ? {} : { json: call.body }),
    });
  } catch (error) {
    throw transportFailure(error, route);
  }
  const status = response.statusCode;
  if (status < 200 || status > 299) {
    const upstream = { route, status };
    throw mapStatus?.(status, upstream) ?? new UpstreamError(ErrorCode.UpstreamError, `The Console answered ${status}.`, upstream);
  }
  return unwrapEnvelope<T>(response.body, { route, status });
}

export function unwrapEnvelope<T>(body: string, upstream: UpstreamInfo): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UpstreamError(ErrorCode.UpstreamError, 'The Console sent a response that is not JSON.', upstream);
  }
  if (typeof parsed !== 'object' || parsed === null || !('data' in parsed) || typeof parsed.data !== 'object' || parsed.data === null) {
    throw new UpstreamError(ErrorCode.UpstreamError, 'The Console sent a malformed envelope (no data object).', upstream);
  }
  return parsed.data as T;
}

export function transportFailure(error: unknown, route: string): UpstreamError {
  if (error instanceof TimeoutError) {
    return new UpstreamError(ErrorCode.UpstreamTimeout, 'The Console did not answer in time.', { route });
  }
  if (error instanceof RequestError && UNREACHABLE_CODES.has(error.code)) {
    return new UpstreamError(ErrorCode.UpstreamUnavailable, 'The Console could not be reached.', { route });
  }
  return new UpstreamError(ErrorCode.UpstreamError, 'The Console call failed.', { route });
}

/** `/my/` routes: 401/403 mean the caller's token was refused. */
export const refusedTokenIsUnauthenticated: StatusMapper = (status, upstream) =>
  status === 401 || status === 403 ? new UnauthenticatedError('The Console refused the bearer token.', upstream) : undefined;
