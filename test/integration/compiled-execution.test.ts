import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppCatalogDocument, DashboardDocument, MinimalCallsDocument, ProductFieldsDocument, ValidateTokenDocument } from '../generated/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Operations run on graphql-js until the same parsed document comes by a second time, and compiled
 * (graphql-jit) from then on: Apollo's document store keeps a document from its second request, so
 * requests 1–3 are interpreted and 4 onwards compiled. Whatever runs them, the answers must be the
 * same, errors included; the compiled-operations cache (its metric) proves compilation happened.
 */
let stack: Stack;
beforeAll(async () => {
  // Faults on the public routes must reach the Console each time: no public cache here.
  stack = await startStack({ env: { CIRCUIT_FAILURE_THRESHOLD: '1000', PUBLIC_CACHE_TTL_MS: '0' } });
});
afterAll(async () => stack.close());

/** Four answers to the same request: three interpreted, the fourth compiled. */
async function thrice(send: () => Promise<{ status: number; text: string }>) {
  const answers = [await send(), await send(), await send(), await send()];
  return [answers[0], answers[1], answers[3]].map((a) => ({ status: a.status, body: JSON.parse(a.text) as unknown }));
}

async function compiledOperations(): Promise<number> {
  const text = await (await fetch(stack.gateway.metricsUrl)).text();
  return Number(/^flecs_graph_cache_entries\{cache="compiled_operations"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('compiled execution', () => {
  it('should give the same data interpreted and compiled', async () => {
    const token = stack.tokenFor(11);
    const compiledBefore = await compiledOperations();
    for (const [doc, vars] of [
      [DashboardDocument, {}],
      [MinimalCallsDocument, {}],
      [ProductFieldsDocument, { storeId: 3, page: 2 }],
      [AppCatalogDocument, { storeId: 2 }],
      [ValidateTokenDocument, { token }],
    ] as const) {
      const [first, second, third] = await thrice(() => stack.gql(doc, vars, { token }));
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      expect((first.body as { errors?: unknown }).errors).toBeUndefined();
    }
    expect(await compiledOperations()).toBe(compiledBefore + 5);
  });

  it('should give the same errors, paths and nulls interpreted and compiled', async () => {
    await stack.fault('GET /api/v2/my/subscriptions', { status: 500 });
    await stack.fault('GET /api/v2/products', { mode: 'reset' });
    try {
      const query = '{ me { products { page items { id } } subscriptions { total } } catalog { page } a: catalog(page: 0) { page } }';
      const [first, second, third] = await thrice(() => stack.gql(query, {}, { token: stack.tokenFor(12) }));
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      const errors = (first.body as { errors: Array<{ path: string[]; extensions: { code: string } }> }).errors;
      expect(errors.map((e) => [e.path.join('.'), e.extensions.code]).sort()).toEqual([
        ['a', 'BAD_USER_INPUT'],
        ['catalog', 'UPSTREAM_UNAVAILABLE'],
        ['me.subscriptions', 'UPSTREAM_ERROR'],
      ]);
    } finally {
      await stack.clearFaults();
    }
  });

  it.each([
    ['a variable of the wrong type', { query: 'query($p: Int) { catalog(page: $p) { page } }', variables: { p: 'two' } }, 400, 'BAD_USER_INPUT'],
    ['a missing required variable', { query: 'query($t: String!) { validateToken(token: $t) { isValid } }', variables: {} }, 400, 'BAD_USER_INPUT'],
    ['an operationName that is not there', { query: 'query A { catalog { page } }', operationName: 'B' }, 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['an UNAUTHENTICATED me', { query: '{ me { products { page } } }' }, 200, 'UNAUTHENTICATED'],
  ])('should answer %s the same way every time', async (_name, body, status, code) => {
    const answers = await thrice(async () => {
      const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    });
    for (const answer of answers) {
      expect(answer.status).toBe(status);
      expect((answer.body as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(code);
    }
    expect(answers[2]).toEqual(answers[0]);
  });
});
