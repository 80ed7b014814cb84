import type { PageArgs } from '../console/console-client.js';
import type { RestProductPage } from '../console/rest-types.js';
import { pageArgs } from '../common/args.js';
import type { PageConnection, ProductPage } from './product-page.type.js';
import { WINDOW_MAX_PAGES, decodeCursor, encodeCursor, windowArgs, type CursorScope, type Position } from './cursors.js';

/** The arguments of a field that pages products: the Console's page, or a cursor window. */
export interface ListArgs {
  storeId: number | null;
  page: number | null;
  first: number | null;
  after: string | null;
}

/**
 * One field that pages products (`me.products`, `me.apps`, `catalog`): the Console page asked by
 * number, or `first` items after `after`. Arguments are checked, and a cursor decoded, before any
 * Console call; every page goes through `read` (the request's memo, and the public cache for public
 * lists) and `mapPage` (mapped once per request).
 */
export async function productList(
  args: ListArgs,
  scope: Omit<CursorScope, 'storeId'>,
  read: (args: PageArgs) => Promise<RestProductPage>,
  mapPage: (rest: RestProductPage, requestedPage: number | undefined) => ProductPage,
): Promise<ProductPage> {
  const checked = pageArgs(args.storeId, args.page);
  const cursorScope: CursorScope = { ...scope, storeId: checked.storeId };
  const window = windowArgs(args.page, args.first, args.after);
  if (!window) return { ...mapPage(await read(checked), checked.page), cursorScope };
  const from = window.after === undefined ? undefined : decodeCursor(window.after, cursorScope, 'after');
  // Page 1 is read without a page number, so it shares the memo with a plain field call.
  const readPage = async (n: number) => mapPage(await read(pageArgs(checked.storeId, n === 1 ? undefined : n)), n);
  return readWindow(readPage, cursorScope, window.first, from);
}

/**
 * `first` items after `after`, whatever the Console's page size: the Console pages the window
 * needs (one, or two where it straddles a boundary; at most WINDOW_MAX_PAGES).
 */
export async function readWindow(
  read: (page: number) => Promise<ProductPage>,
  scope: CursorScope,
  first: number,
  after: Position | undefined,
): Promise<ProductPage> {
  // After the last item of a page, the window starts on the next page: its cursor says so, and
  // the page it sits on is not read again (a "load more" costs the pages its items are on).
  let pageNumber = after ? (after.last ? after.page + 1 : after.page) : 1;
  let index = after && !after.last ? after.index + 1 : 0;
  const items: ProductPage['items'] = [];
  const positions: Position[] = [];
  let totalPages: number;
  let hasNextPage = false;
  let singlePageCount: number | null = null;
  let endPosition: Position | undefined;
  for (let pagesRead = 1; ; pagesRead += 1) {
    const page = await read(pageNumber);
    totalPages = page.totalPages;
    if (pageNumber === 1 && totalPages <= 1) singlePageCount = page.items.length;
    for (; index < page.items.length && items.length < first; index += 1) {
      items.push(page.items[index]);
      positions.push(index === page.items.length - 1 ? { page: pageNumber, index, last: true } : { page: pageNumber, index });
    }
    if (items.length >= first) {
      hasNextPage = index < page.items.length || pageNumber < totalPages;
      break;
    }
    if (pageNumber >= totalPages) break;
    if (pagesRead >= WINDOW_MAX_PAGES) {
      hasNextPage = true;
      // Pages without items (or without enough of them): the next window starts after the last page read.
      endPosition = { page: pageNumber, index: Math.max(0, page.items.length - 1), last: true };
      break;
    }
    pageNumber += 1;
    index = 0;
  }
  return {
    page: positions[0]?.page ?? pageNumber,
    totalPages,
    items,
    cursorScope: scope,
    window: {
      scope,
      positions,
      hasNextPage,
      hasPreviousPage: after !== undefined,
      totalCount: singlePageCount,
      // The walk stopped at its page bound: the next window starts after the last page it read,
      // not after its last item, whose page and the empty ones after it would be read again.
      ...(endPosition !== undefined ? { endPosition } : {}),
    },
  };
}

/** Where a page's items stand: the window's own, or, for a page asked by number, derived from it (only when asked for). */
export function connectionOf(page: ProductPage): PageConnection {
  if (page.window) return page.window;
  return {
    scope: page.cursorScope ?? { list: 'catalog', storeId: undefined, owner: '' },
    positions: page.items.map((_, index) => (index === page.items.length - 1 ? { page: page.page, index, last: true } : { page: page.page, index })),
    hasNextPage: page.page < page.totalPages,
    hasPreviousPage: page.page > 1,
    totalCount: page.totalPages <= 1 && page.page === 1 ? page.items.length : null,
  };
}

export function edgesOf(page: ProductPage): Array<{ cursor: string; node: ProductPage['items'][number] }> {
  const { scope, positions } = connectionOf(page);
  return page.items.map((node, k) => ({ node, cursor: encodeCursor(scope, positions[k]) }));
}
