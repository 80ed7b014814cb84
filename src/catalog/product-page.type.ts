import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { CONSOLE_PAGE_MAX, listSize } from '../schema/cost.js';
import { Product } from './product.type.js';

@ObjectType({ simpleResolvers: true, description: 'One page of products.' })
export class ProductPage {
  @Field(() => Int, { description: "This page's number, from 1." })
  page!: number;

  @Field(() => Int, { description: 'How many pages there are in all.' })
  totalPages!: number;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [Product], { description: 'The products on this page; empty past the last page.' })
  items!: Product[];
}

@ObjectType({ simpleResolvers: true, description: "The apps of a store's public catalogue (not paginated by the Console)." })
export class AppCatalog {
  @Field(() => Int, { description: 'How many apps the store has.' })
  total!: number;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [Product], { description: 'The apps.' })
  items!: Product[];
}
