import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DashboardDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  // A little latency so that the 40 requests really overlap inside the gateway.
  stack = await startStack();
  await stack.fault('GET /api/v2/my/subscriptions', { latencyMs: 30 });
  await stack.fault('GET /api/v2/my/products', { latencyMs: 20 });
});
afterAll(async () => stack.close());

describe('concurrent users', () => {
  it('should give each of 40 users querying at once exactly their own data', async () => {
    const users = Array.from({ length: 40 }, (_, i) => 1 + i * 23);
    const responses = await Promise.all(users.map((index) => stack.gql(DashboardDocument, {}, { token: stack.tokenFor(index) })));
    responses.forEach((res, i) => {
      const index = users[i];
      const own = stack.sim.console.userData(index);
      expect(res.body.errors).toBeUndefined();
      const me = res.body.data!.me!;
      expect(me.products?.items.map((p) => p.id)).toEqual(own.products.slice(0, 10).map((p) => p.id));
      expect(me.apps?.items.map((p) => p.id)).toEqual(own.apps.slice(0, 10).map((p) => p.id));
      expect(me.subscriptions?.items.map((s) => s.id)).toEqual(own.subscriptions.map((s) => s.order.id));
      expect(new Set(me.subscriptions?.items.map((s) => s.customerId))).toEqual(new Set([1000 + index]));
      expect(new Set(me.subscriptions?.items.map((s) => s.billing?.email))).toEqual(new Set([`user${index}@example.com`]));
      expect(me.featureFlags).toEqual(own.user.featureFlags);
    });
  });
});
