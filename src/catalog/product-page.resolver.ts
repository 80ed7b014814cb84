import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { encodeCursor } from './cursors.js';
import { PageInfo, ProductEdge } from './connection.type.js';
import { ProductPage } from './product-page.type.js';
import { connectionOf, edgesOf } from './windows.js';

/** The Relay side of a page: its items as edges with cursors, where the window stands, and the count when known. */
@Resolver(() => ProductPage)
export class ProductPageResolver {
  @FieldResolver(() => [ProductEdge], { description: 'The items with their cursors, in the Console order.' })
  edges(@Root() page: ProductPage): ProductEdge[] {
    return edgesOf(page);
  }

  @FieldResolver(() => PageInfo, { description: 'Where this window stands in the list.' })
  pageInfo(@Root() page: ProductPage): PageInfo {
    const connection = connectionOf(page);
    const { positions, scope } = connection;
    return {
      hasNextPage: connection.hasNextPage,
      hasPreviousPage: connection.hasPreviousPage,
      startCursor: positions.length > 0 ? encodeCursor(scope, positions[0]) : null,
      endCursor:
        connection.endPosition !== undefined
          ? encodeCursor(scope, connection.endPosition)
          : positions.length > 0
            ? encodeCursor(scope, positions[positions.length - 1])
            : null,
    };
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'How many items the whole list holds; null when the Console does not say (lists of more than one page).',
  })
  totalCount(@Root() page: ProductPage): number | null {
    return connectionOf(page).totalCount;
  }
}
