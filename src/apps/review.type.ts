import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@InputType({ description: 'A review of a FLECS app, posted to the Console under your account.' })
export class AppReviewInput {
  @Field(() => Int, { description: "The app's product id (Product.id)." })
  productId!: number;

  @Field(() => Int, { description: 'Stars, 1 to 5.' })
  rating!: number;

  @Field(() => String, { description: 'The review text, 1 to 5000 characters (line breaks allowed).' })
  review!: string;

  @Field(() => String, { description: 'The name shown with the review, 1 to 200 characters.' })
  reviewer!: string;

  @Field(() => String, { description: "The reviewer's e-mail address (not shown publicly)." })
  reviewerEmail!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A review as the Console recorded it.' })
export class AppReview {
  @Field(() => Int, { description: 'Review id in the Console.' })
  id!: number;

  @Field(() => Int, { description: "The reviewed product's id." })
  productId!: number;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the Console recorded it (UTC); null when it sent no readable date.' })
  createdAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Moderation status, for example "hold" until a vendor approves it.' })
  status!: string | null;

  @Field(() => Int, { nullable: true, description: 'Stars, as recorded.' })
  rating!: number | null;

  @Field(() => String, { nullable: true, description: 'The review text, as recorded.' })
  review!: string | null;

  @Field(() => String, { nullable: true, description: 'The name shown with the review.' })
  reviewer!: string | null;

  @Field(() => String, { nullable: true, description: "The reviewed product's name." })
  productName!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the Console counts the reviewer as a verified owner.' })
  verified!: boolean | null;
}
