import { ErrorCode, UnauthenticatedError, UpstreamError, type UpstreamInfo } from '../common/errors.js';
import { UpstreamFailure } from './upstream-failure.js';

/** What a non-2xx status means for this call; undefined leaves the default mapping. */
export type StatusMapper = (status: number, upstream: UpstreamInfo) => Error | undefined;

/**
 * A failed Console call as the GraphQL error the caller sees: a code from the error table and
 * `extensions.upstream` = { route, status }, never the body or the token.
 */
export function toGraphQLError(failure: UpstreamFailure, route: string, mapStatus?: StatusMapper): Error {
  const upstream: UpstreamInfo = failure.status === undefined ? { route } : { route, status: failure.status };
  switch (failure.kind) {
    case 'timeout':
      return new UpstreamError(ErrorCode.UpstreamTimeout, 'The Console did not answer in time.', upstream);
    case 'deadline':
      return new UpstreamError(ErrorCode.UpstreamTimeout, 'The operation ran out of time before the Console answered.', upstream);
    case 'reset':
    case 'unavailable':
      return new UpstreamError(ErrorCode.UpstreamUnavailable, 'The Console could not be reached.', upstream);
    case 'circuit_open':
      return new UpstreamError(ErrorCode.UpstreamUnavailable, 'The Console is failing on this route; calls are paused for a moment.', upstream);
    case 'queue':
      return new UpstreamError(
        ErrorCode.Overloaded,
        "The gateway's connections to the Console were all busy for too long; this call was not made (the Console itself was not at fault). Retry shortly.",
        upstream,
      );
    case 'too_large':
      return new UpstreamError(ErrorCode.UpstreamError, 'The Console sent an answer that is too large.', upstream);
    case 'malformed':
      return new UpstreamError(ErrorCode.UpstreamError, 'The Console sent an answer the gateway cannot read.', upstream);
    case 'status': {
      const status = failure.status ?? 0;
      const mapped = mapStatus?.(status, upstream);
      if (mapped) return mapped;
      if (status === 429) {
        return new UpstreamError(
          ErrorCode.UpstreamRateLimited,
          'The Console is rate limiting requests.',
          upstream,
          failure.retryAfterSeconds === undefined ? {} : { retryAfter: failure.retryAfterSeconds },
        );
      }
      return new UpstreamError(ErrorCode.UpstreamError, `The Console answered ${status}.`, upstream);
    }
  }
}

/** `/my/` routes: 401/403 mean the caller's token was refused. */
export const refusedTokenIsUnauthenticated: StatusMapper = (status, upstream) =>
  status === 401 || status === 403 ? new UnauthenticatedError('The Console refused the bearer token.', upstream) : undefined;
