import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The real relay-compiler, with the configuration docs/clients.md#relay shows, compiles a
 * `@refetchable` fragment on Product and a `@connection` pagination fragment on the catalogue
 * against schema/schema.graphql; the refetch query it generates runs against the gateway and
 * answers the same object, and the pagination query walks the catalogue by its cursors.
 */
const RELAY_CONFIG = { src: './src', schema: './schema.graphql', language: 'typescript', schemaConfig: { nodeInterfaceIdField: 'nodeId' } };
const FRAGMENTS = `import { graphql } from 'react-relay';
export const productCard = graphql\`
  fragment ProductCard_product on Product @refetchable(queryName: "ProductCardRefetchQuery") {
    nodeId
    name
    price
  }
\`;
export const catalogue = graphql\`
  fragment Catalogue_query on Query
  @refetchable(queryName: "CatalogueQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 10 }, after: { type: "String" }) {
    catalog(storeId: 7, first: $first, after: $after) @connection(key: "Catalogue_catalog") {
      edges { node { nodeId name } }
    }
  }
\`;
`;

let dir: string;
let stack: Stack;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flecs-graph-relay-'));
  mkdirSync(join(dir, 'src'));
  copyFileSync(join(ROOT, 'schema/schema.graphql'), join(dir, 'schema.graphql'));
  writeFileSync(join(dir, 'relay.config.json'), JSON.stringify(RELAY_CONFIG));
  writeFileSync(join(dir, 'src/fragments.ts'), FRAGMENTS);
  stack = await startStack({ budgets: 'default', env: { NODE_ENV: 'production' } });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.close();
});

/** The operation text of a generated artifact (`params.text`, a JSON string literal). */
function operationText(file: string): string {
  const source = readFileSync(join(dir, 'src/__generated__', file), 'utf8');
  const literal = /"text": ("(?:[^"\\]|\\.)*")/.exec(source)?.[1];
  if (literal === undefined) throw new Error(`${file} holds no operation text`);
  return JSON.parse(literal) as string;
}

async function post(query: string, variables: Record<string, unknown>) {
  const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

describe('relay-compiler against the schema', () => {
  it('should compile a refetchable fragment on Product and a pagination fragment on the catalogue', async () => {
    const { stderr, stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/relay-compiler/cli.js')], { cwd: dir, timeout: 60_000 });
    expect(`${stdout}${stderr}`).toMatch(/Compilation completed|Done/);
    expect(operationText('ProductCardRefetchQuery.graphql.ts')).toMatch(/node\(id: \$nodeId\)/);
  }, 90_000);

  it('should answer the generated refetch query with the same product, and walk the catalogue with the generated pagination query', async () => {
    const page = await post('{ catalog(storeId: 7, page: 1) { items { nodeId name price } } }', {});
    const product = (page.data!.catalog as { items: Array<{ nodeId: string; name: string; price: string | null }> }).items[2];
    const refetched = await post(operationText('ProductCardRefetchQuery.graphql.ts'), { nodeId: product.nodeId });
    expect(refetched.errors).toBeUndefined();
    expect(refetched.data).toEqual({ node: { __typename: 'Product', ...product } });

    const seen: string[] = [];
    let after: string | null = null;
    for (let window = 0; window < 3; window += 1) {
      const res = await post(operationText('CatalogueQuery.graphql.ts'), { first: 7, after });
      expect(res.errors).toBeUndefined();
      const catalog = res.data!.catalog as {
        edges: Array<{ cursor: string; node: { nodeId: string } }>;
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
      seen.push(...catalog.edges.map((e) => e.node.nodeId));
      expect(catalog.pageInfo.hasNextPage ? catalog.pageInfo.endCursor : 'no next page').not.toBeNull();
      after = catalog.pageInfo.endCursor;
    }
    // Three windows of seven, in order, none twice.
    expect(new Set(seen).size).toBe(21);
    const whole = await post('{ catalog(storeId: 7, first: 21) { edges { node { nodeId } } } }', {});
    expect((whole.data!.catalog as { edges: Array<{ node: { nodeId: string } }> }).edges.map((e) => e.node.nodeId)).toEqual(seen);
  });
});
