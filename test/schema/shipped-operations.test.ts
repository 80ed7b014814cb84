import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildASTSchema, buildSchema, parse, printSchema, visit, type ObjectTypeDefinitionNode } from 'graphql';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { checkOperations } from '../../src/schema/check-operations.js';
import { ROOT } from '../support/processes.js';

/**
 * The operations of apps already in users' hands (schema/shipped-operations/: the example frontend
 * as released, a mobile app's Apollo manifest) and the example frontend as it is now must all still
 * validate against the current schema; `npm run check:operations` names each one that would not.
 */
const SHIPPED = readdirSync(join(ROOT, 'schema/shipped-operations')).map((f) => join(ROOT, 'schema/shipped-operations', f));
const EXAMPLE = join(ROOT, 'examples/web-dashboard/src/gql/persisted-documents.json');

describe('operations of shipped apps against the current schema', () => {
  let sdl: string;
  beforeAll(async () => (sdl = printSchema(await buildGatewaySchema())));

  it('should find every shipped operation, and the example frontend as it is, valid', () => {
    const { checked, broken } = checkOperations(buildSchema(sdl), [...SHIPPED, EXAMPLE]);
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(9);
  });

  it('should name the operations a removed field and a new required argument would break, and why', () => {
    // The schema as a careless change would leave it: Product.price gone, Query.catalog with a required argument.
    const changed = visit(parse(sdl), {
      ObjectTypeDefinition(node) {
        if (node.name.value === 'Product') return { ...node, fields: node.fields?.filter((f) => f.name.value !== 'price') };
        if (node.name.value !== 'Query') return undefined;
        const region = parse('type T { f(region: String!): Int }').definitions[0] as ObjectTypeDefinitionNode;
        const regionArg = region.fields![0].arguments![0];
        return { ...node, fields: node.fields?.map((f) => (f.name.value === 'catalog' ? { ...f, arguments: [...(f.arguments ?? []), regionArg] } : f)) };
      },
    });
    const { broken } = checkOperations(buildASTSchema(changed), SHIPPED);
    const named = broken.map((b) => b.operation.split(' ')[0]);
    expect(named).toEqual(expect.arrayContaining(['Catalogue', 'ProductDetail', 'AppByName']));
    const catalogue = broken.find((b) => b.operation.startsWith('Catalogue'))!;
    expect(catalogue.reasons.join('\n')).toMatch(/Cannot query field "price" on type "Product"/);
    expect(catalogue.reasons.join('\n')).toMatch(/argument "region" of type "String!" is required/);
  });

  it('should exit 1 from npm run check:operations, naming the operation and the field, for a manifest the schema breaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-operations-'));
    const manifest = join(dir, 'old-app.json');
    const body = 'query OldPrices { catalog { items { id priceInCents } } }';
    writeFileSync(
      manifest,
      JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x', body, name: 'OldPrices', type: 'query' }] }),
    );
    try {
      const run = promisify(execFile)('npm', ['run', '--silent', 'check:operations', '--', manifest, ...SHIPPED], { cwd: ROOT, timeout: 60_000 });
      await expect(run).rejects.toMatchObject({
        code: 1,
        stdout: expect.stringMatching(/BROKEN .*old-app\.json: OldPrices[^\n]*\n\s+- Cannot query field "priceInCents" on type "Product"/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
