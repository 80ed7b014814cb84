/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   the simulated Console's answers are free-form JSON: the test walks them and asserts each value it reads */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';

/** The simulator against the Console's published contract: routes, envelopes, status codes, field names. */
let sim: RunningSimulator;
let adminless: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ admin: true, pageSize: 5 });
  adminless = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await adminless.close();
});

async function call(method: string, path: string, options: { body?: unknown; token?: string; base?: string } = {}) {
  const res = await fetch(`${options.base ?? sim.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // why: assertions walk arbitrary JSON
}

const PRODUCT_FIELDS = [
  'attributes',
  'average_rating',
  'categories',
  'description',
  'id',
  'meta_data',
  'name',
  'permalink',
  'price',
  'purchasable',
  'rating_count',
  'short_description',
  'status',
  'stock_status',
  'store',
].sort();

describe('the simulated Console', () => {
  it('should log in with exactly the documented fields', async () => {
    const { status, body } = await call('POST', '/api/v2/auth/login', { body: { username: 'demo', password: 'password', issueJWT: true } });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['data', 'statusCode', 'statusText']);
    expect(body.statusCode).toBe(200);
    expect(Object.keys(body.data).sort()).toEqual(['feature_flags', 'jwt', 'user']);
    expect(Object.keys(body.data.feature_flags).sort()).toEqual(['isVendor', 'isWhitelabeled']);
    expect(Object.keys(body.data.jwt).sort()).toEqual(['token', 'token_expires']);
    expect(Number.isInteger(body.data.jwt.token_expires)).toBe(true);
    expect(body.data.user).toEqual({ ID: 42, display_name: 'Demo User', user_email: 'demo@example.com', user_login: 'demo' });
  });

  it('should answer a wrong password or unknown user with 403 and the error shape', async () => {
    for (const body of [
      { username: 'demo', password: 'nope' },
      { username: 'ghost', password: 'password' },
    ]) {
      const res = await call('POST', '/api/v2/auth/login', { body: { ...body, issueJWT: true } });
      expect(res.status).toBe(403);
      expect(Object.keys(res.body).sort()).toEqual(['reason', 'statusCode', 'statusText']);
      expect(res.body.statusText).toBe('Forbidden');
    }
  });

  it('should validate into data.feature_flags.ff and isValid', async () => {
    const token = sim.console.issueToken(3).token;
    const good = await call('POST', '/api/v2/auth/validate', { body: { jwt: { token } } });
    expect(good.body.data).toEqual({ feature_flags: { ff: { isVendor: false, isWhitelabeled: true } }, isValid: true });
    const bad = await call('POST', '/api/v2/auth/validate', { body: { jwt: { token: `${token}x` } } });
    expect(bad.body.data).toEqual({ isValid: false });
  });

  it.each(['/api/v2/my/products', '/api/v2/my/products/apps', '/api/v2/my/subscriptions'])(
    'should refuse %s with 403 without a token and 401 with a bad one',
    async (path) => {
      const none = await call('GET', path);
      expect(none).toEqual({ status: 403, body: { reason: 'Missing Header: Authorization', statusCode: 403, statusText: 'Forbidden' } });
      const bad = await call('GET', path, { token: 'x.y.z' });
      expect(bad.status).toBe(401);
      expect(bad.body.statusCode).toBe(401);
    },
  );

  it('should page /my/products with the productResponse shape and the full product record', async () => {
    const token = sim.console.issueToken(0).token;
    const { body } = await call('GET', '/api/v2/my/products?page=2', { token });
    expect(Object.keys(body.data).sort()).toEqual(['page', 'products', 'totalPages']);
    expect(body.data.page).toBe(2);
    expect(body.data.products).toHaveLength(5);
    for (const p of body.data.products) {
      expect(Object.keys(p).sort()).toEqual(PRODUCT_FIELDS);
      expect(Object.keys(p.store).sort()).toEqual(['address', 'id', 'name', 'shop_name', 'url']);
      expect(Object.keys(p.store.address).sort()).toEqual(['city', 'country', 'state', 'street_1', 'street_2', 'zip']);
      expect(typeof p.average_rating).toBe('string');
      expect(typeof p.price).toBe('string');
    }
  });

  it('should answer /my/subscriptions with totalSubscriptions and orders of the caller', async () => {
    const token = sim.console.issueToken(9).token;
    const { body } = await call('GET', '/api/v2/my/subscriptions', { token });
    expect(Object.keys(body.data).sort()).toEqual(['subscriptions', 'totalSubscriptions']);
    for (const order of body.data.subscriptions) {
      expect(Object.keys(order).sort()).toEqual(['billing', 'customer_id', 'id', 'line_items', 'status']);
      expect(order.customer_id).toBe(1009);
      for (const li of order.line_items) {
        expect(Object.keys(li).sort()).toEqual(['id', 'image', 'product_id', 'quantity', 'status', 'variation_id']);
      }
    }
  });

  it('should filter the public catalogue by store_id and answer apps as appResponse', async () => {
    const { body } = await call('GET', '/api/v2/products?store_id=4');
    expect(body.data.products.every((p: { store: { id: number } }) => p.store.id === 4)).toBe(true);
    const apps = await call('GET', '/api/v2/products/apps?store_id=2');
    expect(Object.keys(apps.body.data).sort()).toEqual(['products', 'totalProducts']);
    expect(apps.body.data.totalProducts).toBe(apps.body.data.products.length);
  });

  it.each(['page=0', 'page=abc', 'store_id=-1', 'page=1.5'])('should answer ?%s with 400', async (query) => {
    const res = await call('GET', `/api/v2/products?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.statusText).toBe('Bad Request');
  });

  it('should count requests per route and reset them', async () => {
    await call('POST', '/__admin/reset');
    await call('GET', '/api/v2/products?page=2');
    await call('GET', '/api/v2/products');
    expect((await call('GET', '/__admin/stats')).body).toEqual({ requests: { 'GET /api/v2/products': 2 } });
    await call('POST', '/__admin/reset');
    expect((await call('GET', '/__admin/stats')).body).toEqual({ requests: {} });
  });

  it('should set, list and clear faults, and refuse a bad one with 400', async () => {
    expect((await call('POST', '/__admin/faults', { body: { route: 'GET /api/v2/products', status: 503 } })).status).toBe(200);
    expect((await call('GET', '/api/v2/products')).status).toBe(503);
    expect((await call('POST', '/__admin/faults', { body: { route: 'GET /api/v2/products', mode: 'nope' } })).status).toBe(400);
    await call('DELETE', '/__admin/faults');
    expect((await call('GET', '/api/v2/products')).status).toBe(200);
  });

  it('should hide the admin interface unless asked for', async () => {
    expect((await call('GET', '/__admin/stats', { base: adminless.url })).status).toBe(404);
  });
});
