import { int, list, str } from '../common/coerce.js';
import type { RestBilling, RestLineItem, RestOrder, RestSubscriptionList } from '../console/rest-types.js';
import { subscriptionNodeId } from '../node/global-id.js';
import { LineItem, type Billing, type ProductSubscription, type SubscriptionList } from './subscription.type.js';

/**
 * The one place where the Console's subscription records become GraphQL types. `storeId`: the
 * store whose list they came from (null: the Console's default), part of each one's global id.
 */
export function toSubscriptionList(rest: RestSubscriptionList, storeId: number | null): SubscriptionList {
  const items = list(rest.subscriptions, (order) => toSubscription(order, storeId));
  return { total: int(rest.totalSubscriptions) ?? items.length, items };
}

export function toSubscription(rest: RestOrder, storeId: number | null): ProductSubscription | null {
  const id = int(rest.id);
  if (id === null) return null;
  return {
    __typename: 'ProductSubscription',
    nodeId: subscriptionNodeId(storeId, id),
    id,
    status: str(rest.status),
    customerId: int(rest.customer_id),
    lineItems: list(rest.line_items, toLineItem),
    billing: rest.billing && typeof rest.billing === 'object' ? toBilling(rest.billing) : null,
  };
}

function toLineItem(rest: RestLineItem): LineItem | null {
  const id = int(rest.id);
  const productId = int(rest.product_id);
  if (id === null || productId === null) return null; // cannot be identified or resolved; drop it
  // An instance, not a plain object: type-graphql copies a plain @Root into a new instance on
  // every call of a field resolver (LineItem.product runs once per line item).
  return Object.assign(new LineItem(), {
    id,
    status: str(rest.status),
    productId,
    variationId: int(rest.variation_id),
    quantity: int(rest.quantity) ?? 0,
    image: rest.image ?? null,
  });
}

function toBilling(rest: RestBilling): Billing {
  return {
    firstName: str(rest.first_name),
    lastName: str(rest.last_name),
    company: str(rest.company),
    email: str(rest.email),
  };
}
