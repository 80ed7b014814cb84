import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The operation limits at values other than their defaults (docs/errors.md): each variable is
 * read, and each limit refuses just over it and lets just under it through, before any Console call.
 */
const LIMITS = { MAX_DOCUMENT_BYTES: '300', MAX_TOKENS: '60', MAX_DEPTH: '4', MAX_ALIASES: '3', MAX_ROOT_FIELDS: '2', MAX_UPSTREAM_COST: '2' };

describe('operation limits set by their variables', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: LIMITS })));
  afterAll(async () => stack.close());

  const send = async (query: string) => {
    await stack.resetStats();
    const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string; limit?: number; found?: number } }> };
    return { status: res.status, error: body.errors?.[0]?.extensions, calls: Object.keys(await stack.stats()).length };
  };

  it.each([
    // [what, under the limit, over the limit, code, limit]
    ['MAX_DOCUMENT_BYTES', `{ __typename #${'x'.repeat(250)}\n}`, `{ __typename #${'x'.repeat(350)}\n}`, 'DOCUMENT_TOO_LARGE', 300],
    ['MAX_DEPTH', '{ catalog { items { store { id } } } }', '{ catalog { items { store { address { city } } } } }', 'QUERY_TOO_DEEP', 4],
    ['MAX_ALIASES', '{ a: __typename b: __typename c: __typename }', '{ a: __typename b: __typename c: __typename d: __typename }', 'TOO_MANY_ALIASES', 3],
    ['MAX_ROOT_FIELDS', '{ a: __typename b: __typename }', '{ a: __typename b: __typename c: __typename }', 'TOO_MANY_ROOT_FIELDS', 2],
    [
      'MAX_UPSTREAM_COST',
      '{ catalog { page } appCatalog { total } }',
      '{ catalog { page } appCatalog { total } validateToken(token: "x") { isValid } }',
      'QUERY_TOO_COMPLEX',
      2,
    ],
  ])(
    'should apply %s: just under passes, just over is refused with its code, limit and count, before any Console call',
    async (_name, under, over, code, limit) => {
      const ok = await send(under);
      expect(ok.error?.code).not.toBe(code);
      const refused = await send(over);
      expect(refused.status).toBe(400);
      expect(refused.error).toMatchObject({ code, limit });
      expect(refused.error?.found).toBeGreaterThan(limit);
      expect(refused.calls).toBe(0);
    },
  );

  it('should apply MAX_TOKENS: parsing stops past it', async () => {
    const ok = await send(`{ catalog { items { ${'id '.repeat(40)}} } }`); // ~50 tokens
    expect(ok.status).toBe(200);
    expect(ok.error).toBeUndefined();
    const refused = await send(`{ catalog { items { ${'id '.repeat(70)}} } }`); // ~80 tokens, 240 bytes
    expect(refused.status).toBe(400);
    expect(refused.error?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
