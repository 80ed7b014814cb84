import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { cost } from '../schema/cost.js';
import { toAppCatalog } from '../catalog/product.mapper.js';
import { Product } from '../catalog/product.type.js';
import { checkPositive } from '../common/args.js';
import { BadUserInputError, UnauthenticatedError } from '../common/errors.js';
import type { GatewayContext } from '../context.js';
import { toReviewRequest } from './review.args.js';
import { toAppReview } from './review.mapper.js';
import { AppReview, AppReviewInput } from './review.type.js';

/** A reverse-domain name: letters, digits, dots and dashes, as FLECS app ids are. */
const REVERSE_DOMAIN = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

@Resolver()
export class AppResolver {
  @Directive(cost(1))
  @Query(() => Product, {
    nullable: true,
    description:
      'A FLECS app by its reverse-domain name (AppDetails.reverseDomainName, compared without regard to case), from the public app catalogue of the default store, or of `storeId`. Null when no app there has that name.',
  })
  async app(
    @Arg('reverseDomainName', () => String, { description: 'For example "tech.flecs.mqtt-bridge".' }) reverseDomainName: string,
    @Arg('storeId', () => Int, { nullable: true, description: 'Store whose app catalogue to search; the default store when omitted.' }) storeId: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Product | null> {
    const name = reverseDomainName.trim();
    if (name.length > 255 || !REVERSE_DOMAIN.test(name)) {
      throw new BadUserInputError(
        'reverseDomainName must look like "tech.flecs.mqtt-bridge" (letters, digits, dots, dashes; at most 255 characters).',
        'reverseDomainName',
      );
    }
    const store = checkPositive(storeId, 'storeId');
    const catalog = toAppCatalog(await ctx.console.appCatalog(store === undefined ? {} : { storeId: store }));
    const wanted = name.toLowerCase();
    return catalog.items.find((p) => p.app?.reverseDomainName.toLowerCase() === wanted) ?? null;
  }

  @Directive(cost(1))
  @Mutation(() => AppReview, {
    nullable: true,
    description:
      'Posts a review of an app under your account (needs `Authorization: Bearer <token>`). Checked before anything is sent; sent once, never retried. Null with an error when the Console refuses or fails.',
  })
  async reviewApp(@Arg('input', () => AppReviewInput, { description: 'The review.' }) input: AppReviewInput, @Ctx() ctx: GatewayContext): Promise<AppReview> {
    if (ctx.auth.kind !== 'token') {
      throw new UnauthenticatedError('Send an "Authorization: Bearer <token>" header to post a review; the login mutation gives a token.');
    }
    const request = toReviewRequest(input);
    const data = await ctx.console.postReview(request);
    return toAppReview(data.review, request.product_id);
  }
}
