import { describe, expect, it } from '@jest/globals';
import { toSubscriptionList } from '../../src/subscriptions/subscription.mapper.js';

describe('toSubscriptionList', () => {
  it('should map every REST field of a subscription and its line items', () => {
    expect(
      toSubscriptionList(
        {
          totalSubscriptions: 1,
          subscriptions: [
            {
              id: 9,
              status: 'active',
              customer_id: 42,
              line_items: [{ id: 90, status: 'active', product_id: 101, variation_id: 0, quantity: 2, image: { src: 'x.png' } }],
              billing: { first_name: 'Ada', last_name: 'L', company: 'ACME', email: 'ada@example.com' },
            },
          ],
        },
        3,
      ),
    ).toEqual({
      total: 1,
      items: [
        {
          __typename: 'ProductSubscription',
          // Global id: the type, its store and its id (base64url of "ProductSubscription:3:9").
          nodeId: Buffer.from('ProductSubscription:3:9').toString('base64url'),
          id: 9,
          status: 'active',
          customerId: 42,
          lineItems: [{ id: 90, status: 'active', productId: 101, variationId: 0, quantity: 2, image: { src: 'x.png' } }],
          billing: { firstName: 'Ada', lastName: 'L', company: 'ACME', email: 'ada@example.com' },
        },
      ],
    });
  });

  it('should normalise omitted lists to [] and drop line items that name no product', () => {
    expect(toSubscriptionList({}, null)).toEqual({ total: 0, items: [] });
    const list = toSubscriptionList({ subscriptions: [{ id: 1, line_items: [{ id: 2 }, { id: 3, product_id: 5 }] }] }, null);
    expect(list.items[0]).toEqual({
      __typename: 'ProductSubscription',
      // The Console's default store (no storeId asked): store 0 in the global id.
      nodeId: Buffer.from('ProductSubscription:0:1').toString('base64url'),
      id: 1,
      status: null,
      customerId: null,
      billing: null,
      lineItems: [{ id: 3, status: null, productId: 5, variationId: null, quantity: 0, image: null }],
    });
  });
});
