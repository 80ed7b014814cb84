import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { publicCatalogue } from '../../src/simulator/catalogue.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Apollo Client 4's normalized cache with `relayStylePagination()`, as a frontend's "load more"
 * uses it: three windows fetched with `fetchMore` merge into one list equal to the simulator's
 * catalogue, in order, with no duplicates and no gaps.
 */
let stack: Stack;
beforeAll(async () => (stack = await startStack({ env: { NODE_ENV: 'production' } })));
afterAll(async () => stack.close());

const CATALOG = gql`
  query CatalogWindow($after: String) {
    catalog(storeId: 12, first: 9, after: $after) {
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
type Window = {
  catalog: { edges: Array<{ cursor: string; node: { id: number; name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};

describe('Apollo Client 4 with relayStylePagination()', () => {
  it('should merge three windows into one list equal to the catalogue, in order, without duplicates or gaps', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: stack.gateway.url }),
      cache: new InMemoryCache({ typePolicies: { Query: { fields: { catalog: relayStylePagination(['storeId']) } } } }),
    });
    const first = await client.query<Window>({ query: CATALOG });
    expect(first.data?.catalog.edges).toHaveLength(9);
    const observable = client.watchQuery<Window>({ query: CATALOG });
    let after = first.data!.catalog.pageInfo.endCursor;
    for (let i = 0; i < 2; i += 1) {
      const more = await observable.fetchMore({ variables: { after } });
      after = more.data.catalog.pageInfo.endCursor;
    }
    const merged = client.readQuery<Window>({ query: CATALOG })!;
    const expected = publicCatalogue(12)
      .slice(0, 27)
      .map((p) => p.id);
    expect(merged.catalog.edges.map((e) => e.node.id)).toEqual(expected);
    expect(new Set(merged.catalog.edges.map((e) => e.cursor)).size).toBe(27);
    expect(merged.catalog.pageInfo.hasNextPage).toBe(publicCatalogue(12).length > 27);
    await client.clearStore();
  });
});
