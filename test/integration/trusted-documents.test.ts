import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/common/env.js';
import { loadGatewayConfig } from '../../src/config.js';
import { loadTrustedDocuments } from '../../src/edge/trusted-documents.js';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { DashboardDocument } from '../generated/graphql.js';
import { ROOT } from '../support/processes.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Trusted documents (issue 15): the manifest graphql-codegen's client preset writes for
 * test/operations (`npm run codegen`, test/generated/persisted-documents.json), checked in as
 * test/operations/persisted-documents.json; first-party apps send ids, and `only` refuses the rest
 * before it is parsed.
 */
const GENERATED = join(ROOT, 'test/generated/persisted-documents.json');
const CHECKED_IN = join(ROOT, 'test/operations/persisted-documents.json');
const manifest = JSON.parse(readFileSync(CHECKED_IN, 'utf8')) as Record<string, string>;
const idOf = (operation: string) =>
  Object.keys(manifest).find((id) => manifest[id].startsWith(`query ${operation}(`) || manifest[id].startsWith(`query ${operation} `))!;
const DASHBOARD_ID = (DashboardDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> },
  };
}

describe('the manifest', () => {
  it('should be what graphql-codegen writes for test/operations today (regenerate with npm run codegen and copy it when this fails)', () => {
    expect(JSON.parse(readFileSync(GENERATED, 'utf8'))).toEqual(manifest);
    expect(manifest[DASHBOARD_ID]).toBeDefined();
  });

  it('should stop the start, naming the entry, when an entry is broken', async () => {
    const schema = await buildGatewaySchema();
    const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-manifest-'));
    const write = (content: unknown) => {
      const file = join(dir, 'm.json');
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    };
    try {
      const load = (content: unknown) => () => loadTrustedDocuments(write(content), 'only', schema, false);
      expect(load('{ not json')).toThrow(/could not be read as JSON/);
      expect(load([])).toThrow(/must hold a JSON object/);
      expect(load({ 'sha256:abc': '{ __typename }' })).toThrow(/entry "sha256:abc".*sha256:<64 hex digits>/);
      expect(load({ [`sha256:${'0'.repeat(64)}`]: '{ __typename }' })).toThrow(/is not the SHA-256 of its document/);
      const { createHash } = await import('node:crypto');
      const entry = (text: string) => ({ [`sha256:${createHash('sha256').update(text).digest('hex')}`]: text });
      expect(load(entry('{ catalog { nope } }'))).toThrow(/is not valid against the schema: .*nope/);
      expect(load(entry('{ catalog {'))).toThrow(/does not parse/);
      expect(load(entry('{ __schema { types { name } } }'))).toThrow(/introspection/i);
      for (const content of ['{ not json', { 'sha256:abc': 1 }]) expect(load(content)).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse TRUSTED_DOCUMENTS=only with the Sandbox on, or without a file', () => {
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS_FILE: CHECKED_IN, TRUSTED_DOCUMENTS: 'only', GRAPHQL_SANDBOX: 'true' })).toThrow(
      /TRUSTED_DOCUMENTS=only .*Sandbox/,
    );
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS: 'only', NODE_ENV: 'production' })).toThrow(/needs TRUSTED_DOCUMENTS_FILE/);
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS: 'some' })).toThrow(/^TRUSTED_DOCUMENTS must be one of/);
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { NODE_ENV: 'production', TRUSTED_DOCUMENTS_FILE: CHECKED_IN } })));
  afterAll(async () => stack.close());

  it('should run a document by documentId in a POST, and still take ad-hoc documents', async () => {
    const byId = await post(stack.gateway.url, { documentId: DASHBOARD_ID }, stack.tokenFor(31));
    expect(byId.body.errors).toBeUndefined();
    expect((byId.body.data?.me as { products: { items: unknown[] } }).products.items.length).toBeGreaterThan(0);
    expect((await post(stack.gateway.url, { query: '{ catalog { page } }' })).body.errors).toBeUndefined();
  });

  it('should run a public document by documentId as a GET, with the Cache-Control and ETag of any public answer', async () => {
    const id = idOf('AppCatalog');
    const res = await fetch(`${stack.gateway.url}?documentId=${encodeURIComponent(id)}&variables=${encodeURIComponent(JSON.stringify({ storeId: 4 }))}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get('etag')).toMatch(/^W\//);
    const body = (await res.json()) as { errors?: unknown; data?: unknown };
    expect(body.errors).toBeUndefined();
  });

  it('should run a trusted document by its APQ hash alone, without a registration', async () => {
    const hash = idOf('MinimalCalls').slice('sha256:'.length);
    const res = await post(stack.gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, stack.tokenFor(32));
    expect(res.body.errors).toBeUndefined();
  });

  it('should answer PERSISTED_QUERY_NOT_FOUND to an unknown documentId, without a Console call', async () => {
    await stack.resetStats();
    const res = await post(stack.gateway.url, { documentId: `sha256:${'a'.repeat(64)}` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(stack.gateway.url, { documentId: 'nonsense' })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await stack.stats()).toEqual({});
  });
});

describe('TRUSTED_DOCUMENTS=only', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { NODE_ENV: 'production', TRUSTED_DOCUMENTS_FILE: CHECKED_IN, TRUSTED_DOCUMENTS: 'only' } })));
  afterAll(async () => stack.close());

  it('should refuse an ad-hoc document and an APQ registration before parsing them (400 DOCUMENT_NOT_TRUSTED, no Console call)', async () => {
    await stack.resetStats();
    const adHoc = await post(stack.gateway.url, { query: '{ catalog { page } }' });
    expect(adHoc.status).toBe(400);
    expect(adHoc.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    const query = '{ appCatalog { total } }';
    const { createHash } = await import('node:crypto');
    const registration = await post(stack.gateway.url, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } },
    });
    expect(registration.status).toBe(400);
    expect(registration.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    const get = await fetch(`${stack.gateway.url}?query=${encodeURIComponent(query)}`);
    expect(get.status).toBe(400);
    // Not even a broken document is parsed: the answer is the same refusal.
    expect((await post(stack.gateway.url, { query: '{ catalog {' })).body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    expect(await stack.stats()).toEqual({});
  });

  it("should run the manifest's documents by documentId (POST and GET), by APQ hash, and as their exact text", async () => {
    const token = stack.tokenFor(33);
    expect((await post(stack.gateway.url, { documentId: DASHBOARD_ID }, token)).body.errors).toBeUndefined();
    const get = await fetch(`${stack.gateway.url}?documentId=${encodeURIComponent(idOf('AppCatalog'))}&variables=${encodeURIComponent('{"storeId":2}')}`);
    expect(get.status).toBe(200);
    expect(((await get.json()) as { errors?: unknown }).errors).toBeUndefined();
    const hash = idOf('MinimalCalls').slice('sha256:'.length);
    expect((await post(stack.gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token)).body.errors).toBeUndefined();
    expect((await post(stack.gateway.url, { query: manifest[DASHBOARD_ID] }, token)).body.errors).toBeUndefined();
  });
});
