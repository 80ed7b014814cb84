import { describe, expect, it } from '@jest/globals';
import { redactSecrets } from '../../src/observability/logger.js';

describe('redactSecrets', () => {
  it('should censor secret-named keys at the top and up to two levels down, whatever their case', () => {
    expect(
      redactSecrets({
        Authorization: 'Bearer a',
        token: 'b',
        headers: { authorization: 'Bearer c', accept: 'json' },
        variables: { password: 'd', deeper: { token: 'e' } },
        ok: 1,
      }),
    ).toEqual({
      Authorization: '[redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'json' },
      variables: { password: '[redacted]', deeper: { token: '[redacted]' } },
      ok: 1,
    });
  });

  it('should return the very same object when nothing is secret, and never change its input', () => {
    const clean = { requestId: 'r', nested: { route: 'GET /x' }, list: [{ token: 'in a list is not walked' }] };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { user: { password: 'p' } };
    redactSecrets(dirty);
    expect(dirty.user.password).toBe('p');
  });
});
