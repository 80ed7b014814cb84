import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'Feature flags of a Console account.' })
export class FeatureFlags {
  @Field(() => Boolean, { description: 'The account sells apps in a FLECS store.' })
  isVendor!: boolean;

  @Field(() => Boolean, { description: 'The account uses a white-labelled Console.' })
  isWhitelabeled!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'A Console user account.' })
export class ConsoleUser {
  @Field(() => Int, { description: 'User id in the Console.' })
  id!: number;

  @Field(() => String, { description: 'Login name.' })
  login!: string;

  @Field(() => String, { nullable: true, description: 'Name shown to people.' })
  displayName!: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address.' })
  email!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'The result of a successful login.' })
export class LoginPayload {
  @Field(() => String, { description: 'A JWT to send as `Authorization: Bearer <token>` on later requests.' })
  token!: string;

  @Field(() => GraphQLDateTimeISO, { description: 'When the token expires.' })
  expiresAt!: Date;

  @Field(() => ConsoleUser, { description: 'The user who logged in.' })
  user!: ConsoleUser;

  @Field(() => FeatureFlags, { description: 'Feature flags of the account.' })
  featureFlags!: FeatureFlags;
}

@ObjectType({ simpleResolvers: true, description: 'Whether a token is currently accepted by the Console.' })
export class TokenStatus {
  @Field(() => Boolean, { description: 'True when the Console accepts the token.' })
  isValid!: boolean;

  @Field(() => FeatureFlags, { nullable: true, description: "Feature flags of the token's account; null when the token is not valid." })
  featureFlags!: FeatureFlags | null;
}
