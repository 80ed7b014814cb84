import { GraphQLError } from 'graphql';

/** The `extensions.code` values this gateway answers with (docs/errors.md). */
export const ErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  BadUserInput: 'BAD_USER_INPUT',
  UpstreamError: 'UPSTREAM_ERROR',
  UpstreamTimeout: 'UPSTREAM_TIMEOUT',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  UpstreamRateLimited: 'UPSTREAM_RATE_LIMITED',
  RateLimited: 'RATE_LIMITED',
  PersistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
  DocumentNotTrusted: 'DOCUMENT_NOT_TRUSTED',
  LookupIncomplete: 'LOOKUP_INCOMPLETE',
  DocumentTooLarge: 'DOCUMENT_TOO_LARGE',
  VariablesTooLarge: 'VARIABLES_TOO_LARGE',
  QueryTooDeep: 'QUERY_TOO_DEEP',
  TooManyAliases: 'TOO_MANY_ALIASES',
  TooManyRootFields: 'TOO_MANY_ROOT_FIELDS',
  QueryTooComplex: 'QUERY_TOO_COMPLEX',
  /** HTTP 503: the operation waited OPERATION_QUEUE_TIMEOUT_MS for a slot and was not run. */
  Overloaded: 'OVERLOADED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Makes an error without a stack trace. A refusal is an answer, not a fault: nobody reads its
 * stack, and under overload one is made per refused request, where V8's capture of the stack was
 * the largest single cost of refusing (a tenth of the gateway's CPU at 1,000 refused clients).
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Where an upstream failure happened; never carries the token or the upstream body. */
export interface UpstreamInfo {
  route: string;
  status?: number;
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message: string, upstream?: UpstreamInfo) {
    super(message, { extensions: { code: ErrorCode.Unauthenticated, ...(upstream ? { upstream } : {}) } });
  }
}

export class InvalidCredentialsError extends GraphQLError {
  constructor(upstream: UpstreamInfo) {
    super('The username or password is incorrect.', {
      extensions: { code: ErrorCode.InvalidCredentials, upstream },
    });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string, argument: string) {
    super(message, { extensions: { code: ErrorCode.BadUserInput, argument } });
  }
}

export type UpstreamErrorCode =
  | typeof ErrorCode.UpstreamError
  | typeof ErrorCode.UpstreamTimeout
  | typeof ErrorCode.UpstreamUnavailable
  | typeof ErrorCode.UpstreamRateLimited
  | typeof ErrorCode.Overloaded;

export class UpstreamError extends GraphQLError {
  constructor(code: UpstreamErrorCode, message: string, upstream: UpstreamInfo, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, upstream, ...extra } });
  }
}

/** A product search stopped at its configured bound before finding the id: not proof that it does not exist. */
export class LookupIncompleteError extends GraphQLError {
  constructor(productId: number, reason: string) {
    super(`Product ${productId} was not found before the search reached its bound (${reason}); it may exist further on.`, {
      extensions: { code: ErrorCode.LookupIncomplete, productId },
    });
  }
}

export type LimitErrorCode =
  | typeof ErrorCode.DocumentTooLarge
  | typeof ErrorCode.QueryTooDeep
  | typeof ErrorCode.TooManyAliases
  | typeof ErrorCode.TooManyRootFields
  | typeof ErrorCode.QueryTooComplex;

/** An operation refused by a limit before any upstream call; answered with HTTP 400. */
export class OperationLimitError extends GraphQLError {
  constructor(code: LimitErrorCode, message: string, limit: number, found: number) {
    super(message, { extensions: { code, limit, found, http: { status: 400 } } });
  }
}
