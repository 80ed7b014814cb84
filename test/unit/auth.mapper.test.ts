import { describe, expect, it } from '@jest/globals';
import { toFeatureFlags, toLoginPayload, toTokenStatus } from '../../src/auth/auth.mapper.js';

const upstream = { route: 'POST /api/v2/auth/login', status: 200 };

describe('auth mappers', () => {
  it('should map a login answer, expiry from epoch seconds', () => {
    expect(
      toLoginPayload(
        {
          feature_flags: { isVendor: true, isWhitelabeled: false },
          jwt: { token: 'a.b.c', token_expires: 1704378025 },
          user: { ID: 6, display_name: 'user', user_email: 'user@mail.com', user_login: 'user' },
        },
        upstream,
      ),
    ).toEqual({
      token: 'a.b.c',
      expiresAt: new Date('2024-01-04T14:20:25.000Z'),
      user: { id: 6, login: 'user', displayName: 'user', email: 'user@mail.com' },
      featureFlags: { isVendor: true, isWhitelabeled: false },
    });
  });

  it('should refuse a login answer without a token as UPSTREAM_ERROR', () => {
    expect(() => toLoginPayload({ user: { ID: 1, user_login: 'x' } }, upstream)).toThrow(
      expect.objectContaining({ extensions: { code: 'UPSTREAM_ERROR', upstream } }),
    );
  });

  it("should read validate's flags under ff and give none for an invalid token", () => {
    expect(toTokenStatus({ isValid: true, feature_flags: { ff: { isVendor: false, isWhitelabeled: true } } })).toEqual({
      isValid: true,
      featureFlags: { isVendor: false, isWhitelabeled: true },
    });
    expect(toTokenStatus({ isValid: false, feature_flags: { ff: { isVendor: true } } })).toEqual({ isValid: false, featureFlags: null });
    expect(toTokenStatus({})).toEqual({ isValid: false, featureFlags: null });
  });

  it('should default missing flags to false', () => {
    expect(toFeatureFlags(undefined)).toEqual({ isVendor: false, isWhitelabeled: false });
  });
});
