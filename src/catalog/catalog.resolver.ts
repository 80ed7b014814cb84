import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { LOOKUP_MAX_CALLS, WINDOW_LIST_SIZE, cost } from '../schema/cost.js';
import { productList } from './windows.js';
import { afterArg, firstArg } from './window-args.js';
import { checkPositive, pageArgs } from '../common/args.js';
import type { GatewayContext } from '../context.js';
import { toAppCatalog } from './product.mapper.js';
import { AppCatalog, ProductPage } from './product-page.type.js';
import { Product } from './product.type.js';

/** The public store catalogue: no token needed, none sent. */
@Resolver()
export class CatalogResolver {
  @Directive(cost(1))
  @Directive(WINDOW_LIST_SIZE)
  @Query(() => ProductPage, {
    nullable: true,
    description: "One page of a store's public catalogue (the default store when storeId is omitted). Null with an error when the Console fails.",
  })
  async catalog(
    @Arg('storeId', () => Int, { nullable: true, description: "Store to list; the Console's default store when omitted." }) storeId: number | null,
    @Arg('page', () => Int, { nullable: true, description: 'Page number, from 1 (default 1) to 10000.' }) page: number | null,
    @Arg('first', () => Int, firstArg) first: number | null,
    @Arg('after', () => String, afterArg) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ProductPage> {
    // The caller named the store itself: a catalogue that lists products makes it known to searches.
    return productList({ storeId, page, first, after }, { list: 'catalog', owner: '' }, (args) => ctx.console.catalog(args, true), ctx.loaders.mapPage);
  }

  @Directive(cost(LOOKUP_MAX_CALLS))
  @Query(() => Product, {
    nullable: true,
    description:
      'A product by id: looked up in your own products and apps (with a bearer token), then in the public catalogue of every store the gateway knows. Null only when none has it; LOOKUP_INCOMPLETE when the search stopped at its bound first.',
  })
  product(@Arg('id', () => Int, { description: "The Console's product id." }) id: number, @Ctx() ctx: GatewayContext): Promise<Product | null> {
    return ctx.loaders.productById.load(checkPositive(id, 'id')!);
  }

  @Directive(cost(1))
  @Query(() => AppCatalog, {
    nullable: true,
    description: "The apps of a store's public catalogue (the default store when storeId is omitted). Null with an error when the Console fails.",
  })
  async appCatalog(
    @Arg('storeId', () => Int, { nullable: true, description: "Store to list; the Console's default store when omitted." }) storeId: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<AppCatalog> {
    return toAppCatalog(await ctx.console.appCatalog(pageArgs(storeId, undefined)));
  }
}
