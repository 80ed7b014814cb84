import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { GraphQLJSON } from 'graphql-scalars';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { CONSOLE_PAGE_MAX, listSize } from '../schema/cost.js';
import { Node } from '../node/node.type.js';

@ObjectType({ simpleResolvers: true, description: 'Billing details of a subscription.' })
export class Billing {
  @Field(() => String, { nullable: true, description: 'First name of the billed person.' })
  firstName!: string | null;

  @Field(() => String, { nullable: true, description: 'Last name of the billed person.' })
  lastName!: string | null;

  @Field(() => String, { nullable: true, description: 'Company billed, if any.' })
  company!: string | null;

  @Field(() => String, { nullable: true, description: 'Billing e-mail address.' })
  email!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One line of a subscription: a product and a quantity. `product` resolves the product itself.' })
export class LineItem {
  @Field(() => Int, { description: 'Line item id.' })
  id!: number;

  @Field(() => String, { nullable: true, description: 'Line item status.' })
  status!: string | null;

  @Field(() => Int, { description: 'Id of the product this line is for.' })
  productId!: number;

  @Field(() => Int, { nullable: true, description: 'Id of the product variation, when there is one (0 means none).' })
  variationId!: number | null;

  @Field(() => Int, { description: 'How many units.' })
  quantity!: number;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Product image as the store describes it (any JSON).' })
  image!: unknown;
}

@ObjectType({
  simpleResolvers: true,
  implements: Node,
  description:
    'A subscription of the current user (an order with recurring billing). Named ProductSubscription because SDL tools read a type named Subscription as the subscription root.',
})
export class ProductSubscription extends Node {
  /** The concrete type behind `Node` (src/node/node.type.ts). */
  __typename!: 'ProductSubscription';

  @Field(() => Int, { description: 'Subscription id.' })
  id!: number;

  @Field(() => String, { nullable: true, description: 'Subscription status, for example "active" or "on-hold".' })
  status!: string | null;

  @Field(() => Int, { nullable: true, description: 'Console user id of the customer.' })
  customerId!: number | null;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [LineItem], { description: 'What the subscription covers; empty when none.' })
  lineItems!: LineItem[];

  @Field(() => Billing, { nullable: true, description: 'Billing details.' })
  billing!: Billing | null;
}

@ObjectType({ simpleResolvers: true, description: "The current user's subscriptions." })
export class SubscriptionList {
  @Field(() => Int, { description: 'How many subscriptions there are in all.' })
  total!: number;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [ProductSubscription], { description: 'The subscriptions.' })
  items!: ProductSubscription[];
}
