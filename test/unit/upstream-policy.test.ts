import { describe, expect, it } from '@jest/globals';
import { toGraphQLError } from '../../src/console/status-mapping.js';
import { UpstreamFailure, isHealthFailure, isRetryable, parseRetryAfter } from '../../src/console/upstream-failure.js';

describe('the upstream failure policy', () => {
  it.each([
    [new UpstreamFailure('reset', 'ECONNRESET'), true, true],
    [new UpstreamFailure('status', '', 502), true, true],
    [new UpstreamFailure('status', '', 503), true, true],
    [new UpstreamFailure('status', '', 504), true, true],
    [new UpstreamFailure('status', '', 500), false, true],
    [new UpstreamFailure('status', '', 429), false, false],
    [new UpstreamFailure('status', '', 401), false, false],
    [new UpstreamFailure('timeout', ''), false, true],
    [new UpstreamFailure('deadline', ''), false, false],
    [new UpstreamFailure('unavailable', 'ECONNREFUSED'), false, true],
    [new UpstreamFailure('malformed', ''), false, true],
    // The caller's own list was too large, and a wait for the gateway's own connections: not the Console's health.
    [new UpstreamFailure('too_large', ''), false, false],
    [new UpstreamFailure('queue', ''), false, false],
  ])('should judge %s: retry %p, counts against the circuit %p', (failure, retry, health) => {
    expect(isRetryable(failure)).toBe(retry);
    expect(isHealthFailure(failure)).toBe(health);
  });

  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('should read Retry-After %p as %p seconds', (header, expected) => {
    expect(parseRetryAfter(header, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });

  it('should map a 429 to UPSTREAM_RATE_LIMITED with retryAfter, and other kinds to their codes', () => {
    const route = 'GET /api/v2/products';
    expect(toGraphQLError(new UpstreamFailure('status', '', 429, 3), route)).toMatchObject({
      extensions: { code: 'UPSTREAM_RATE_LIMITED', upstream: { route, status: 429 }, retryAfter: 3 },
    });
    expect(toGraphQLError(new UpstreamFailure('circuit_open', ''), route)).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { route } } });
    expect(toGraphQLError(new UpstreamFailure('deadline', ''), route)).toMatchObject({ extensions: { code: 'UPSTREAM_TIMEOUT' } });
    expect(toGraphQLError(new UpstreamFailure('too_large', ''), route)).toMatchObject({ extensions: { code: 'UPSTREAM_ERROR' } });
  });

  it('should never put the failure detail (which may describe the body) in the client message', () => {
    const error = toGraphQLError(new UpstreamFailure('malformed', 'envelope does not match: data: SECRET'), 'GET /x');
    expect(JSON.stringify({ message: error.message, ...(error as { extensions?: object }).extensions })).not.toContain('SECRET');
  });
});
