import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, type CursorScope } from '../../src/catalog/cursors.js';
import type { ProductPage } from '../../src/catalog/product-page.type.js';
import { readWindow } from '../../src/catalog/windows.js';

/** Cursor windows over Console pages, read through a fake that counts the pages it was asked for. */
const scope: CursorScope = { list: 'catalog', storeId: 3, owner: '' };

function pages(items: number[][]) {
  const reads: number[] = [];
  const read = async (n: number): Promise<ProductPage> => {
    reads.push(n);
    return { page: n, totalPages: items.length, items: (items[n - 1] ?? []).map((id) => ({ id }) as unknown as ProductPage['items'][number]) };
  };
  return { read, reads };
}

describe('readWindow', () => {
  it('should never say there is a next page without a cursor to continue from, even after six empty pages', async () => {
    // One item, then eight pages a store emptied (delisted products leave holes), then the last item.
    const list = pages([[1], [], [], [], [], [], [], [], [], [2]]);
    const ids: number[] = [];
    let after;
    for (let windows = 0; windows < 10; windows += 1) {
      const window = await readWindow(list.read, scope, 5, after);
      ids.push(...window.items.map((p) => p.id));
      const connection = window.window!;
      // pageInfo.endCursor, as the resolver makes it.
      const last = connection.endPosition ?? connection.positions[connection.positions.length - 1];
      if (connection.hasNextPage) expect(last).toBeDefined();
      if (!connection.hasNextPage) break;
      // What a client does with pageInfo.endCursor: send it back.
      after = decodeCursor(encodeCursor(scope, last), scope, 'after');
    }
    expect(ids).toEqual([1, 2]);
    // Every page read once: the windows went forward, never back.
    expect(list.reads).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("should start the window after a page's last item on the next page, without reading that page again", async () => {
    const list = pages([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const first = await readWindow(list.read, scope, 3, undefined);
    const end = first.window!.positions[2];
    expect(end).toEqual({ page: 1, index: 2, last: true });
    const second = await readWindow(list.read, scope, 3, decodeCursor(encodeCursor(scope, end), scope, 'after'));
    expect(second.items.map((p) => p.id)).toEqual([4, 5, 6]);
    expect(list.reads).toEqual([1, 2]);
  });

  it('should refuse a cursor whose "last" flag was added by hand', () => {
    const plain = Buffer.from(encodeCursor(scope, { page: 1, index: 1 }), 'base64url').toString('utf8');
    const forged = Buffer.from(`${plain}:l`).toString('base64url');
    expect(() => decodeCursor(forged, scope, 'after')).toThrow(/not a cursor of this list/);
  });
});
