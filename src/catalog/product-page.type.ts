import 'reflect-metadata'; // type-graphql's decorators read design-time metadata as the class loads
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { CONSOLE_PAGE_MAX, listSize } from '../schema/cost.js';
import type { CursorScope, Position } from './cursors.js';
import { Product } from './product.type.js';

@ObjectType({
  simpleResolvers: true,
  description:
    'One page of products, or a window of them (`first`/`after`): `items` and `page` as the Console pages them, `edges` and `pageInfo` as Relay cursor connections.',
})
export class ProductPage {
  @Field(() => Int, { description: "This page's number, from 1." })
  page!: number;

  @Field(() => Int, { description: 'How many pages there are in all.' })
  totalPages!: number;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [Product], { description: 'The products on this page; empty past the last page.' })
  items!: Product[];

  /** Which list the page belongs to, for its cursors (not a GraphQL field). */
  cursorScope?: CursorScope;
  /** Set for a cursor window: where each item stands (a page asked by number derives it when asked). */
  window?: PageConnection;
}

/** What `edges`, `pageInfo` and `totalCount` are made from. */
export interface PageConnection {
  scope: CursorScope;
  /** Each item's place in the Console's pages, in order. */
  positions: Position[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Known only when the whole list is one page: the Console does not say how many items a list holds. */
  totalCount: number | null;
  /** Where the next window starts when this one stopped at its page bound (WINDOW_MAX_PAGES) with pages left: its `endCursor`. */
  endPosition?: Position;
}

@ObjectType({ simpleResolvers: true, description: "The apps of a store's public catalogue (not paginated by the Console)." })
export class AppCatalog {
  @Field(() => Int, { description: 'How many apps the store has.' })
  total!: number;

  @Directive(listSize(CONSOLE_PAGE_MAX))
  @Field(() => [Product], { description: 'The apps.' })
  items!: Product[];
}
