import { describe, expect, it } from '@jest/globals';
import { parseFaultRequest } from '../../src/simulator/faults.js';
import { signToken, verifyToken } from '../../src/simulator/jwt.js';
import { buildUserData, userIndexOf } from '../../src/simulator/users.js';

describe('simulator JWTs', () => {
  const claims = { sub: 42, login: 'demo', iat: 1000, exp: 2000 };
  it('should accept its own unexpired token and refuse expired, tampered or foreign ones', () => {
    const token = signToken(claims, 's3cret');
    expect(verifyToken(token, 's3cret', 1500)).toEqual(claims);
    expect(verifyToken(token, 's3cret', 2000)).toBeUndefined();
    expect(verifyToken(token, 'other', 1500)).toBeUndefined();
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 1001 })).toString('base64url')}.${s}`;
    expect(verifyToken(forged, 's3cret', 1500)).toBeUndefined();
    expect(verifyToken('garbage', 's3cret', 1500)).toBeUndefined();
  });
});

describe('simulator users', () => {
  it('should give compact1 … compact100 lists that fit on one page, after every other user', () => {
    expect(userIndexOf('compact1')).toBe(1001);
    expect(userIndexOf('compact100')).toBe(1100);
    for (const index of [1001, 1050, 1100]) {
      const data = buildUserData(index, 10);
      expect(data.products.length).toBeLessThanOrEqual(10);
      expect(data.apps.length).toBeLessThanOrEqual(10);
      expect(data.products.length).toBeGreaterThan(0);
      expect(data.subscriptions.length).toBeGreaterThan(0);
      expect(data.user.user_login).toBe(`compact${index - 1000}`);
    }
  });

  it('should know demo, user1 … user1000 and compact1 … compact100 only', () => {
    expect(userIndexOf('demo')).toBe(0);
    expect(userIndexOf('user1')).toBe(1);
    expect(userIndexOf('user1000')).toBe(1000);
    for (const login of ['user0', 'user1001', 'user01', 'admin', 'Demo', 'compact0', 'compact101', 'compact01']) expect(userIndexOf(login)).toBeUndefined();
  });

  it('should build the same data for a user every time, different between users', () => {
    expect(buildUserData(17, 10)).toEqual(buildUserData(17, 10));
    expect(buildUserData(17, 10).products.map((p) => p.id)).not.toEqual(buildUserData(18, 10).products.map((p) => p.id));
  });

  it('should give demo ≥ 12 products over ≥ 3 stores and ≥ 5 subscriptions of ≥ 2 line items', () => {
    const demo = buildUserData(0, 10);
    expect(demo.products.length).toBeGreaterThanOrEqual(12);
    expect(new Set(demo.products.map((p) => p.store.id)).size).toBeGreaterThanOrEqual(3);
    expect(demo.subscriptions.length).toBeGreaterThanOrEqual(5);
    for (const s of demo.subscriptions) expect(s.order.line_items.length).toBeGreaterThanOrEqual(2);
  });
});

describe('parseFaultRequest', () => {
  it.each([
    [
      { route: 'GET /api/v2/my/products', status: 500 },
      { route: 'GET /api/v2/my/products', fault: { status: 500 } },
    ],
    [
      { route: 'GET /x', mode: 'hang', latencyMs: 5 },
      { route: 'GET /x', fault: { mode: 'hang', latencyMs: 5 } },
    ],
    [[], { error: 'body must be a JSON object' }],
    [{ route: 'nope' }, { error: 'route must look like "GET /api/v2/my/products"' }],
    [{ route: 'GET /x', mode: 'explode' }, { error: 'mode must be one of html, truncated, reset, hang, empty, malformed' }],
    [{ route: 'GET /x', status: 99 }, { error: 'status must be a whole number from 200 to 599' }],
    [{ route: 'GET /x', latencyMs: -1 }, { error: 'latencyMs must be a whole number from 0 to 600000' }],
    [{ route: 'GET /x', colour: 'red' }, { error: 'unknown field(s): colour' }],
  ])('should read %p as %p', (body, expected) => {
    expect(parseFaultRequest(body)).toEqual(expected);
  });
});
