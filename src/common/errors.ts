import { GraphQLError } from 'graphql';

/** The `extensions.code` values this gateway answers with (DESIGN.md, "Errors"). */
export const ErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  BadUserInput: 'BAD_USER_INPUT',
  UpstreamError: 'UPSTREAM_ERROR',
  UpstreamTimeout: 'UPSTREAM_TIMEOUT',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
  | typeof ErrorCode.UpstreamUnavailable;

export class UpstreamError extends GraphQLError {
  constructor(code: UpstreamErrorCode, message: string, upstream: UpstreamInfo) {
    super(message, { extensions: { code, upstream } });
  }
}
