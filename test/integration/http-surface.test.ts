import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DASHBOARD_QUERY } from '../../src/demo-query.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let base: string;
beforeAll(async () => {
  stack = await startStack({
    env: { GRAPHQL_SANDBOX: 'true', MAX_BODY_BYTES: '65536', CORS_ORIGINS: 'https://app.example.com,localhost' },
    gateway: { sandboxOptions: { document: DASHBOARD_QUERY, headers: { Authorization: 'Bearer demo-token-123' } } },
  });
  base = stack.gateway.url.replace(/\/graphql$/, '');
});
afterAll(async () => stack.close());

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/graphql`, { method: 'POST', headers, body });

describe('the HTTP surface', () => {
  it('should answer /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('should answer an unknown path with 404 JSON naming the endpoint', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0].message).toContain('/graphql');
  });

  it('should run a query sent with GET', async () => {
    const res = await fetch(`${base}/graphql?query=${encodeURIComponent('{ catalog { page } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { catalog: { page: 1 } } });
  });

  it('should refuse a mutation sent with GET', async () => {
    const query = encodeURIComponent('mutation { login(username: "demo", password: "password") { token } }');
    const res = await fetch(`${base}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
    expect(await res.text()).not.toContain('token"');
  });

  it('should refuse a CSRF-style simple request (text/plain POST): a POST must be application/json', async () => {
    const res = await post(JSON.stringify({ query: '{ catalog { page } }' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Content-Type/i);
  });

  it('should run a GET query without any preflight header (urql, graphql-http), and refuse a mutation over GET', async () => {
    const res = await fetch(`${base}/graphql?query=${encodeURIComponent('{ catalog(storeId: 2) { page } }')}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { catalog: { page: number } } }).data.catalog.page).toBe(1);
    const mutation = await fetch(`${base}/graphql?query=${encodeURIComponent('mutation { login(username: "demo", password: "password") { token } }')}`);
    expect(mutation.status).toBe(405);
    expect(await mutation.text()).not.toContain('"token"');
  });

  it('should answer malformed JSON with 400 and a clear message', async () => {
    const res = await post('{"query": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('should answer a body over MAX_BODY_BYTES with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ catalog { page } } #${'x'.repeat(70_000)}` }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should refuse a batched (array) body', async () => {
    const res = await post(JSON.stringify([{ query: '{ catalog { page } }' }, { query: '{ catalog { page } }' }]));
    expect(res.status).toBe(400);
  });

  it('should answer a wrong variable type with 400 BAD_USER_INPUT', async () => {
    const res = await post(JSON.stringify({ query: 'query($p: Int) { catalog(page: $p) { page } }', variables: { p: 'two' } }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('should answer page 2147483648 as a validation error, not a crash', async () => {
    const res = await post(JSON.stringify({ query: '{ catalog(page: 2147483648) { page } }' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('should echo a sane x-request-id and replace an unsafe one', async () => {
    const kept = await post(JSON.stringify({ query: '{ catalog { page } }' }), { 'content-type': 'application/json', 'x-request-id': 'abc-123' });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await post(JSON.stringify({ query: '{ catalog { page } }' }), { 'content-type': 'application/json', 'x-request-id': 'a b<script>' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should serve the Sandbox with the endpoint, the initial document and the demo header', async () => {
    const res = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('EmbeddedSandbox');
    expect(html).toContain('initialEndpoint');
    expect(html).toContain('demo-token-123');
    expect(html).toContain('query Dashboard');
    expect(html).toContain('subscriptions');
  });

  it('should allow listed CORS origins and localhost, and no others', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const listed = await preflight('https://app.example.com');
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(listed.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
