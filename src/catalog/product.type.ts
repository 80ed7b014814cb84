import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { AppDetails } from './app-details.type.js';
import { Store } from './store.type.js';
import { Node } from '../node/node.type.js';

@ObjectType({ simpleResolvers: true, description: "A product category, as the Console's store classifies it." })
export class Category {
  @Field(() => Int, { description: 'Category id in the Console.' })
  id!: number;

  @Field(() => String, { description: 'Human-readable category name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'URL-friendly category name.' })
  slug!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A named product attribute with its possible options (for example "Architecture": ["amd64", "arm64"]).' })
export class ProductAttribute {
  @Field(() => Int, { description: 'Attribute id in the Console.' })
  id!: number;

  @Field(() => String, { description: 'Attribute name.' })
  name!: string;

  @Field(() => [String], { description: 'The options this attribute offers; empty when none.' })
  options!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'One free-form metadata entry of a product.' })
export class MetaEntry {
  @Field(() => Int, { nullable: true, description: 'Entry id, when the Console sends one.' })
  id!: number | null;

  @Field(() => String, { description: 'Entry key (the Console sends it as `key` or `name`).' })
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Entry value, any JSON.' })
  value!: unknown;
}

@ObjectType({ simpleResolvers: true, implements: Node, description: 'A product (or app) sold in one of the FLECS stores.' })
export class Product extends Node {
  @Field(() => Int, { description: 'Product id in the Console; line items refer to it.' })
  id!: number;

  @Field(() => String, { description: 'Product name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Publication status, for example "publish".' })
  status!: string | null;

  @Field(() => String, { nullable: true, description: 'Long description (HTML, as the store holds it).' })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'Short description (HTML, as the store holds it).' })
  shortDescription!: string | null;

  @Field(() => Float, { nullable: true, description: 'Average review rating, 0 to 5; null when the Console sends no parsable number.' })
  averageRating!: number | null;

  @Field(() => Int, { nullable: true, description: 'Number of reviews behind averageRating.' })
  ratingCount!: number | null;

  @Field(() => [Category], { description: 'Categories of the product; empty when none.' })
  categories!: Category[];

  @Field(() => [ProductAttribute], { description: 'Attributes of the product; empty when none.' })
  attributes!: ProductAttribute[];

  @Field(() => [MetaEntry], { description: 'Metadata entries of the product; empty when none.' })
  metaData!: MetaEntry[];

  @Field(() => String, { nullable: true, description: 'Stock status, for example "instock".' })
  stockStatus!: string | null;

  @Field(() => Store, { nullable: true, description: 'The store that sells the product.' })
  store!: Store | null;

  @Field(() => String, { nullable: true, description: 'Public URL of the product page.' })
  permalink!: string | null;

  @Field(() => String, { nullable: true, description: 'Price as a decimal string, exactly as the store holds it (money is not a float).' })
  price!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the product can be bought now.' })
  purchasable!: boolean | null;

  @Field(() => AppDetails, {
    nullable: true,
    description: "The app's FLECS facts (id, versions, architectures, icon, links…); null when the product is not a FLECS app.",
  })
  app!: AppDetails | null;
}
