import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Arg, Ctx, FieldResolver, Int, Query, Resolver } from 'type-graphql';
import { WINDOW_LIST_SIZE, cost } from '../schema/cost.js';
import { productList } from '../catalog/windows.js';
import { afterArg, firstArg } from '../catalog/window-args.js';
import { toFeatureFlags } from '../auth/auth.mapper.js';
import { FeatureFlags } from '../auth/auth.type.js';
import { ProductPage } from '../catalog/product-page.type.js';
import { pageArgs } from '../common/args.js';
import { UnauthenticatedError } from '../common/errors.js';
import type { GatewayContext } from '../context.js';
import { ConsoleRoute, routeName } from '../console/routes.js';
import { toSubscriptionList } from '../subscriptions/subscription.mapper.js';
import { SubscriptionList } from '../subscriptions/subscription.type.js';
import { Viewer } from './viewer.type.js';

const storeIdArg = { nullable: true, description: "Only this store's entries; all stores when omitted." } as const;
const pageArg = { nullable: true, description: 'Page number, from 1 (default 1) to 10000.' } as const;

/**
 * `me` needs a well-formed bearer header and makes no upstream call itself; each field makes its
 * own (memoised) call, so fields run in parallel and one failing field leaves the others intact.
 */
@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, {
    nullable: true,
    description: 'The caller, from the `Authorization: Bearer <token>` header. Null with UNAUTHENTICATED when the header is missing or malformed.',
  })
  me(@Ctx() ctx: GatewayContext): Viewer {
    if (ctx.auth.kind === 'missing') {
      throw new UnauthenticatedError('Send an "Authorization: Bearer <token>" header; the login mutation gives a token.');
    }
    if (ctx.auth.kind === 'malformed') {
      throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
    }
    return new Viewer();
  }

  @Directive(cost(1))
  @Directive(WINDOW_LIST_SIZE)
  @FieldResolver(() => ProductPage, { nullable: true, description: 'Your products, one page at a time. Null with an error when the Console fails.' })
  async products(
    @Arg('storeId', () => Int, storeIdArg) storeId: number | null,
    @Arg('page', () => Int, pageArg) page: number | null,
    @Arg('first', () => Int, firstArg) first: number | null,
    @Arg('after', () => String, afterArg) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ProductPage> {
    const owner = ctx.client.tokenHash ?? '';
    return productList({ storeId, page, first, after }, { list: 'my-products', owner }, (args) => ctx.console.myProducts(args), ctx.loaders.mapPage);
  }

  @Directive(cost(1))
  @Directive(WINDOW_LIST_SIZE)
  @FieldResolver(() => ProductPage, { nullable: true, description: 'Your apps, one page at a time. Null with an error when the Console fails.' })
  async apps(
    @Arg('storeId', () => Int, storeIdArg) storeId: number | null,
    @Arg('page', () => Int, pageArg) page: number | null,
    @Arg('first', () => Int, firstArg) first: number | null,
    @Arg('after', () => String, afterArg) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ProductPage> {
    const owner = ctx.client.tokenHash ?? '';
    return productList({ storeId, page, first, after }, { list: 'my-apps', owner }, (args) => ctx.console.myApps(args), ctx.loaders.mapPage);
  }

  @Directive(cost(1))
  @FieldResolver(() => SubscriptionList, { nullable: true, description: 'Your subscriptions. Null with an error when the Console fails.' })
  async subscriptions(@Arg('storeId', () => Int, storeIdArg) storeId: number | null, @Ctx() ctx: GatewayContext): Promise<SubscriptionList> {
    return toSubscriptionList(await ctx.console.mySubscriptions(pageArgs(storeId, undefined)), storeId);
  }

  @Directive(cost(1))
  @FieldResolver(() => FeatureFlags, {
    nullable: true,
    description: "Your account's feature flags, from validating your own token. UNAUTHENTICATED when the Console does not accept it.",
  })
  async featureFlags(@Ctx() ctx: GatewayContext): Promise<FeatureFlags> {
    const token = ctx.auth.kind === 'token' ? ctx.auth.token : '';
    const status = await ctx.console.validate(token);
    if (status.isValid !== true) {
      throw new UnauthenticatedError('The Console does not accept the bearer token.', { route: routeName(ConsoleRoute.validate), status: 200 });
    }
    return toFeatureFlags(status.feature_flags?.ff);
  }
}
