import type { ProductPage } from './product-page.type.js';
import { WINDOW_MAX_PAGES, encodeCursor, type CursorScope, type Position } from './cursors.js';
import type { PageConnection } from './product-page.type.js';

/** A Console page as the resolvers map it: `page` from 1. */
type ReadPage = (page: number) => Promise<ProductPage>;

/** A page as the Console sent it, with each item's cursor (a request that named `page`). */
export function pageWithCursors(page: ProductPage, scope: CursorScope): ProductPage {
  const connection: PageConnection = {
    scope,
    positions: page.items.map((_, index) => ({ page: page.page, index })),
    hasNextPage: page.page < page.totalPages,
    hasPreviousPage: page.page > 1,
    totalCount: page.totalPages <= 1 && page.page === 1 ? page.items.length : null,
  };
  return { ...page, connection };
}

/**
 * `first` items after `after`, whatever the Console's page size: the Console pages the window
 * needs (one, or two where it straddles a boundary; at most WINDOW_MAX_PAGES), each through the
 * request's memo and, for public lists, the public cache, so the same window twice costs nothing more.
 */
export async function readWindow(read: ReadPage, scope: CursorScope, first: number, after: Position | undefined): Promise<ProductPage> {
  let pageNumber = after ? after.page : 1;
  let index = after ? after.index + 1 : 0;
  const items: ProductPage['items'] = [];
  const positions: Position[] = [];
  let totalPages: number;
  let hasNextPage = false;
  let singlePageCount: number | null = null;
  for (let pagesRead = 1; ; pagesRead += 1) {
    const page = await read(pageNumber);
    totalPages = page.totalPages;
    if (pageNumber === 1 && totalPages <= 1) singlePageCount = page.items.length;
    for (; index < page.items.length && items.length < first; index += 1) {
      items.push(page.items[index]);
      positions.push({ page: pageNumber, index });
    }
    if (items.length >= first) {
      hasNextPage = index < page.items.length || pageNumber < totalPages;
      break;
    }
    if (pageNumber >= totalPages) break;
    if (pagesRead >= WINDOW_MAX_PAGES) {
      hasNextPage = true;
      break;
    }
    pageNumber += 1;
    index = 0;
  }
  return {
    page: positions[0]?.page ?? pageNumber,
    totalPages,
    items,
    connection: { scope, positions, hasNextPage, hasPreviousPage: after !== undefined, totalCount: singlePageCount },
  };
}

export function edgesOf(page: ProductPage): Array<{ cursor: string; node: ProductPage['items'][number] }> {
  const connection = page.connection ?? pageWithCursors(page, { list: 'catalog', storeId: undefined, owner: '' }).connection!;
  return page.items.map((node, k) => ({ node, cursor: encodeCursor(connection.scope, connection.positions[k]) }));
}
