import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors.js';

export type RefusalKind = 'operations' | 'console_calls' | 'login_user_address' | 'login_address' | 'login_account';

/** A refusal: RATE_LIMITED, `retryAfter` in whole seconds; HTTP 429 when it refuses the whole operation. */
export class RateLimitedError extends GraphQLError {
  constructor(
    message: string,
    readonly kind: RefusalKind,
    readonly retryAfterSeconds: number,
    wholeOperation: boolean,
  ) {
    super(message, {
      extensions: {
        code: ErrorCode.RateLimited,
        retryAfter: retryAfterSeconds,
        ...(wholeOperation ? { http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } } : {}),
      },
    });
  }
}
