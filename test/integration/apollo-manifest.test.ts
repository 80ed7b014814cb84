import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadTrustedDocuments } from '../../src/edge/trusted-documents.js';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Apollo's persisted-query manifest (what Apollo Kotlin, Apollo iOS and Apollo's web tooling write)
 * as TRUSTED_DOCUMENTS_FILE: its operations run by `documentId` and by their APQ hash alone, and
 * under `only` nothing else runs.
 */
const CATALOG = 'query Catalog($page: Int) { catalog(page: $page) { page items { id name } } }';
const MY_APPS = 'query MyApps { me { apps { page items { id } } } }';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const manifest = {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [
    { id: sha(CATALOG), body: CATALOG, name: 'Catalog', type: 'query' },
    { id: sha(MY_APPS), body: MY_APPS, name: 'MyApps', type: 'query' },
  ],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flecs-graph-apollo-manifest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (content: unknown) => {
  const file = join(dir, `m${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
};

describe("Apollo's manifest under TRUSTED_DOCUMENTS=only", () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { TRUSTED_DOCUMENTS_FILE: write(manifest), TRUSTED_DOCUMENTS: 'only', GRAPHQL_SANDBOX: 'false' } })));
  afterAll(async () => stack.close());

  const post = async (body: unknown, token?: string) => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> } };
  };

  it('should run its operations by documentId and by their APQ hash alone, as Apollo Kotlin and iOS send them', async () => {
    const byId = await post({ documentId: `sha256:${sha(CATALOG)}`, variables: { page: 2 } });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data).toMatchObject({ catalog: { page: 2 } });
    const byHash = await post({ operationName: 'MyApps', extensions: { persistedQuery: { version: 1, sha256Hash: sha(MY_APPS) } } }, stack.tokenFor(2));
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toMatchObject({ me: { apps: { page: 1 } } });
  });

  it('should refuse everything else: an ad-hoc document, an unknown hash, an APQ registration', async () => {
    const other = '{ appCatalog { total } }';
    expect((await post({ query: other })).body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha(other) } } })).body.errors?.[0]?.extensions?.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect((await post({ query: other, extensions: { persistedQuery: { version: 1, sha256Hash: sha(other) } } })).body.errors?.[0]?.extensions?.code).toBe(
      'DOCUMENT_NOT_TRUSTED',
    );
    expect((await post({ documentId: `sha256:${sha(other)}` })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('a malformed Apollo manifest', () => {
  it('should stop the start, naming what is wrong', async () => {
    const schema = await buildGatewaySchema();
    const load = (content: unknown) => () => loadTrustedDocuments(write(content), 'only', schema, false);
    expect(load({ ...manifest, format: 'something-else' })).toThrow(/"format" must be "apollo-persisted-query-manifest"/);
    expect(load({ ...manifest, version: 2 })).toThrow(/only version 1/);
    expect(load({ format: 'apollo-persisted-query-manifest', version: 1 })).toThrow(/"operations" list/);
    expect(load({ ...manifest, operations: [{ ...manifest.operations[0], id: sha('x') }] })).toThrow(/Catalog .* is not the SHA-256 of its document/);
    expect(load({ ...manifest, operations: [{ id: sha('{ nope }'), body: '{ nope }', name: 'Nope', type: 'query' }] })).toThrow(
      /Nope .* is not valid against the schema/,
    );
    expect(load({ ...manifest, operations: ['x'] })).toThrow(/operation 0 .* must be an object/);
    expect(load(manifest)().texts.size).toBe(2);
  });
});
