import { bool, int, str } from '../common/coerce.js';
import { ErrorCode, UpstreamError, type UpstreamInfo } from '../common/errors.js';
import type { RestFeatureFlags, RestLoginData, RestValidateData } from '../console/rest-types.js';
import type { FeatureFlags, LoginPayload, TokenStatus } from './auth.type.js';

/** Login sends flags at `data.feature_flags`, validate at `data.feature_flags.ff`: one type hides it. */
export function toFeatureFlags(rest: RestFeatureFlags | undefined): FeatureFlags {
  return { isVendor: bool(rest?.isVendor) ?? false, isWhitelabeled: bool(rest?.isWhitelabeled) ?? false };
}

export function toLoginPayload(rest: RestLoginData, upstream: UpstreamInfo): LoginPayload {
  const token = str(rest.jwt?.token);
  const expires = int(rest.jwt?.token_expires);
  const id = int(rest.user?.ID);
  const login = str(rest.user?.user_login);
  if (token === null || expires === null || id === null || login === null) {
    // Without these the payload is useless to a client: say so rather than inventing values.
    throw new UpstreamError(ErrorCode.UpstreamError, 'The Console sent a login answer without a token, expiry or user.', upstream);
  }
  return {
    token,
    expiresAt: new Date(expires * 1000),
    user: { id, login, displayName: str(rest.user?.display_name), email: str(rest.user?.user_email) },
    featureFlags: toFeatureFlags(rest.feature_flags),
  };
}

export function toTokenStatus(rest: RestValidateData): TokenStatus {
  const isValid = rest.isValid === true;
  return { isValid, featureFlags: isValid ? toFeatureFlags(rest.feature_flags?.ff) : null };
}
