/**
 * How one attempt at a Console call failed, before it becomes a GraphQL error. Kept apart from
 * GraphQLError so that the retry policy and the circuit breaker can judge it.
 */
export type FailureKind = 'status' | 'timeout' | 'deadline' | 'unavailable' | 'reset' | 'malformed' | 'too_large' | 'circuit_open' | 'queue';

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    /** For the log only: never sent to clients (it may describe the body). */
    readonly detail: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${kind}${status === undefined ? '' : ` ${status}`}: ${detail}`);
  }

  /** The label for metrics: the HTTP status when there was one, else the kind. */
  get outcome(): string {
    return this.status !== undefined && this.kind === 'status' ? String(this.status) : this.kind;
  }
}

/**
 * Whether a failure says something about the Console's health (and counts against its circuit).
 * Not: a 4xx (the caller's request), the operation's deadline (the caller's time ran out), an
 * answer over UPSTREAM_MAX_BYTES (the caller's list is large), a wait for one of the gateway's own
 * connections (the gateway's queue, not the Console).
 */
export function isHealthFailure(error: unknown): boolean {
  if (!(error instanceof UpstreamFailure)) return true;
  if (error.kind === 'status') return (error.status ?? 0) >= 500;
  return error.kind !== 'deadline' && error.kind !== 'too_large' && error.kind !== 'queue';
}

/** Retry GETs once on a reset connection or 502/503/504: the failures a second try often fixes. */
export function isRetryable(error: UpstreamFailure): boolean {
  return error.kind === 'reset' || (error.kind === 'status' && [502, 503, 504].includes(error.status ?? 0));
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
