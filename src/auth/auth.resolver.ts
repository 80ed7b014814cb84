import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { cost } from '../schema/cost.js';
import { GraphQLError } from 'graphql';
import { checkNonEmpty } from '../common/args.js';
import { ErrorCode } from '../common/errors.js';
import type { GatewayContext } from '../context.js';
import { ConsoleRoute, routeName } from '../console/routes.js';
import { toLoginPayload, toTokenStatus } from './auth.mapper.js';
import { LoginPayload, TokenStatus } from './auth.type.js';

@Resolver()
export class AuthResolver {
  @Directive(cost(1))
  @Mutation(() => LoginPayload, {
    description:
      'Log in to the Console with a username and password; returns a token for `Authorization: Bearer <token>`. A wrong password is INVALID_CREDENTIALS.',
  })
  async login(
    @Arg('username', () => String, { description: 'Console login name or e-mail.' }) username: string,
    @Arg('password', () => String, { description: 'Console password.' }) password: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<LoginPayload> {
    checkNonEmpty(username, 'username', 256);
    checkNonEmpty(password, 'password', 1024);
    // Counted before the Console sees it: a blocked attempt makes no call.
    const attempt = await ctx.edge.beginLogin(username, ctx.client.network, ctx.requestId);
    let data;
    try {
      data = await ctx.console.login(username, password);
    } catch (error) {
      if (!(error instanceof GraphQLError && error.extensions.code === ErrorCode.InvalidCredentials)) await attempt.notAGuess();
      throw error;
    }
    await attempt.succeeded();
    if (data.jwt?.token) ctx.edge.tokenIssued(data.jwt.token, data.user?.ID);
    return toLoginPayload(data, { route: routeName(ConsoleRoute.login), status: 200 });
  }

  @Directive(cost(1))
  @Query(() => TokenStatus, {
    nullable: true,
    description: 'Asks the Console whether a token is valid, and with which feature flags. Null with an error when the Console fails.',
  })
  async validateToken(
    @Arg('token', () => String, { description: 'The token to check (without "Bearer ").' }) token: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<TokenStatus> {
    return toTokenStatus(await ctx.console.validate(checkNonEmpty(token, 'token', 8192)));
  }
}
