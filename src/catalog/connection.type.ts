import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Field, ObjectType } from 'type-graphql';
import { Product } from './product.type.js';

@ObjectType({ simpleResolvers: true, description: 'A product in a list, with the cursor that points at it (Relay cursor connections).' })
export class ProductEdge {
  @Field(() => String, { description: 'Opaque: pass it as `after` to get the items that follow this one.' })
  cursor!: string;

  @Field(() => Product, { description: 'The product.' })
  node!: Product;
}

@ObjectType({ simpleResolvers: true, description: 'Where a window of a list stands (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether items follow the last edge.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Whether items precede the first edge (true when the window started after a cursor).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null for an empty window." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "The last edge's cursor; null for an empty window." })
  endCursor!: string | null;
}
