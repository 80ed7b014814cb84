import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { ObjectType } from 'type-graphql';

/**
 * The caller, identified by the bearer token of the request. Carries nothing itself: its fields
 * are resolved from the request's context (ViewerResolver), so it never holds a token.
 */
@ObjectType({ simpleResolvers: true, description: "The user behind the request's bearer token: their products, apps, subscriptions and flags." })
export class Viewer {}
