import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { LOOKUP_MAX_CALLS, cost } from '../schema/cost.js';
import { Product } from '../catalog/product.type.js';
import type { GatewayContext } from '../context.js';
import { LineItem } from './subscription.type.js';

@Resolver(() => LineItem)
export class LineItemResolver {
  @Directive(cost(LOOKUP_MAX_CALLS))
  @FieldResolver(() => Product, {
    nullable: true,
    description: 'The product this line is for: looked up in your own products, then in the public catalogue; null when neither knows it. Batched per request.',
  })
  product(@Root() item: LineItem, @Ctx() ctx: GatewayContext): Promise<Product | null> {
    return ctx.loaders.productById.load(item.productId);
  }
}
