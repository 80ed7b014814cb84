import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import { BadUserInputError } from '../common/errors.js';
import type { GatewayContext } from '../context.js';
import { LOOKUP_MAX_CALLS, cost, listSize } from '../schema/cost.js';
import { toSubscription } from '../subscriptions/subscription.mapper.js';
import { parseNodeId, type NodeKey } from './global-id.js';
import { Node } from './node.type.js';

/** Most ids one `nodes` takes: a screen's worth of objects, what one list field holds. */
export const NODES_MAX = 100;
/** Most stores whose subscriptions one request refetches (one Console call each). */
export const NODE_SUBSCRIPTION_STORES_MAX = 3;
/**
 * What `node` and `nodes` declare: the request's one product search (shared with `product` and
 * `LineItem.product`, counted once: src/edge/upstream-cost.ts) and a subscription list per store.
 */
export const NODE_COST = LOOKUP_MAX_CALLS + NODE_SUBSCRIPTION_STORES_MAX;

/**
 * Relay's refetch entry points. A product comes from the same batched lookup as `product(id:)` and
 * `LineItem.product` (a `nodes` of 50 products is one search, not 50); a subscription from the
 * caller's own list in its store, read with the caller's token, so another user's subscription is
 * `null` and says nothing of its owner. An id that is not one of ours is BAD_USER_INPUT.
 */
@Resolver()
export class NodeResolver {
  @Directive(cost(NODE_COST))
  @Query(() => Node, { nullable: true, description: 'The object with this global id (`nodeId`), or null when it does not exist or is not yours to see.' })
  node(@Arg('id', () => ID, { description: 'A `nodeId` this API returned.' }) id: string, @Ctx() ctx: GatewayContext): Promise<Node | null> {
    const key = keyOf(id, 'id');
    checkStores([key]);
    return load(key, ctx);
  }

  @Directive(cost(NODE_COST))
  @Directive(listSize(NODES_MAX))
  @Query(() => [Node], {
    nullable: 'items',
    description: `The objects with these global ids, in the same order (null for each that does not exist or is not yours to see); at most ${NODES_MAX}.`,
  })
  nodes(
    @Arg('ids', () => [ID], { description: 'Global ids (`nodeId`) this API returned.' }) ids: string[],
    @Ctx() ctx: GatewayContext,
  ): Promise<Array<Node | null>> {
    if (ids.length > NODES_MAX) throw new BadUserInputError(`ids may hold at most ${NODES_MAX} ids (got ${ids.length}).`, 'ids');
    const keys = ids.map((id, i) => keyOf(id, `ids[${i}]`));
    checkStores(keys);
    return Promise.all(keys.map((key) => load(key, ctx)));
  }
}

function keyOf(id: string, argument: string): NodeKey {
  const key = parseNodeId(id);
  if (key === undefined) throw new BadUserInputError(`${argument} is not a global id of this API (a \`nodeId\` it returned).`, argument);
  return key;
}

function checkStores(keys: NodeKey[]): void {
  const stores = new Set(keys.flatMap((k) => (k.type === 'ProductSubscription' ? [k.storeId] : [])));
  if (stores.size > NODE_SUBSCRIPTION_STORES_MAX)
    throw new BadUserInputError(`ids may name subscriptions of at most ${NODE_SUBSCRIPTION_STORES_MAX} stores at once (got ${stores.size}).`, 'ids');
}

async function load(key: NodeKey, ctx: GatewayContext): Promise<Node | null> {
  if (key.type === 'Product') return ctx.loaders.productById.load(key.id);
  // Nobody's subscriptions without a token: null, as for any id that is not yours.
  if (ctx.client.tokenHash === undefined) return null;
  // One call per store and request (the client memoises it), whichever ids share it.
  const list = await ctx.console.mySubscriptions(key.storeId === null ? {} : { storeId: key.storeId });
  const found = (list.subscriptions ?? []).find((order) => Number(order.id) === key.id);
  return found === undefined ? null : toSubscription(found, key.storeId);
}
