import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { cost } from '../schema/cost.js';
import { checkPage } from '../common/args.js';
import type { GatewayContext } from '../context.js';
import { storeCatalogKey } from '../loaders/loaders.js';
import { ProductPage } from './product-page.type.js';
import { Store } from './store.type.js';

@Resolver(() => Store)
export class StoreResolver {
  // Batched per request by (store, page): one call per distinct store, and a page names at most ~10.
  @Directive(cost(10))
  @FieldResolver(() => ProductPage, {
    nullable: true,
    description: "One page of this store's public catalogue. Batched per request: one Console call per distinct (store, page).",
  })
  catalog(
    @Root() store: Store,
    @Arg('page', () => Int, { nullable: true, description: 'Page number, from 1 (default 1) to 10000.' }) page: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ProductPage> {
    return ctx.loaders.storeCatalog.load(storeCatalogKey(store.id, checkPage(page)));
  }
}
